"""Write-side services of monitoring, one module per use case (``ingest``, ``partitions``, …)."""
