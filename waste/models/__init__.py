"""Models of waste transfers."""
from .alerts import OPEN_STATES, TransferSettings, WasteAlert, WasteAlertEvent, WasteAlertState, WasteRule
from .catalogue import Facility, ReceiverPermit, WasteCategory, WasteKind, in_force_q
from .ledger import LedgerEntry
from .manifests import TONNES_PER_UNIT, Manifest, ManifestEvent, ManifestState, Packaging, Unit
from .vehicles import GpsPoint, Vehicle

__all__ = ["OPEN_STATES", "TransferSettings", "WasteAlert", "WasteAlertEvent", "WasteAlertState", "WasteRule",
           "Facility", "ReceiverPermit", "WasteCategory", "WasteKind", "in_force_q", "LedgerEntry",
           "TONNES_PER_UNIT", "Manifest", "ManifestEvent", "ManifestState", "Packaging", "Unit", "GpsPoint",
           "Vehicle"]
