"""The registry import pages as bureau staff use them (upload, dry run with refused rows, confirm,
templates, export), who else is turned away, and screenshots at desktop and phone size. A confirmation
queues the import for the imports worker; these tests then run that task here (tests/test_queue_isolation.py
runs it on a real worker)."""
import io
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.models import Enterprise, RegistryImport, Role
from enterprises.tasks import commit_registry_import
from tests import factories as f
from tests.browsers import CHROMIUM, launch

from .registry_support import CODE_A, build_county, good_tables, registry_counts, renewed_tables, workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bureau(client):
    build_county()
    client.force_login(f.user(Role.BUREAU))
    return client


@pytest.fixture
def confirm(bureau, django_capture_on_commit_callbacks):
    """Confirm an import on its page: it is queued (once, whatever the clicks) and the page says it is
    being written; then the task the imports worker would run."""
    def confirm(pk: int):
        with django_capture_on_commit_callbacks() as queued:
            for _ in range(2):
                assert bureau.post(reverse("enterprises:registry-commit", args=[pk])).status_code == 302
        assert len(queued) == 1
        assert RegistryImport.objects.get(pk=pk).status == RegistryImport.Status.QUEUED
        assert "正在写入" in bureau.get(reverse("enterprises:registry-import", args=[pk])).content.decode()
        commit_registry_import(pk)
    return confirm


def upload(client, tables, name="许可证.xlsx"):
    return client.post(reverse("enterprises:registry"),
                       {"files": SimpleUploadedFile(name, workbook(tables), content_type=XLSX)})


def test_bureau_checks_a_file_sees_the_refused_rows_in_chinese_and_nothing_is_written(bureau, confirm):
    page = bureau.get(reverse("enterprises:registry"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "登记导入" in html and "导出" in html and "Registry" not in html
    tables = good_tables()
    tables["limits"][0]["限值时段"] = ""
    response = upload(bureau, tables)
    record = RegistryImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("enterprises:registry-import", args=[record.pk])
    html = bureau.get(response.url).content.decode()
    assert "缺少限值时段" in html and "许可排放限值" in html and "确认导入" not in html
    assert registry_counts()["enterprises"] == 0
    confirm(record.pk)
    assert registry_counts()["enterprises"] == 0
    assert RegistryImport.objects.get().status == RegistryImport.Status.FAILED


def test_bureau_confirms_a_clean_file_and_the_registry_is_written(bureau, confirm):
    response = upload(bureau, good_tables())
    html = bureau.get(response.url).content.decode()
    assert "确认导入" in html and "新增" in html
    record = RegistryImport.objects.get()
    confirm(record.pk)
    record.refresh_from_db()
    assert record.status == RegistryImport.Status.COMMITTED
    assert registry_counts() == {"enterprises": 2, "permits": 2, "outlets": 3, "limits": 4, "duties": 4}
    assert "已导入" in bureau.get(response.url).content.decode()
    again = upload(bureau, good_tables())
    assert "与现有登记一致" in bureau.get(again.url).content.decode()
    # The enterprise's permit on the one map shows the annual permitted quantities.
    a = Enterprise.objects.get(credit_code=CODE_A)
    panel = bureau.get(reverse("dashboard:enterprise-panel", args=[a.pk])).json()
    assert panel["permit"]["annual_quantities"] == [{"name": "颗粒物", "tonnes": 2.5}, {"name": "化学需氧量", "tonnes": 1.5}]
    assert "登记导入" in bureau.get(reverse("dashboard:map")).content.decode()  # the bureau's way in


def test_after_a_renewal_the_map_panel_shows_the_permit_in_force(bureau, confirm):
    for tables in (good_tables(), renewed_tables()):
        upload(bureau, tables)
        confirm(RegistryImport.objects.latest("pk").pk)
    a = Enterprise.objects.get(credit_code=CODE_A)
    panel = bureau.get(reverse("dashboard:enterprise-panel", args=[a.pk])).json()
    assert panel["permit"]["number"] == "PA-2029-001"
    assert sorted((l["outlet"], l["pollutant"]) for l in panel["limits"]) == [
        ("DA001", "a34013"), ("DW001", "w01001"), ("DW001", "w01018")]  # not the earlier version's too


def test_the_refused_rows_download_as_csv(bureau):
    tables = good_tables()
    tables["limits"][0]["污染物种类"] = "二噁英类"
    record_url = upload(bureau, tables).url
    pk = int(record_url.rstrip("/").split("/")[-1])
    body = bureau.get(reverse("enterprises:registry-problems", args=[pk])).content.decode("utf-8-sig")
    assert body.splitlines() == ["工作表,行,列,数值,原因", "许可排放限值,2,污染物种类,二噁英类,无法识别的污染物。"]


def test_templates_and_export_download_as_workbooks(bureau, confirm):
    upload(bureau, good_tables())
    confirm(RegistryImport.objects.get().pk)
    template = bureau.get(reverse("enterprises:registry-template"))
    assert template["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(template.content)).sheetnames[:4] == ["基本信息", "排放口", "许可排放限值", "自行监测要求"]
    csv = bureau.get(reverse("enterprises:registry-template-csv", args=["limits"]))
    assert csv.content.decode("utf-8-sig").startswith("许可证编号,排放口编号,污染物种类")
    assert bureau.get(reverse("enterprises:registry-template-csv", args=["nope"])).status_code == 404
    export = bureau.get(reverse("enterprises:registry-export"))
    sheet = load_workbook(io.BytesIO(export.content))["基本信息"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)].count(CODE_A) == 1


@pytest.mark.parametrize("role", [Role.ENFORCEMENT, Role.TOWNSHIP, Role.GRID, Role.ENTERPRISE])
def test_other_roles_are_turned_away(client, role):
    areas = build_county()
    binding = {Role.TOWNSHIP: {"township": areas["west"]}, Role.GRID: {"grid": areas["west_grid"]},
               Role.ENTERPRISE: {"enterprise": f.enterprise(areas["west"])}}.get(role, {})
    client.force_login(f.user(role, **binding))
    record = RegistryImport.objects.create(file_names="x.xlsx", summary={"counts": {}, "problems": [], "writes": 0})
    for url in (reverse("enterprises:registry"), reverse("enterprises:registry-import", args=[record.pk]),
                reverse("enterprises:registry-template"), reverse("enterprises:registry-export"),
                reverse("enterprises:registry-problems", args=[record.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("enterprises:registry-commit", args=[record.pk])).status_code == 403


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(reverse("enterprises:registry"))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")
def test_screenshots_of_the_pages_at_desktop_and_phone_size(live_server, transactional_db):
    from django.test import Client
    from playwright.sync_api import sync_playwright

    build_county()
    client = Client()
    client.force_login(f.user(Role.BUREAU))
    tables = good_tables()
    tables["limits"][1]["限值时段"] = ""
    tables["basic"][1]["中心经度"] = 121.3
    refused = client.post(reverse("enterprises:registry"),
                          {"files": SimpleUploadedFile("桐乡市许可证.xlsx", workbook(tables), content_type=XLSX)}).url
    clean = client.post(reverse("enterprises:registry"),
                        {"files": SimpleUploadedFile("桐乡市许可证-修正.xlsx", workbook(good_tables()),
                                                     content_type=XLSX)}).url
    session = client.cookies["sessionid"].value
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            for label, viewport in (("desktop", {"width": 1400, "height": 900}),
                                    ("phone", {"width": 390, "height": 844})):
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
                page = context.new_page()
                page.goto(f"{live_server.url}{reverse('enterprises:registry')}")
                assert "登记导入" in page.inner_text("h1")
                page.screenshot(path=str(ARTIFACTS / f"registry-{label}.png"), full_page=True)
                page.goto(f"{live_server.url}{refused}")
                assert page.locator("#problems tr").count() == 1 + 6  # two bad rows, four rows hanging on B
                page.screenshot(path=str(ARTIFACTS / f"registry-refused-{label}.png"), full_page=True)
                page.goto(f"{live_server.url}{clean}")
                page.screenshot(path=str(ARTIFACTS / f"registry-check-{label}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    assert (ARTIFACTS / "registry-refused-phone.png").stat().st_size > 10_000
