"""Writes of outreach, one module per service; functions take keyword-only arguments."""
