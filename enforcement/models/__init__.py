"""Models of ``enforcement``: the discretion table, cases (立案查处), monthly inspection plans drawn at
random (双随机), inspections on-site and off-site, joint inspections, officers' capacity, the positive list
(正面清单) and third-party checks of monitoring equipment."""
from .cases import Case, CaseEvidence, DiscretionArticle
from .device_checks import DeviceCheck
from .inspections import Confirmation, Inspection, Mode, OffSiteLine
from .joint import JointInspection, JointPart
from .plans import InspectionPlan, OfficerCapacity, PlannedInspection
from .positive_list import PositiveListEntry

__all__ = ["DiscretionArticle", "Case", "CaseEvidence", "InspectionPlan", "PlannedInspection", "OfficerCapacity",
           "Inspection", "Mode", "Confirmation", "OffSiteLine", "PositiveListEntry", "JointInspection", "JointPart",
           "DeviceCheck"]
