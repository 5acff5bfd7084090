"""Reference data every installation needs: HJ 212 pollutant codes and GB/T 4754 industries."""
import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read_rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_reference_data(pollutant_model, industry_model) -> None:
    """Insert or update the reference rows (idempotent). Models are passed in so migrations can use it."""
    for row in read_rows("pollutants.csv"):
        pollutant_model.objects.update_or_create(
            code=row["code"],
            defaults={"code_2005": row["code_2005"], "name": row["name"], "medium": row["medium"],
                      "unit": row["unit"], "is_parameter": row["is_parameter"] == "1"},
        )
    for row in read_rows("industries.csv"):
        industry_model.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})


def load() -> None:
    from .models import Industry, Pollutant

    load_reference_data(Pollutant, Industry)
