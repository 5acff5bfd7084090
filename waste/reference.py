"""Reference data of waste: the catalogue of general solid waste categories and hazardous waste codes
(``data/waste_categories.csv``), loaded by a data migration and again after a flush (``load_all``)."""
import csv
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "data" / "waste_categories.csv"


def load_catalogue(category_model) -> None:
    """Insert or update the catalogue rows (idempotent); the model is passed in so migrations can use it."""
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            category_model.objects.update_or_create(
                code=row["code"], defaults={"kind": row["kind"], "klass": row["klass"], "name": row["name"]})


def load() -> None:
    from .models import WasteCategory

    load_catalogue(WasteCategory)
