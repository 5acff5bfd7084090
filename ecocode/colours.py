"""How a colour is decided: the one place.

An enterprise's score (100 minus the points its deductions cost, see ``ecocode.rules``) falls into
the band with the highest threshold it reaches (``ColourBand.min_score``, tunable in the admin; the
defaults in ``ecocode/data/colour_bands.csv``: green 95, blue 85, yellow 75, orange 60, red below). Some indicators also cap the colour
(e.g. a filed case makes it no better than orange, whatever the score): the result is the worse of
the band's colour and every cap. Colours are ordered best first, as ``Colour`` lists them.
"""
from decimal import Decimal

from .models import Colour

COLOURS = Colour.scored()  # best first (grey, insufficient data, is not a colour of a score)


def colour_for(score: Decimal, bands: list[dict], caps=()) -> str:
    """The colour of ``score`` by the bands' thresholds, made no better than any of ``caps``."""
    colour = COLOURS[-1]
    for band in sorted(bands, key=lambda b: Decimal(b["min_score"]), reverse=True):
        if score >= Decimal(band["min_score"]):
            colour = band["colour"]
            break
    return max([colour, *[c for c in caps if c]], key=COLOURS.index)
