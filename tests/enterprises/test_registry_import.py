"""The registry import through its services: the dry run's exact per-row refusals, a committed import,
re-import as an update, renewal into a new permit version, audit with the source file, and all-or-nothing."""
import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEntry
from enterprises import selectors
from enterprises.models import Enterprise, MonitoringDuty, Outlet, Permit, PermitLimit, RegistryImport
from enterprises.services import registry_import
from enterprises.validators import credit_code_check_char
from monitoring.models import Device

from .registry_support import (
    CODE_A, CODE_B, CODE_C, CODE_D, basic_row, build_county, good_tables, registry_counts, renewed_tables,
    workbook,
)

pytestmark = pytest.mark.django_db
EMPTY = {"enterprises": 0, "permits": 0, "outlets": 0, "limits": 0, "duties": 0}


@pytest.fixture
def areas():
    return build_county()


def check(tables, name="permits.xlsx"):
    return registry_import.registry_import_check(files=[(name, workbook(tables))])


def commit(tables, name="permits.xlsx"):
    return registry_import.registry_import_commit(registry_import=check(tables, name))


def bad_code(code: str) -> str:
    wrong = "0" if code[-1] != "0" else "1"
    return code[:17] + wrong


def test_dry_run_lists_every_refused_row_exactly_and_writes_nothing(areas):
    tables = good_tables()
    broken = bad_code(CODE_C)
    tables["basic"] += [
        basic_row(broken, "PC-2024-001", "丙化工有限公司"),                                  # row 4: check digit
        basic_row(CODE_D, "PD-2024-001", "丁电镀有限公司", 中心经度=121.0),                # row 5: outside
    ]
    tables["outlets"] += [
        {"许可证编号": "PA-2024-001", "排放口编号": "DA001", "排放口类别": "废气"},            # row 5: duplicate
        {"许可证编号": "PC-2024-001", "排放口编号": "DA001", "排放口类别": "废气"},            # row 6: permit refused
    ]
    tables["limits"] += [
        {"许可证编号": "PA-2024-001", "排放口编号": "DW001", "污染物种类": "氨氮", "许可排放浓度限值": 10},  # row 6
        {"许可证编号": "PA-2024-001", "排放口编号": "DA001", "污染物种类": "二噁英类", "许可排放浓度限值": 0.1,
         "限值时段": "日均值"},                                                              # row 7
    ]
    with translation.override("en"):
        record = check(tables)
    problems = [(p["sheet"], p["row"], p["column"], p["value"], p["reason"]) for p in record.summary["problems"]]
    assert problems == [
        ("基本信息", 4, "统一社会信用代码", broken,
         f"Check digit is {broken[-1]} but should be {credit_code_check_char(broken[:17])}."),
        ("基本信息", 5, "中心经度", "121.0, 30.05", "Coordinates outside the county."),
        ("排放口", 5, "排放口编号", "DA001", "Duplicate outlet code (also in row 2)."),
        ("排放口", 6, "许可证编号", "PC-2024-001", "The permit's basic information (row 4) was refused."),
        ("许可排放限值", 6, "限值时段", "", "Limit period missing."),
        ("许可排放限值", 7, "污染物种类", "二噁英类", "Unknown pollutant."),
    ]
    assert record.status == RegistryImport.Status.CHECKED
    assert record.summary["counts"]["enterprises"] == {"create": 2, "update": 0, "unchanged": 0}
    assert record.summary["counts"]["limits"]["create"] == 4
    assert registry_counts() == EMPTY and not AuditEntry.objects.exists()
    with pytest.raises(registry_import.ImportRefused):  # the refused rows block the confirmation
        registry_import.registry_import_commit(registry_import=record)
    record.refresh_from_db()
    assert record.status == RegistryImport.Status.FAILED
    assert registry_counts() == EMPTY and not AuditEntry.objects.exists()


def test_committed_import_creates_permits_limits_and_duties(areas):
    record = commit(good_tables())
    assert record.status == RegistryImport.Status.COMMITTED
    assert registry_counts() == {"enterprises": 2, "permits": 2, "outlets": 3, "limits": 4, "duties": 4}
    a = Enterprise.objects.get(credit_code=CODE_A)
    b = Enterprise.objects.get(credit_code=CODE_B)
    assert (a.township, a.village, a.grid) == (areas["west"], areas["west_village"], areas["west_grid"])
    assert (b.township, b.grid) == (areas["east"], areas["east_grid"])  # by coordinates, no township in address
    assert b.industry.code == "C2927" and b.management_class == "simplified" and a.status == "operating"
    permit = Permit.objects.get(number="PA-2024-001")
    assert (permit.enterprise, permit.issued_on, permit.expires_on, permit.status) == (
        a, dt.date(2024, 3, 1), dt.date(2029, 2, 28), Permit.Status.VALID)
    water = Outlet.objects.get(permit=permit, code="DW001")
    assert (water.kind, water.is_main, water.receiving_water, water.online_monitored) == ("water", True, "京杭运河", True)
    assert Outlet.objects.get(permit__number="PB-2024-001").kind == "air"  # from the code DA…
    cod = PermitLimit.objects.get(outlet=water, pollutant__code="w01018")
    assert (cod.limit_value, cod.unit, cod.averaging_period, cod.annual_quantity) == (
        Decimal("80"), "mg/L", "day", Decimal("1.5"))  # 1500 kg/a is 1.5 t/a
    ph = PermitLimit.objects.get(outlet=water, pollutant__code="w01001")
    assert (ph.lower_limit, ph.limit_value, ph.averaging_period) == (Decimal(6), Decimal(9), "instant")
    noise = MonitoringDuty.objects.get(permit__number="PB-2024-001", outlet__isnull=True)
    assert (noise.pollutant.code, noise.method, noise.frequency) == ("n00000", "manual", "quarterly")
    assert MonitoringDuty.objects.get(permit=permit, outlet__code="DW001").pollutant.code == "w01018"
    # Annual quantities for the eco-code: per pollutant from the current permit.
    assert selectors.permitted_annual_quantities() == {a.pk: {"a34013": Decimal("2.5"), "w01018": Decimal("1.5")}}
    # Every created row is audited with the file it came from.
    entries = AuditEntry.objects.filter(action="create")
    assert entries.count() == 2 + 2 + 3 + 4 + 4
    assert all(f"registry import #{record.pk}: permits.xlsx (sha256 " in e.source for e in entries)
    limit_entry = entries.get(model_label="enterprises.PermitLimit", object_id=str(cod.pk))
    assert limit_entry.changes["annual_quantity"] == [None, "1.5"]


def test_second_import_of_the_same_file_changes_nothing(areas):
    commit(good_tables())
    before = (registry_counts(), AuditEntry.objects.count(), list(Enterprise.objects.values_list("updated_at")))
    again = check(good_tables())
    assert again.summary["writes"] == 0 and not again.summary["problems"]
    assert again.summary["counts"]["limits"] == {"create": 0, "update": 0, "unchanged": 4}
    assert again.summary["counts"]["permits"] == {"create": 0, "update": 0, "unchanged": 2, "renewed": 0}
    registry_import.registry_import_commit(registry_import=again)
    assert (registry_counts(), AuditEntry.objects.count(),
            list(Enterprise.objects.values_list("updated_at"))) == before


def test_a_changed_value_is_an_update_audited_with_its_file(areas):
    commit(good_tables())
    tables = good_tables()
    tables["limits"][0]["许可排放浓度限值"] = 8
    tables["basic"][1]["联系电话"] = "13900000000"
    record = check(tables, name="更新.xlsx")
    assert record.summary["counts"]["limits"] == {"create": 0, "update": 1, "unchanged": 3}
    assert record.summary["counts"]["enterprises"] == {"create": 0, "update": 1, "unchanged": 1}
    registry_import.registry_import_commit(registry_import=record)
    limit = PermitLimit.objects.get(outlet__permit__number="PA-2024-001", pollutant__code="a34013")
    assert limit.limit_value == Decimal(8)
    entry = AuditEntry.objects.get(action="update", model_label="enterprises.PermitLimit")
    assert entry.changes == {"limit_value": ["10", "8"]} and "更新.xlsx" in entry.source
    phone = AuditEntry.objects.get(action="update", model_label="enterprises.Enterprise")
    assert phone.changes == {"contact_phone": ["13800000000", "13900000000"]}


def test_a_renewed_permit_is_a_new_version_and_the_old_one_is_kept(areas):
    commit(good_tables())
    old = Permit.objects.get(number="PA-2024-001")
    logger = Device.objects.create(mn="33048300000000000000A001", outlet=old.outlets.get(code="DW001"))
    record = commit(renewed_tables())
    assert record.summary["counts"]["permits"] == {"create": 1, "update": 0, "unchanged": 1, "renewed": 1}
    a = Enterprise.objects.get(credit_code=CODE_A)
    assert list(a.permits.order_by("issued_on").values_list("number", flat=True)) == ["PA-2024-001", "PA-2029-001"]
    old.refresh_from_db()
    assert (old.status, old.issued_on, old.valid_from, old.expires_on) == (
        Permit.Status.EXPIRED, dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2029, 2, 28))
    assert old.outlets.count() == 2 and PermitLimit.objects.filter(outlet__permit=old).count() == 3  # kept
    new = Permit.objects.get(number="PA-2029-001")
    assert (new.status, new.outlets.count(), new.monitoring_duties.count()) == (Permit.Status.VALID, 2, 2)
    assert selectors.current_permit(a) == new
    expired = AuditEntry.objects.get(model_label="enterprises.Permit", object_id=str(old.pk), action="update")
    assert expired.changes == {"status": ["valid", "expired"]}
    # The data logger now reports for the new version's outlet, so its readings meet the limits in force.
    logger.refresh_from_db()
    assert logger.outlet == new.outlets.get(code="DW001")
    moved = AuditEntry.objects.get(model_label="monitoring.Device", object_id=str(logger.pk))
    assert moved.changes == {"outlet": [old.outlets.get(code="DW001").pk, logger.outlet_id]}


@pytest.mark.django_db(transaction=True)  # the import's own transaction really commits or rolls back
def test_an_import_failing_half_way_leaves_nothing_behind(areas, monkeypatch):
    record = check(good_tables())

    def broken_bulk_create(objs, *args, **kwargs):
        raise RuntimeError("disk full while writing the duties")

    # Enterprises, permits, outlets and limits are written by then; the duties fail.
    monkeypatch.setattr(MonitoringDuty.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        registry_import.registry_import_commit(registry_import=record)
    assert registry_counts() == EMPTY and not AuditEntry.objects.exists()
    record.refresh_from_db()
    assert record.status == RegistryImport.Status.FAILED
    assert "disk full" in record.summary["error"]


def test_csv_files_one_per_table_import_like_the_workbook(areas):
    book = load_workbook(io.BytesIO(workbook(good_tables())))
    files = []
    for sheet in book.worksheets:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
        encoding = "gb18030" if sheet.title == "基本信息" else "utf-8-sig"  # Excel in China saves GBK
        files.append((f"{sheet.title}.csv", out.getvalue().encode(encoding)))
    record = registry_import.registry_import_check(files=files)
    assert not record.summary["problems"]
    registry_import.registry_import_commit(registry_import=record)
    assert registry_counts() == {"enterprises": 2, "permits": 2, "outlets": 3, "limits": 4, "duties": 4}


def test_a_file_that_is_not_a_registry_is_refused_with_its_reason(areas):
    record = registry_import.registry_import_check(files=[("notes.txt", b"hello")])
    assert [p["sheet"] for p in record.summary["problems"]] == ["notes.txt"]
    record = registry_import.registry_import_check(files=[("broken.xlsx", b"PK\x03\x04 not really")])
    assert record.summary["problems"][0]["sheet"] == "broken.xlsx"
    assert registry_counts() == EMPTY


def test_the_command_dry_runs_then_commits_with_a_progress_bar(areas, tmp_path, capsys):
    path = tmp_path / "county.xlsx"
    path.write_bytes(workbook(good_tables()))
    call_command("import_permits", str(path))
    assert registry_counts() == EMPTY
    call_command("import_permits", str(path), "--commit")
    out = capsys.readouterr()
    assert registry_counts()["limits"] == 4
    assert "importing" in out.err and "100%" in out.err  # the tqdm bar
    bad = good_tables()
    bad["basic"][0]["统一社会信用代码"] = bad_code(CODE_A)
    path.write_bytes(workbook(bad))
    with pytest.raises(CommandError, match="refused rows; nothing written"):
        call_command("import_permits", str(path), "--commit")


def test_an_outlet_just_over_the_county_line_is_accepted_near_its_enterprise(areas):
    tables = good_tables()
    tables["basic"][0]["中心经度"] = 120.001  # A sits by the western county line
    tables["outlets"][0]["经度"] = 119.9995     # its stack ~150 m away, over the line: accepted
    tables["outlets"][1].update({"经度": 119.98, "纬度": 30.05})  # 2 km out: refused
    with translation.override("en"):
        problems = check(tables).summary["problems"]
    assert [(p["sheet"], p["row"], p["reason"]) for p in problems][0] == (
        "排放口", 3, "Coordinates outside the county.")


def test_a_confirmation_after_the_registry_changed_writes_nothing(areas):
    first = check(good_tables())
    second = check(good_tables())  # both dry runs see an empty registry
    registry_import.registry_import_commit(registry_import=first)
    written = (registry_counts(), AuditEntry.objects.count())
    with pytest.raises(registry_import.CheckOutdated):
        registry_import.registry_import_commit(registry_import=second)  # would now do something else
    second.refresh_from_db()
    assert second.status == RegistryImport.Status.FAILED and second.summary["error"]
    assert (registry_counts(), AuditEntry.objects.count()) == written


def test_a_permit_number_of_another_enterprise_is_refused_with_its_rows(areas):
    commit(good_tables())
    tables = good_tables()
    tables["basic"][1]["许可证编号"] = "PA-2024-001"  # B claims A's permit
    tables["basic"][0]["许可证编号"] = "PA-2024-009"
    for table in ("outlets", "limits", "duties"):
        for row in tables[table]:
            row["许可证编号"] = {"PA-2024-001": "PA-2024-009", "PB-2024-001": "PA-2024-001"}[row["许可证编号"]]
    with translation.override("en"):
        summary = check(tables).summary
    assert [(p["sheet"], p["row"], p["column"], p["reason"]) for p in summary["problems"]] == [
        ("基本信息", 3, "许可证编号", f"This permit number belongs to another enterprise ({CODE_A}).")]
    assert summary["counts"]["enterprises"]["unchanged"] == 1  # B's rows are left out of the plan
    assert summary["counts"]["outlets"] == {"create": 2, "update": 0, "unchanged": 0}  # A's, under its new number


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_import_once(areas):
    record = check(good_tables())
    outcomes = []

    def confirm():
        try:
            registry_import.registry_import_commit(registry_import=RegistryImport.objects.get(pk=record.pk))
            outcomes.append("imported")
        except registry_import.AlreadyHandled:
            outcomes.append("already handled")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already handled", "imported"]
    record.refresh_from_db()
    assert record.status == RegistryImport.Status.COMMITTED
    assert registry_counts() == {"enterprises": 2, "permits": 2, "outlets": 3, "limits": 4, "duties": 4}
    assert AuditEntry.objects.count() == 15
