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
from ecocode.models import ColourChange, Penalty, Score
from ecocode.services import scoring
from fieldsync.models import RoundDraft
from monitoring.models import Station
from tests.api.conftest import T0, _fast_passwords_and_fresh_throttles, world  # noqa: F401 (fixtures)

B_NAME = "乙方秘密企业"


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
        Penalty.objects.create(enterprise=w.ent_b, decision_number="乙罚〔2026〕1号", decided_on=T0.date(),
                               amount=1000, reason="excess_emission", description="内部备注乙")
        Complaint.objects.filter(pk=w.complaint_b.pk).update(contact="13911112222")
        w.complaint_b.refresh_from_db()
    # What a page of someone outside township B must never contain.
    w.canaries = [B_NAME, w.ent_b.credit_code, "乙企业问题", "乙企业异味", "给township_b的消息", "给ent_b的消息",
                  "乙整改", "乙罚〔2026〕1号", w.out_b.devices.get().mn]
    return w
