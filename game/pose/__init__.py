"""Pose pipeline: frame sources, the pose backend, smoothing and skeleton recordings."""
