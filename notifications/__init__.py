"""Telling people: channels, messages, deliveries with retries, the in-app inbox."""
