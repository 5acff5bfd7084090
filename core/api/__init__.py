"""Shared pieces of the REST API (/api/v1/): permissions, pagination, idempotency, error format,
the schema helper and the token login/logout views. Each app's resources live in its own api module."""
