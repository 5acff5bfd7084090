"""Models of alerts."""
from .alerts import (
    INHIBITED_RULES,
    INHIBITING_RULES,
    OPEN_STATES,
    Alert,
    AlertEvent,
    AlertSettings,
    AlertState,
    Rule,
    Silence,
)
from .exceedances import Exceedance
from .incidents import Incident

__all__ = ["Alert", "AlertEvent", "AlertSettings", "AlertState", "Rule", "Silence", "OPEN_STATES",
           "INHIBITING_RULES", "INHIBITED_RULES", "Exceedance", "Incident"]
