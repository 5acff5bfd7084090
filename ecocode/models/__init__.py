"""Models of the eco-code: the indicator catalogue and its versions, scores, colours and their history,
the consequences of each colour, the reported emissions that feed the score, and
the enterprise's objections and credit-repair applications."""
from .catalogue import CatalogueVersion, Colour, ColourBand, Group, Indicator
from .reported import ReportedEmission
from .reviews import CreditRepair, Objection, ReviewAttachment
from .scores import ColourChange, EcoCode, Score, ScoringRun, public_token

__all__ = [
    "Colour", "Group", "Indicator", "ColourBand", "CatalogueVersion", "ReportedEmission", "ScoringRun",
    "Score", "EcoCode", "ColourChange", "public_token", "Objection", "CreditRepair", "ReviewAttachment",
]
