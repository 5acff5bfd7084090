"""One-click reports for a hand-built enterprise whose data came in as HJ 212 packets: completeness,
averages, exceedances on the permit's own averaging period and emissions per outlet and pollutant, in the PDF (Chinese text
extracted back) and in the Excel file, and the county summary; pages refuse other jurisdictions."""
import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from alerts.services import evaluation
from core import clock
from enterprises.models import Role
from outreach.reports import data, layout, pdf, xlsx
from tests import factories as f
from tests.monitoring.ingest_support import TZ, data_frame, device

from .report_support import T0, ingest_packets

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 1)
AFTER = dt.datetime(2025, 3, 2, 6, 0, tzinfo=TZ)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _row(report, code):
    [row] = [r for r in report.monitoring if r.pollutant_code == code]
    return row


def test_figures_of_the_report(plant):
    with clock.frozen(AFTER):
        report = data.enterprise_report(plant, DAY, DAY)
    cod, nh3 = _row(report, "w01018"), _row(report, "w21003")
    assert (cod.expected_hours, cod.valid_hours, cod.exceedances, cod.averaging_period) == (24, 10, 2, "小时均值")
    assert cod.completeness == pytest.approx(10 / 24) and nh3.completeness == pytest.approx(6 / 24)
    assert cod.average == pytest.approx(70) and cod.peak == 150
    assert nh3.exceedances == 0 and nh3.average == pytest.approx(5)
    assert cod.emission == pytest.approx(25.0) and nh3.emission == pytest.approx(0.6)
    assert cod.permitted_quantity is None
    assert [(r["rule"], r["total"], r["open"]) for r in report.warnings_by_rule] == [("exceedance", 1, 1)]
    [warning] = report.warnings
    assert (warning["outlet"], warning["pollutant"], warning["peak"]) == ("DW001", "化学需氧量", 150)


def test_a_daily_limit_is_judged_on_the_day_not_on_one_bad_hour():
    """COD ≤ 100 as a daily average: one hour at 300 among 23 at 40 keeps the day at 48.3, no violation;
    the hour stays visible as the peak."""
    ent = f.enterprise(f.township("日均镇"), name="桐乡日均限值测试印染有限公司")
    outlet = f.outlet(f.permit(ent), limits={"w01018": 100})
    outlet.limits.update(averaging_period="day")
    dev = device(outlet)
    for hour in range(24):
        at = T0 + dt.timedelta(hours=hour)
        cod = 300 if hour == 10 else 40
        ingest_packets([data_frame(dev.mn, at, {"w01018": {"Avg": cod, "Cou": 2.0}}, cn="2061")],
                at + dt.timedelta(minutes=6))
    with clock.frozen(T0 + dt.timedelta(days=1, minutes=5)):
        evaluation.evaluate()  # the cycle after the day completed judges the day
    with clock.frozen(AFTER):
        report = data.enterprise_report(ent, DAY, DAY)
    cod = _row(report, "w01018")
    assert (cod.valid_hours, cod.peak, cod.averaging_period, cod.exceedances) == (24, 300, "日均值", 0)
    assert cod.average == pytest.approx((300 + 23 * 40) / 24)


def test_pdf_embeds_the_font_and_reads_back_in_chinese(plant):
    with clock.frozen(AFTER):
        report = data.enterprise_report(plant, DAY, DAY)
        content = pdf.render("企业监测报表", layout.enterprise_header(report), layout.enterprise_sections(report))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "outreach-report.pdf").write_bytes(content)  # for a look: pdftoppm -png -r 80
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("桐乡报表测试化工有限公司", "化学需氧量", "氨氮", "41.7%", "25", "0.6"):
        assert words in text, words
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    descriptor = fonts[0].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # the TrueType glyphs are embedded
    assert "WenQuanYi" in str(descriptor["/FontName"]) or "wqy" in str(descriptor["/FontName"]).lower()


def test_a_large_table_is_drawn_one_line_per_row_and_reads_back():
    """Beyond ``pdf.WRAPPED_ROWS`` rows a table is drawn line by line: every row's text comes back, in
    order, numbers as the layout displays them, a name too long for its column cut with an ellipsis."""
    n = pdf.WRAPPED_ROWS + 40
    section = layout.Section("企业", [layout.Column("企业", width=2), layout.Column("完整率", layout.PCT),
                                     layout.Column("预警", layout.INT)],
                             [[f"桐乡测试企业{k:04d}" + ("很长的名称" * 20 if k == 7 else ""), k / n, k]
                              for k in range(n)])
    reader = PdfReader(io.BytesIO(pdf.render("汇总", [("范围", "全县")], [section])))
    text = "".join(page.extract_text() for page in reader.pages)
    positions = [text.index(f"桐乡测试企业{k:04d}") for k in range(n)]
    assert positions == sorted(positions)
    assert f"{(n - 1) / n:.1%}" in text and f"{n - 1}" in text
    assert "很长的名称" * 20 not in text and "…" in text
    assert len(reader.pages) > 5


def test_excel_holds_the_same_numbers(plant):
    with clock.frozen(AFTER):
        report = data.enterprise_report(plant, DAY, DAY)
        content = xlsx.render("企业监测报表", layout.enterprise_header(report), layout.enterprise_sections(report))
    book = load_workbook(io.BytesIO(content))
    sheet = book[book.sheetnames[1]]
    headings = [c.value for c in sheet[1]]
    rows = {r[1]: dict(zip(headings, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    cod = rows["化学需氧量"]
    assert cod["完整率"] == pytest.approx(10 / 24) and cod["超标次数"] == 2
    assert cod["平均值"] == pytest.approx(70) and cod["排放量（千克；流量为立方米）"] == pytest.approx(25.0)
    assert rows["氨氮"]["超标次数"] == 0 and rows["氨氮"]["排放量（千克；流量为立方米）"] == pytest.approx(0.6)
    assert book["概况"]["B2"].value == "桐乡报表测试化工有限公司"


def test_county_summary_counts_per_enterprise(plant):
    quiet = f.enterprise(plant.township, name="无数据企业")
    f.outlet(f.permit(quiet), limits={"w01018": 100})
    from enterprises.models import Enterprise

    with clock.frozen(AFTER):
        summary = data.county_summary(Enterprise.objects.filter(pk__in=[plant.pk, quiet.pk]), DAY, DAY)
    rows = {r["name"]: r for r in summary.rows}
    assert rows["桐乡报表测试化工有限公司"]["completeness"] == pytest.approx(16 / 48)
    assert rows["桐乡报表测试化工有限公司"]["exceedances"] == 2
    assert rows["无数据企业"]["completeness"] == 0 and rows["无数据企业"]["warnings"] == 0
    assert summary.totals["completeness"] == pytest.approx(16 / 72)


def test_report_pages_check_role_and_jurisdiction(plant):
    own, other = Client(), Client()
    own.force_login(f.user(Role.ENTERPRISE, enterprise=plant))
    other.force_login(f.user(Role.ENTERPRISE, enterprise=f.enterprise()))
    township_elsewhere = Client()
    township_elsewhere.force_login(f.user(Role.TOWNSHIP, township=f.township()))
    query = {"start": "2025-03-01", "end": "2025-03-01"}
    with clock.frozen(AFTER):
        got = own.get(f"/outreach/reports/enterprise/{plant.pk}.pdf", query)
        assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
        got = own.get(f"/outreach/reports/enterprise/{plant.pk}.xlsx", query)
        assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")
        assert other.get(f"/outreach/reports/enterprise/{plant.pk}.pdf", query).status_code == 404
        assert township_elsewhere.get(f"/outreach/reports/enterprise/{plant.pk}.pdf", query).status_code == 404
        assert own.get("/outreach/reports/county.xlsx", query).status_code == 403
        assert own.get(f"/outreach/reports/enterprise/{plant.pk}.pdf",
                       {"start": "2025-03-02", "end": "2025-03-01"}).status_code == 400
