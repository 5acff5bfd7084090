"""Models of dispatch, split by sub-domain: work orders, checklists and rounds, evidence files."""
from .campaigns import Campaign
from .checklists import Checklist, ChecklistLine, LineResult, Round, SelfCheckNotice
from .evidence import Attachment
from .orders import (
    Complaint,
    ComplaintAnswer,
    Feedback,
    Team,
    Transition,
    WorkOrder,
    complaint_token,
)

__all__ = [
    "Team", "WorkOrder", "Transition", "Feedback", "Complaint", "ComplaintAnswer", "complaint_token",
    "Checklist", "ChecklistLine", "SelfCheckNotice", "Round", "LineResult", "Attachment", "Campaign",
]
