"""Objections and credit repair: the enterprise contests or asks to lift a deduction, township or bureau
staff decide within the deadline with a reason, an accepted decision rescores at once and is audited,
and credit repair follows its stated rules — through the pages and the API."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEntry
from ecocode.models import CreditRepair, Objection
from ecocode.services import reviews, scoring
from core import clock
from tests import factories as f

from .conftest import NOW
from .helpers import missing_annual_report, on_time_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged(now):
    """An enterprise charged by R17 (annual report still missing after 90 days: yellow)."""
    town = f.township()
    ent = f.enterprise(town)
    perm = f.permit(ent)
    on_time_report(perm)
    missing = missing_annual_report(perm)
    score = scoring.score_enterprise(ent)
    assert score.colour == "yellow"
    return ent, town, missing


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _file(name="回执.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 receipt", content_type="application/pdf")


def test_an_accepted_objection_rescores_at_once_and_is_audited(charged):
    ent, town, missing = charged
    account = f.user("enterprise", enterprise=ent)
    page = _client(account).post(f"/ecocode/enterprise/{ent.pk}/objections/new/?code=R17",
                                 {"reasons": "该年度报告已于1月10日线下提交，附回执。", "files": [_file()]})
    objection = Objection.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/ecocode/reviews/objection/{objection.pk}/"
    assert objection.episodes == [f"report:{missing.pk}"] and objection.attachments.count() == 1
    assert objection.review_due_at == NOW + dt.timedelta(days=reviews.REVIEW_DAYS)

    officer = f.user("township", township=town)
    assert _client(f.user("township", township=f.township())).post(
        f"/ecocode/reviews/objection/{objection.pk}/", {"decision": "accept", "reason": "回执属实"}).status_code == 403
    decided = _client(officer).post(f"/ecocode/reviews/objection/{objection.pk}/",
                                    {"decision": "accept", "reason": "回执属实，报告已按时线下提交。"})
    assert decided.status_code == 302
    objection.refresh_from_db()
    assert (objection.state, objection.reviewed_by, objection.decision_reason) == (
        "accepted", officer, "回执属实，报告已按时线下提交。")
    assert (objection.rescore.score, objection.rescore.colour) == (100, "green")     # rescored at once
    assert ent.eco_code.__class__.objects.get(enterprise=ent).colour == "green"
    r07 = next(e for e in objection.rescore.explanation if e["code"] in ("R17", "R07"))
    assert r07["points"] == 0 and r07["relieved"][0]["by"] == f"异议 #{objection.pk}"
    trail = AuditEntry.objects.filter(model_label="ecocode.Objection", object_id=str(objection.pk)).order_by("id")
    assert [t.action for t in trail][:2] == ["create", "update"]
    assert trail[1].changes["state"] == ["submitted", "accepted"] and trail[1].actor == officer
    html = _client(account).get(f"/ecocode/reviews/objection/{objection.pk}/").content.decode()
    assert "已采纳" in html and "回执属实" in html and "审计记录" in html               # the enterprise sees it all


def test_a_rejected_objection_keeps_the_score_and_needs_a_reason(charged):
    ent, town, _ = charged
    objection = reviews.objection_submit(enterprise=ent, code="R17", reasons="我们认为该报告不应计为缺失。",
                                         user=f.user("enterprise", enterprise=ent))
    with pytest.raises(Exception):
        reviews.decide(objection, user=f.bureau_user(), accept=False, reason="")
    reviews.decide(objection, user=f.bureau_user(), accept=False, reason="平台无提交记录，理由不成立。")
    objection.refresh_from_db()
    assert (objection.state, objection.rescore) == ("rejected", None)
    assert ent.eco_scores.count() == 1


def test_objections_only_to_charged_deductions_and_only_by_the_enterprise(charged):
    ent, town, _ = charged
    account = f.user("enterprise", enterprise=ent)
    assert _client(account).get(f"/ecocode/enterprise/{ent.pk}/objections/new/?code=M30").status_code == 404
    assert _client(f.user("township", township=town)).get(
        f"/ecocode/enterprise/{ent.pk}/objections/new/?code=R17").status_code == 403
    short = _client(account).post(f"/ecocode/enterprise/{ent.pk}/objections/new/?code=R17", {"reasons": "不对"})
    assert short.status_code == 400 and not Objection.objects.exists()


def test_credit_repair_follows_its_rules(charged):
    ent, town, missing = charged
    account = f.user("enterprise", enterprise=ent)
    early = reviews.repair_eligibility(ent, "R17")                # R17 caps the colour: 180 days after the record
    assert not early.ok and early.earliest == missing.due_on + dt.timedelta(days=reviews.WAIT_DAYS_CAPPED)
    assert _client(account).post(f"/ecocode/enterprise/{ent.pk}/repairs/new/?code=R17", {
        "correction": "已补交2025年度执行报告并经审核。", "corrected_on": "2026-06-01",
        "reasons": "已整改完毕，申请信用修复。", "files": [_file()]}).status_code == 200
    assert not CreditRepair.objects.exists()

    later = NOW + dt.timedelta(days=40)                           # 191 days after the due date
    with clock.frozen(later):
        scoring.score_enterprise(ent)
        assert reviews.repair_eligibility(ent, "R17").ok
        without_evidence = _client(account).post(f"/ecocode/enterprise/{ent.pk}/repairs/new/?code=R17", {
            "correction": "已补交2025年度执行报告并经审核。", "corrected_on": "2026-06-01",
            "reasons": "已整改完毕，申请信用修复。"})
        assert without_evidence.status_code == 400 and "证明材料" in without_evidence.content.decode()
        applied = _client(account).post(f"/ecocode/enterprise/{ent.pk}/repairs/new/?code=R17", {
            "correction": "已补交2025年度执行报告并经审核。", "corrected_on": "2026-06-01",
            "reasons": "已整改完毕，申请信用修复。", "files": [_file()]})
        repair = CreditRepair.objects.get()
        assert applied.status_code == 302 and repair.episodes == [f"report:{missing.pk}"]
        assert not reviews.repair_eligibility(ent, "R17").ok      # one open application at a time
        reviews.decide(repair, user=f.user("township", township=town), accept=True, reason="补交报告已核实。")
        repair.refresh_from_db()
        assert repair.rescore.colour == "green"
    assert AuditEntry.objects.filter(model_label="ecocode.CreditRepair", object_id=str(repair.pk)).count() >= 2


def test_red_capped_deductions_are_not_repairable(now):
    ent = f.enterprise()
    f.permit(ent, status="revoked")
    scoring.score_enterprise(ent)                                 # M46: permit revoked, at best red
    eligibility = reviews.repair_eligibility(ent, "M46")
    assert not eligibility.ok and any("红码" in r for r in eligibility.reasons)


def test_objection_api(charged):
    ent, town, missing = charged
    client = APIClient()
    client.force_authenticate(f.user("enterprise", enterprise=ent))
    filed = client.post("/api/v1/ecocode/objections/", {"indicator_code": "R17", "reasons": "该报告已线下提交，附回执。",
                                                        "files": [_file()]}, format="multipart")
    assert filed.status_code == 201 and filed.json()["attachments"] == ["回执.pdf"]
    pk = filed.json()["id"]
    assert client.post(f"/api/v1/ecocode/objections/{pk}/decide/", {"accept": True, "reason": "自己审核"},
                       format="json").status_code == 403
    staff = APIClient()
    staff.force_authenticate(f.user("township", township=town))
    decided = staff.post(f"/api/v1/ecocode/objections/{pk}/decide/", {"accept": True, "reason": "回执属实。"},
                         format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "accepted" and decided.json()["rescore"]
    assert client.post("/api/v1/ecocode/objections/", {"indicator_code": "M30", "reasons": "没有这项扣分的异议。"},
                       format="json").status_code == 400
