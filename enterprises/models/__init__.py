"""Models of the enterprises app, split by sub-domain."""
from .areas import County, Grid, Township, Village
from .enterprises import Enterprise, Industry
from .permits import (
    AveragingPeriod,
    ExecutionReport,
    MonitoringDuty,
    Outlet,
    Permit,
    PermitItem,
    PermitLimit,
    Pollutant,
    TreatmentFacility,
)
from .registry import RegistryImport, RegistryImportFile
from .users import Role, User

__all__ = [
    "County", "Township", "Village", "Grid", "Industry", "Enterprise", "Permit", "Outlet",
    "AveragingPeriod", "Pollutant", "PermitLimit", "MonitoringDuty", "PermitItem", "TreatmentFacility",
    "ExecutionReport", "Role", "User", "RegistryImport", "RegistryImportFile",
]
