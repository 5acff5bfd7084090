"""Models of monitoring: devices and stations, readings, aggregates, rejected packets, approved backfills,
what a device sends that the code table does not settle (per-device code mappings, held values),
the states each analyser reports of itself, the other messages devices send (start-ups, running status),
what the platform asks them (history of a gap) and the periods a device's data are invalid by an
operator's record."""
from .backfills import BackfillApproval
from .codes import CodeMapping, HeldValue
from .commands import DeviceCommand
from .messages import DeviceMessage
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
from .states import InstrumentState
from .validity import InvalidPeriod

__all__ = ["DataKind", "DataFlag", "ProtocolVersion", "Station", "Device", "Reading", "Aggregate", "IngestRejection",
           "ReadingSource", "BackfillApproval", "CodeMapping", "HeldValue", "InstrumentState",
           "InvalidPeriod", "DeviceMessage", "DeviceCommand"]
