"""Writes of waste: manifests, trajectories, the transfer checks."""
