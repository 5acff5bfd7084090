"""The two-township county of the API tests (tests/api/conftest.py: users of every role in township A,
enterprise B in township B), plus one object of every other kind in township B, so every URL pattern can be
filled with another jurisdiction's objects. Enterprise B gets a distinctive name to look for in pages."""
import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile

from alerts.models import Silence
from core import clock
from dispatch.models import Attachment, Campaign, Complaint, Feedback, Round
from dispatch.services import checklists
from ecocode.models import ColourChange, CreditRepair, Objection, ReviewAttachment, Score
from ecocode.services import scoring
from enforcement.models import Inspection, InspectionPlan, PlannedInspection
from enforcement.services import device_checks, joint
from enterprises.models import Role
from fieldsync.models import RoundDraft
from monitoring.models import Station
from outreach.models import BankQuestion
from outreach.services import articles, assessments, exams, healthchecks, questions
from tests import factories as f
from tests.api.conftest import T0, _fast_passwords_and_fresh_throttles, world  # noqa: F401 (fixtures)

B_NAME = "乙方秘密企业"


def _waste_of_b(w):
    """A transfer manifest of enterprise B (carried and received by two firms of township B) and its
    warning. Carriers and receiving facilities are the county's public directory: every producer's
    drafting form lists them."""
    from tests import factories as f
    from waste.models import Facility, Manifest, Vehicle, WasteAlert, WasteCategory

    facility = Facility.objects.create(name="乙热电", operator=f.enterprise(w.town_b), latitude=30.06,
                                       longitude=120.06)
    carrier = f.enterprise(w.town_b)
    vehicle = Vehicle.objects.create(plate="浙F0000B", carrier=carrier)
    manifest = Manifest.objects.create(
        number="B-MANIFEST-1", producer=w.ent_b, category=WasteCategory.objects.get(code="SW02"), quantity=5,
        unit="t", packaging="bulk", carrier=carrier, vehicle=vehicle, receiver=facility, planned_departure=T0,
        planned_arrival=T0 + dt.timedelta(hours=1), created_at=T0)
    alert = WasteAlert.objects.create(manifest=manifest, enterprise=w.ent_b, rule="refused", opened_at=T0,
                                      last_seen_at=T0)
    return manifest, alert


@pytest.fixture
def county(world):  # noqa: F811
    w = world
    with clock.frozen(T0):
        w.ent_b.name = B_NAME
        w.ent_b.save(update_fields=["name"])
        w.permit_b = w.out_b.permit
        w.station_b = Station.objects.create(code="ST-B", name="乙镇站", township=w.town_b, latitude=30.05,
                                             longitude=120.05)
        w.silence_b = Silence.objects.create(outlet=w.out_b, enterprise=w.ent_b, starts_at=T0,
                                             ends_at=T0 + dt.timedelta(hours=2), reason="检修",
                                             created_by=w.users["bureau"], created_at=T0)
        w.feedback_b = Feedback.objects.create(work_order=w.order_b, client_uuid=uuid.uuid4(), text="乙整改",
                                               declared_files=1, submitted_by=w.users["township_b"], submitted_at=T0)
        w.attachment_b = Attachment.objects.create(
            feedback=w.feedback_b, file=ContentFile(b"\xff\xd8evidence-of-b", name="p.jpg"),
            content_type="image/jpeg", size=15, sha256="0" * 64, uploaded_by=w.users["township_b"], uploaded_at=T0)
        w.checklist_b = checklists.checklist_build(permit=w.permit_b)
        w.round_b = Round.objects.create(kind="inspection", enterprise=w.ent_b, township=w.town_b,
                                         checklist=w.checklist_b, client_uuid=uuid.uuid4(), submitted_at=T0,
                                         performed_by=w.users["enforcement"])
        w.campaign_b = Campaign.objects.create(title="乙镇自查", township=w.town_b, created_by=w.users["township_b"],
                                               created_at=T0)
        w.draft_b = RoundDraft.objects.create(kind="self_check", checklist=w.checklist_b, enterprise=w.ent_b,
                                              started_by=w.users["ent_b"], started_at=T0, updated_at=T0)
        scoring.score_enterprise(w.ent_b)
        w.change_b = ColourChange.objects.filter(enterprise=w.ent_b).first() or ColourChange.objects.create(
            enterprise=w.ent_b, from_colour="green", to_colour="yellow", score=Score.objects.filter(
                enterprise=w.ent_b).latest("id"), changed_at=T0)
        w.case_b = f.decided_case(w.ent_b, number="乙罚〔2026〕1号", decided_on=T0.date(), amount=1000,
                                  facts="内部备注乙")
        w.inspection_b = Inspection.objects.create(enterprise=w.ent_b, mode="on_site", round=w.round_b,
                                                   recorded_by=w.users["enforcement"], started_at=T0, ended_at=T0)
        w.joint_b = joint.joint_inspection_invite(user=w.users["enforcement"], enterprise=w.ent_b,
                                                  planned_on=T0.date(), purpose="乙企业联合检查",
                                                  townships=[w.town_b])
        w.joint_part_b = w.joint_b.parts.get(township=w.town_b)
        w.device_check_b = device_checks.device_check_record(
            user=w.users["enforcement"], device=w.out_b.devices.get(), kind="comparison", operator="乙运维公司",
            performed_at=T0, passed=False, findings="乙比对不合格")
        w.planned_b = PlannedInspection.objects.create(
            plan=InspectionPlan.objects.create(year=T0.year, month=T0.month), enterprise=w.ent_b, mode="on_site",
            lead_officer=w.users["enforcement"], second_officer=f.user(Role.ENFORCEMENT))
        score_b = Score.objects.filter(enterprise=w.ent_b).latest("id")
        review = {"enterprise": w.ent_b, "score": score_b, "indicator_code": "M30", "reasons": "乙企业异议理由",
                  "submitted_by": w.users["ent_b"], "submitted_at": T0, "review_due_at": T0 + dt.timedelta(days=15)}
        w.objection_b = Objection.objects.create(**review)
        w.repair_b = CreditRepair.objects.create(**review, correction="乙企业整改情况", corrected_on=T0.date())
        w.review_attachment_b = ReviewAttachment.objects.create(
            objection=w.objection_b, file=ContentFile(b"%PDF-b", name="b.pdf"), name="b.pdf", uploaded_at=T0)
        Complaint.objects.filter(pk=w.complaint_b.pk).update(contact="13911112222")
        w.complaint_b.refresh_from_db()
        w.manifest_b, w.waste_alert_b = _waste_of_b(w)
        _outreach_b(w)
    # What a page of someone outside township B must never contain.
    w.canaries = [B_NAME, w.ent_b.credit_code, w.manifest_b.number, "乙企业问题", "乙企业异味", "给township_b的消息",
                  "给ent_b的消息", "乙整改", "乙罚〔2026〕1号", w.out_b.devices.get().mn, "乙企业异议理由",
                  "乙企业提问", "乙体检", "乙风险", "乙企业联合检查", "乙运维公司"]
    return w


def _outreach_b(w) -> None:
    """Township B's objects of the enterprise services: its question (with a file), the article pushed
    to it, its exam attempt, self-assessment and health check."""
    ent_b = w.users["ent_b"]
    w.question_b = questions.question_ask(user=ent_b, topic="local", title="乙企业提问", body="乙企业的问题内容",
                                          files=[ContentFile(b"%PDF-1.4 b", name="b.pdf")])
    w.question_file_b = w.question_b.messages.get().attachments.get()
    questions.question_answer(user=w.users["township_b"], question=w.question_b, body="答复")
    w.faq_b = questions.question_publish(user=w.users["township_b"], question=w.question_b, title="公开问答",
                                         question_text="公开的问题", answer_text="公开的答复")
    w.article_b = articles.article_publish(user=w.users["bureau"], title="法规", body="正文", topic="law")
    articles.article_push(user=w.users["bureau"], article=w.article_b, townships=[w.town_b])
    w.receipt_b = w.article_b.receipts.get(enterprise=w.ent_b)
    BankQuestion.objects.create(kind="true_false", text="对吗？", options=["对", "错"], correct=[0])
    w.exam = exams.exam_create(user=w.users["bureau"], title="考试", time_limit_minutes=30, opens_at=T0,
                               closes_at=T0 + dt.timedelta(days=30), count=1)
    w.attempt_b = exams.attempt_start(user=ent_b, exam=w.exam)
    lines = assessments.obligations(w.ent_b, T0.date() - dt.timedelta(days=30), T0.date())
    w.assessment_b = assessments.assessment_submit(
        user=ent_b, start=T0.date() - dt.timedelta(days=30), end=T0.date(),
        declarations={line["ref"]: {"ok": True} for line in lines})
    w.health_b = healthchecks.health_check_record(
        user=w.users["township_b"], enterprise=w.ent_b, checked_on=T0.date(), summary="乙体检", items=[
            {"risk": "乙风险", "measure": "乙措施", "deadline": T0.date() + dt.timedelta(days=10)}])
    w.remedy_b = w.health_b.items.get()
