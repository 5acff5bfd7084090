"""Reads of ``enforcement``: the suggested penalty discretion, plans, the positive list, officers'
monthly statistics, the enterprise file and the compliance strips."""
from decimal import ROUND_HALF_UP, Decimal

from ecocode.selectors import colours_of, consequences

from .models import DiscretionArticle

STANDARD_FACTOR = Decimal("1.00")


def suggested_discretion(enterprise, article: DiscretionArticle) -> dict:
    """The suggested fine: the base amount of the article × the penalty factor of the enterprise's
    current colour (1.00 while unscored), kept inside the article's range."""
    colour = colours_of([enterprise.pk]).get(enterprise.pk, "")
    band = consequences().get(colour) if colour else None
    factor = band.penalty_discretion_factor if band else STANDARD_FACTOR
    amount = (article.base_amount * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    amount = min(max(amount, article.min_amount), article.max_amount)
    return {"colour": colour, "factor": factor, "base": article.base_amount, "amount": amount}
