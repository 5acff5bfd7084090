"""Audit log: who changed what, when, on permits, work orders, cases and eco-code settings."""
