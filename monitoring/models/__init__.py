"""Models of monitoring, split by sub-domain: notifications (shared by every app) and readings."""
from .alerts import Alert, AlertEvent, AlertSettings, AlertState, Rule, Silence
from .codes import CodeMapping, HeldValue
from .exceedances import Exceedance
from .notifications import Channel, Delivery, Notification
from .readings import Aggregate, DataFlag, DataKind, Device, IngestRejection, ProtocolVersion, Reading, Station

__all__ = [
    "Channel", "Notification", "Delivery",
    "DataKind", "DataFlag", "ProtocolVersion", "Station", "Device", "Reading", "Aggregate", "IngestRejection",
    "CodeMapping", "HeldValue", "Exceedance",
    "Alert", "AlertEvent", "AlertSettings", "AlertState", "Rule", "Silence",
]
