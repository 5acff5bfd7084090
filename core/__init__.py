"""What every app may use and that uses no domain app: the clock, the REST base, the database-dialect
seam, idempotency records, the admin site set-up, the language middleware, reference-data reloading."""
