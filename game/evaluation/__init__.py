"""The accuracy harness: labelled real clips -> detectors -> a table (``ringside eval``)."""
