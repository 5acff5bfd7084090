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
from ecocode.models import ColourChange, CreditRepair, Objection, Penalty, ReviewAttachment, Score
from ecocode.services import scoring
from fieldsync.models import RoundDraft
from monitoring.models import Station
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
        score_b = Score.objects.filter(enterprise=w.ent_b).latest("id")
        review = {"enterprise": w.ent_b, "score": score_b, "indicator_code": "M30", "reasons": "乙企业异议理由",
                  "submitted_by": w.users["ent_b"], "submitted_at": T0, "review_due_at": T0 + dt.timedelta(days=15)}
        w.objection_b = Objection.objects.create(**review)
        w.repair_b = CreditRepair.objects.create(**review, correction="乙企业整改情况", corrected_on=T0.date())
        w.review_attachment_b = ReviewAttachment.objects.create(
            objection=w.objection_b, file=ContentFile(b"%PDF-b", name="b.pdf"), name="b.pdf", uploaded_at=T0)
        Penalty.objects.create(enterprise=w.ent_b, decision_number="乙罚〔2026〕1号", decided_on=T0.date(),
                               amount=1000, reason="excess_emission", description="内部备注乙")
        Complaint.objects.filter(pk=w.complaint_b.pk).update(contact="13911112222")
        w.complaint_b.refresh_from_db()
        w.manifest_b, w.waste_alert_b = _waste_of_b(w)
    # What a page of someone outside township B must never contain.
    w.canaries = [B_NAME, w.ent_b.credit_code, w.manifest_b.number, "乙企业问题", "乙企业异味", "给township_b的消息",
                  "给ent_b的消息", "乙整改", "乙罚〔2026〕1号", w.out_b.devices.get().mn, "乙企业异议理由"]
    return w
