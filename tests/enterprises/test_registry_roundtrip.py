"""Export, then import, gives back the same registry: a hand-built one, and a seeded demo county
exported and imported into an emptied registry (same counts, same rows)."""
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from enterprises.demo import DemoCounty
from enterprises.models import Enterprise, PermitLimit
from enterprises.registry.tables import TABLES
from enterprises.services import registry_export, registry_import

from .registry_support import build_county, good_tables, registry_counts, snapshot, workbook

pytestmark = pytest.mark.django_db


def import_file(data: bytes, name="export.xlsx"):
    record = registry_import.registry_import_check(files=[(name, data)])
    assert not record.summary["problems"], record.summary["problems"][:5]
    return registry_import.registry_import_commit(registry_import=record)


def test_export_then_import_gives_back_the_same_registry():
    build_county()
    import_file(workbook(good_tables()), "hand-built.xlsx")
    before = snapshot()
    exported = registry_export.export_workbook()
    assert registry_import.registry_import_check(files=[("export.xlsx", exported)]).summary["writes"] == 0
    Enterprise.objects.all().delete()
    assert registry_counts()["limits"] == 0
    import_file(exported)
    assert snapshot() == before


def test_the_export_states_each_sheets_size():
    """A read-only reader learns a sheet's size from its <dimension> instead of parsing it twice."""
    build_county()
    import_file(workbook(good_tables()), "hand-built.xlsx")
    exported = registry_export.export_workbook()
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert all(b"<dimension ref=" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    book = load_workbook(io.BytesIO(exported), read_only=True)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert (sheet.max_row, sheet.max_column) == (len(rows), max(len(r) for r in rows)), sheet.title
    assert book["基本信息"].max_row == 1 + Enterprise.objects.count()


def test_the_template_has_the_four_tables_with_their_headers():
    book = load_workbook(io.BytesIO(registry_export.template_workbook()), read_only=True)
    assert book.sheetnames[:4] == [t.sheet for t in TABLES]
    for table in TABLES:
        header = [c.rstrip("*") for c in next(book[table.sheet].iter_rows(values_only=True))]
        assert header == table.headers
    assert "填写说明" in book.sheetnames and "污染物代码" in book.sheetnames


@pytest.mark.slow
def test_the_demo_county_round_trips_into_an_empty_registry():
    DemoCounty(enterprises=300, seed=11, today=dt.date(2026, 11, 23)).run()
    counts, before = registry_counts(), snapshot()
    assert counts["enterprises"] == 300 and counts["limits"] > 300
    assert PermitLimit.objects.filter(annual_quantity__isnull=False).exists()
    exported = registry_export.export_workbook()
    Enterprise.objects.all().delete()  # the registry goes; the county's townships, villages and grids stay
    assert registry_counts() == {k: 0 for k in counts}
    record = import_file(exported)
    assert registry_counts() == counts
    assert record.summary["counts"]["enterprises"]["create"] == 300
    assert snapshot() == before
