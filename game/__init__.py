"""Ringside: a camera-based boxing and workout game.

The package is shaped as a pure core with adapters at the edge (see docs/ARCHITECTURE.md):
``game.pose`` turns frames into typed :class:`~game.pose.types.PoseFrame` objects, detectors and
rules consume them and return events, and only ``game.scenes`` / ``game.app`` touch pygame.
Nothing happens at import time.
"""

__version__ = "0.1.0"
