"""Writes of the enterprises app."""
