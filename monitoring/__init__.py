"""What the devices say: HJ 212 ingestion, readings, aggregates, warnings and notifications."""
