"""What field clients (the mobile pages and apps) have in flight: idempotency records of their writes
and round drafts they fill line by line before submitting."""
