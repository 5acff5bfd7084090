"""Writes of dispatch, one function per use case (keyword-only, ``<entity>_<action>``): work orders and
their "1357" deadlines, feedback with evidence, complaints, checklists, rounds and self-check notices."""
from .campaigns import campaign_create, campaign_issue, campaigns_issue_due
from .checklists import (
    checklist_build,
    checklists_build,
    round_file_case,
    round_submit,
    self_check_notices_issue,
)
from .deadlines import deadlines_check
from .evidence import attachment_add
from .feedback import feedback_submit
from .order_batches import OrderStep, work_orders_act
from .orders import (
    complaint_answer_fixed,
    complaint_file,
    deadlines,
    route,
    work_order_act,
    work_order_dispatch,
    work_order_open,
    work_order_pass_to_grid,
    work_order_report_plan,
)
from .round_batches import RoundEntry, rounds_submit_many

__all__ = [
    "work_order_open", "work_order_dispatch", "work_order_act", "work_order_pass_to_grid", "work_order_report_plan", "deadlines", "route",
    "feedback_submit", "attachment_add", "complaint_file", "complaint_answer_fixed", "checklist_build", "checklists_build",
    "self_check_notices_issue", "round_submit", "rounds_submit_many", "RoundEntry", "round_file_case",
    "work_orders_act", "OrderStep",
    "deadlines_check",
    "campaign_create", "campaign_issue", "campaigns_issue_due",
]
