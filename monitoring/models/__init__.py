"""Models of monitoring: devices and stations, readings, aggregates, rejected packets."""
from .readings import (
    Aggregate,
    DataFlag,
    DataKind,
    Device,
    IngestRejection,
    ProtocolVersion,
    Reading,
    Station,
)

__all__ = ["DataKind", "DataFlag", "ProtocolVersion", "Station", "Device", "Reading", "Aggregate", "IngestRejection"]
