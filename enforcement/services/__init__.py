"""Writes of ``enforcement`` (keyword-only, ``<entity>_<action>``): cases, the monthly draw and targeted
inspections, inspections on-site and off-site, the positive list."""
from .cases import (
    case_decide,
    case_drop,
    case_evidence_add,
    case_execute,
    case_file,
    case_notify_hearing,
    case_open_lead,
    case_record_hearing,
    may_handle_cases,
)

__all__ = ["case_open_lead", "case_file", "case_drop", "case_notify_hearing", "case_record_hearing", "case_decide",
           "case_execute", "case_evidence_add", "may_handle_cases"]
