"""Models of the eco-code: the indicator catalogue and its versions, scores, colours and their history,
the consequences of each colour and the penalty decisions that feed the score."""
from .catalogue import CatalogueVersion, Colour, ColourBand, Group, Indicator
from .penalties import Penalty
from .scores import ColourChange, EcoCode, Score, ScoringRun, public_token

__all__ = [
    "Colour", "Group", "Indicator", "ColourBand", "CatalogueVersion", "Penalty", "ScoringRun", "Score",
    "EcoCode", "ColourChange", "public_token",
]
