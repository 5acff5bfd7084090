"""Models of ``enforcement``: the discretion table, cases (立案查处), monthly inspection plans drawn at
random (双随机), inspections on-site and off-site, officers' capacity and the positive list (正面清单)."""
from .cases import Case, CaseEvidence, DiscretionArticle
from .inspections import Inspection, Mode
from .plans import InspectionPlan, OfficerCapacity, PlannedInspection
from .positive_list import PositiveListEntry

__all__ = ["DiscretionArticle", "Case", "CaseEvidence", "InspectionPlan", "PlannedInspection", "OfficerCapacity",
           "Inspection", "Mode", "PositiveListEntry"]
