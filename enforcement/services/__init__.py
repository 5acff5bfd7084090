"""Writes of ``enforcement`` (keyword-only, ``<entity>_<action>``): cases, the monthly draw and targeted
inspections, inspections on-site and off-site, joint inspections, the positive list, operators' records of monitoring
equipment."""
from .cases import (
    case_decide,
    case_drop,
    case_evidence_add,
    case_execute,
    case_file,
    case_notify_hearing,
    case_open_lead,
    case_record_hearing,
    cases_open_leads,
    may_handle_cases,
)
from .device_checks import CheckEntry, device_check_record, device_checks_record, device_fault_resolve
from .draw import plan_draw
from .inspections import (
    OffSiteEntry,
    OnSiteEntry,
    inspection_confirm,
    inspection_dispute,
    inspection_record_off_site,
    inspection_record_on_site,
    inspections_adopt_rounds,
    inspections_record_off_site,
    inspections_record_on_site,
)
from .joint import joint_inspection_invite, joint_part_record, joint_part_sign, may_act_for
from .positive_list import positive_list_approve, positive_list_end, positive_list_propose, positive_list_review
from .targeted import targeted_inspections_collect

__all__ = ["case_open_lead", "cases_open_leads", "case_file", "case_drop", "case_notify_hearing",
           "case_record_hearing", "case_decide", "case_execute", "case_evidence_add", "may_handle_cases", "plan_draw",
           "targeted_inspections_collect", "inspection_record_on_site", "inspection_record_off_site",
           "inspections_record_on_site", "inspections_record_off_site", "OnSiteEntry", "OffSiteEntry",
           "inspection_confirm", "inspection_dispute", "inspections_adopt_rounds",
           "positive_list_propose", "positive_list_approve", "positive_list_end", "positive_list_review",
           "joint_inspection_invite", "joint_part_record", "joint_part_sign", "may_act_for", "device_check_record",
           "device_checks_record", "CheckEntry", "device_fault_resolve"]
