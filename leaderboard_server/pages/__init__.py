"""Static files of the web view (the gym TV page, the coach page), shipped as package data."""
