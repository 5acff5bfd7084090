"""Extends the demo county with its warnings: one evaluation cycle over the monitoring data just seeded."""
from .services import evaluate

# Default ORDER: right after monitoring's data and before dispatch (INSTALLED_APPS order), as before.


def extend(county) -> dict:
    return {"warnings opened": evaluate().opened}
