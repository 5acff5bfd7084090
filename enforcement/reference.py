"""The discretion table (``enforcement/data/discretion.csv``): articles of the Water and Air Pollution
Prevention Laws and the Regulations on the Administration of Pollutant Discharge Permits with their fine
ranges and base amounts. Loaded by migration ``enforcement/0002`` and again after a flush; rows the
bureau edited are kept."""
import csv
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "discretion.csv"


def load_discretion(model) -> int:
    """Insert the rows whose code is missing; ``model`` is passed in so a migration can use its own."""
    known = set(model.objects.values_list("code", flat=True))
    with open(DATA, encoding="utf-8") as f:
        rows = [model(code=r["code"], law=r["law"], article=r["article"], violation=r["violation"],
                      reason=r["reason"], min_amount=Decimal(r["min_amount"]), max_amount=Decimal(r["max_amount"]),
                      base_amount=Decimal(r["base_amount"]))
                for r in csv.DictReader(f) if r["code"] not in known]
    model.objects.bulk_create(rows)
    return len(rows)


def load() -> None:
    from .models import DiscretionArticle

    load_discretion(DiscretionArticle)
