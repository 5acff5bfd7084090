"""Models of monitoring: devices and stations, readings, aggregates, rejected packets, approved backfills."""
from .backfills import BackfillApproval
from .readings import (
    Aggregate,
    DataFlag,
    DataKind,
    Device,
    IngestRejection,
    ProtocolVersion,
    Reading,
    ReadingSource,
    Station,
)

__all__ = ["DataKind", "DataFlag", "ProtocolVersion", "Station", "Device", "Reading", "Aggregate", "IngestRejection",
           "ReadingSource", "BackfillApproval"]
