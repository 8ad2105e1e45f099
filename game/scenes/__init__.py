"""The game's scenes: pygame drawing and orchestration only (see game.loop for the lifecycle,
docs/GAME.md for the list)."""
