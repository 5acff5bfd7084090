"""What users see of the evidence: the explanation page in zh-Hans with each deduction's records and
links, a record's own page, the insufficient-data list for the township, the calibration report (page and
command) for bureau staff, and the reviewers' queue."""
import io

import pytest
from django.core.management import call_command
from django.test import Client

from alerts.models import Exceedance
from ecocode.services import reviews, scoring
from enterprises.pollutant_values import value_text
from tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_explanation_page_shows_each_deduction_with_its_records_in_chinese(plant):
    ent, out, cod, alert, complaint = plant
    scoring.score_enterprise(ent)
    html = _client(f.user("enterprise", enterprise=ent)).get(f"/ecocode/enterprise/{ent.pk}/").content.decode()
    assert 'lang="zh-hans"' in html and 'id="deductions"' in html
    assert "近30日废水超标1倍以上" in html and "超标记录" in html
    spike = Exceedance.objects.get(value=250)
    assert f'href="/ecocode/records/exceedance/{spike.pk}/"' in html
    assert f'href="/alerts/{alert.pk}/"' in html and "公众投诉" in html
    assert "已在 S15 扣分" in html and "同一事实不重复扣分" in html                  # one fact, one charge
    assert "近 30 日收到公众投诉 1 件" in html                                     # the reason, in Chinese
    assert f"/ecocode/enterprise/{ent.pk}/objections/new/?code=S15" in html and "提出异议" in html
    for english in ("hourly average", "already charged", "warning(s)", "Why points"):
        assert english not in html


def test_a_record_page_opens_for_whom_the_enterprise_is_visible(plant):
    ent, out, cod, alert, complaint = plant
    scoring.score_enterprise(ent)
    hours = f"/ecocode/records/exceedance/{Exceedance.objects.get(value=250).pk}/"
    html = _client(f.user("township", township=ent.township)).get(hours).content.decode()
    spike = Exceedance.objects.get(value=250)
    assert value_text(250.0, cod, spike.unit) in html and 'class="over"' in html and "小时均值" in html
    complaint_page = _client(f.user("enterprise", enterprise=ent)).get(f"/ecocode/records/complaint/{complaint.pk}/")
    assert complaint_page.status_code == 200 and "河里有异味" in complaint_page.content.decode()
    assert _client(f.user("township", township=f.township())).get(hours).status_code == 403
    assert _client(f.bureau_user()).get("/ecocode/records/nonsense/1/").status_code == 404


def test_the_township_lists_its_enterprises_with_insufficient_data(now):
    town = f.township()
    idle = f.enterprise(town, name="数据不足测试企业")
    f.permit(idle)
    scoring.score_all()
    html = _client(f.user("township", township=town)).get("/ecocode/insufficient/").content.decode()
    assert "数据不足测试企业" in html and "数据不足、无法评分的企业" in html
    assert "数据不足测试企业" not in _client(f.user("township", township=f.township())).get(
        "/ecocode/insufficient/").content.decode()
    detail = _client(f.user("township", township=town)).get(f"/ecocode/enterprise/{idle.pk}/").content.decode()
    assert "badge grey" in detail and "数据不足，无法评分" in detail


def test_calibration_report_page_and_command(plant):
    ent, *_ = plant
    idle = f.enterprise()
    f.permit(idle)
    scoring.score_all()
    html = _client(f.bureau_user()).get("/ecocode/calibration/").content.decode()
    assert "颜色分布" in html and "分值依据" in html and "局务会决定" in html
    assert "S15" in html and "无数据来源、未评分的规则" in html
    unavailable = html.split("无数据来源、未评分的规则", 1)[1]
    assert "R13、R14、R15、R20" in unavailable             # no report declares its emissions
    assert "M33" not in unavailable                       # penalties: the case register exists
    assert _client(f.user("township", township=ent.township)).get("/ecocode/calibration/").status_code == 403
    out = io.StringIO()
    call_command("ecocode_calibration", stdout=out)
    text = out.getvalue()
    assert "颜色分布" in text and "数据不足，无法评分" in text and "S15" in text and "×0.5" in text
    orange = next(line for line in text.splitlines() if line.strip().startswith("orange") or "橙" in line)
    assert "1 家" in orange


def test_reviewers_see_their_queue_with_deadlines(plant):
    ent, *_ = plant
    scoring.score_enterprise(ent)
    objection = reviews.objection_submit(enterprise=ent, code="M30", reasons="该投诉经核实与本企业无关。",
                                         user=f.user("enterprise", enterprise=ent))
    html = _client(f.user("township", township=ent.township)).get("/ecocode/reviews/").content.decode()
    assert f"/ecocode/reviews/objection/{objection.pk}/" in html and "M30" in html
    assert _client(f.user("enterprise", enterprise=ent)).get("/ecocode/reviews/").status_code == 403
