"""Reading the platform's sheets as bureaus keep them (title rows, other header spellings, marks) and
mapping their cell values: pollutant names, units, dates, choices."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from enterprises.models import Pollutant
from enterprises.reference import DATA
from enterprises.registry import mapping
from enterprises.registry.mapping import BRACKETS
from enterprises.registry.parsing import read_files

pytestmark = pytest.mark.django_db


def test_title_rows_header_aliases_marks_and_other_sheets():
    book = Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["污染物名称", "备注"])  # a code list: no table's required headers, passed over
    sheet = book.create_sheet("Sheet2")  # not named after a table: found by its headers
    sheet.append(["排污许可证副本 基本信息"])
    sheet.append([])
    sheet.append(["排污单位名称*", "社会信用代码", " 排污许可证编号 ", "行业", "经度", "纬度", "管理类别",
                  "发证时间", "有效期限起", "有效期限至"])
    sheet.append(["甲公司", "91330483MA2AAAAA7P", "P-1", "C1713", 120.05, 30.05, "重点", dt.datetime(2024, 3, 1),
                  "2024/3/1", "2029年2月28日"])
    sheet.append([None] * 10)
    out = io.BytesIO()
    book.save(out)
    parsed = read_files([("platform.xlsx", out.getvalue())])
    assert not parsed.problems
    table = parsed.tables["basic"]
    assert table.source == "Sheet2"
    [(row, cells)] = table.rows
    assert row == 4 and cells["name"] == "甲公司" and cells["permit_number"] == "P-1"
    assert [mapping.date(cells[k]) for k in ("issued_on", "valid_from", "expires_on")] == [
        dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2029, 2, 28)]


def test_a_sheet_named_after_a_table_without_its_required_columns_is_refused():
    book = Workbook()
    book.active.title = "排放口"
    book.active.append(["排放口编号", "排放口名称"])
    out = io.BytesIO()
    book.save(out)
    parsed = read_files([("x.xlsx", out.getvalue())])
    assert [(p.sheet, p.row, p.column) for p in parsed.problems] == [("排放口", 1, "许可证编号")]


@pytest.mark.parametrize("name,code", [
    ("化学需氧量", "w01018"), ("化学需氧量（COD）", "w01018"), ("CODcr", "w01018"), ("氨氮（NH3-N）", "w21003"),
    ("总磷（以P计）", "w21011"), ("氮氧化物（以NO2计）", "a21002"), ("VOCs", "a24088"),
    ("烟尘", "a34013"), ("a21026", "a21026"), ("pH值", "w01001"), ("二氧化硫 ", "a21026"),
    ("总铬", "w20116"), ("总铬（Cr）", "w20116"), ("总铜(Cu)", "w20122"), ("总锌", "w20123"), ("总镍", "w20121"),
    ("总铅", "w20120"), ("总铁", "w20125"),
])
def test_pollutant_names_map_to_hj212_codes(name, code):
    assert mapping.PollutantMap().get(name).code == code


def test_units_convert_to_the_pollutants_own_and_refuse_a_mismatch():
    pm = Pollutant.objects.get(code="a34013")   # mg/m³
    pm25 = Pollutant.objects.get(code="a34004")  # μg/m³
    assert mapping.concentration_factor("mg/Nm3", pm) == 1
    assert mapping.concentration_factor("μg/m³", pm) == Decimal("0.001")
    assert mapping.concentration_factor("mg/m3", pm25) == 1000
    with pytest.raises(mapping.MappingError):
        mapping.concentration_factor("mg/L", pm)
    assert mapping.annual_factor("千克/年") == Decimal("0.001") and mapping.annual_factor("") == 1
    with pytest.raises(mapping.MappingError):
        mapping.annual_factor("m³/a")


def test_choices_read_their_labels_and_write_the_first():
    assert mapping.MANAGEMENT_CLASSES.code("简化") == "simplified"
    assert mapping.FREQUENCIES.code("1次/季度") == "quarterly"
    assert mapping.AVERAGING_PERIODS.label("day") == "日均值"
    with pytest.raises(mapping.MappingError):
        mapping.METHODS.code("半自动")


def test_no_curated_name_is_the_standard_name_of_another_code():
    """The curated names (data/pollutants.csv, aliases) may reword a code's name (烟尘 → 颗粒物) but never
    take the name the HJ 212-2017 table gives another code: a code written one off would show a device's
    copper as zinc."""
    with open(DATA / "hj212_codes.csv", encoding="utf-8", newline="") as fh:
        standard = {row["code"]: row["name"] for row in csv.DictReader(fh)}
    owners: dict[str, set[str]] = {}
    for code, name in standard.items():
        owners.setdefault(name, set()).add(code)
    with open(DATA / "pollutants.csv", encoding="utf-8", newline="") as fh:
        curated = [(row["code"], row["name"]) for row in csv.DictReader(fh)]
    with open(DATA / "pollutant_aliases.csv", encoding="utf-8", newline="") as fh:
        curated += [(row["code"], BRACKETS.sub("", row["alias"].replace("（", "(").replace("）", ")")))
                    for row in csv.DictReader(fh)]
    wrong = [(code, name, owners[name]) for code, name in curated if code not in owners.get(name, {code})]
    assert wrong == []
