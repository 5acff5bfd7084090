"""The audit log records who changed what and when on permits, work orders, cases and eco-code settings:
in the admin, through the API, in services and Celery tasks; deletes too; bureau-only, read-only admin."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from celery import shared_task
from django.test import Client
from django.utils import timezone

from audit.context import acting_as
from audit.models import AuditEntry
from core import clock
from dispatch import services
from dispatch.models import WorkOrder
from dispatch.services import checklists
from ecocode.models import ColourBand, Indicator
from enforcement.models import Case
from enterprises.models import PermitLimit, Role
from tests import factories as f

from .forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    user = f.bureau_user()
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client(REMOTE_ADDR="10.9.0.1")
    client.force_login(user)
    return client, user


def entries(obj):
    return list(AuditEntry.objects.filter(model_label=obj._meta.label, object_id=str(obj.pk)).order_by("id"))


def test_a_permit_edited_in_the_admin_records_one_entry_with_actor_and_diff(staff):
    client, user = staff
    ent = f.enterprise()
    permit = f.permit(ent, expires_on=dt.date(2029, 1, 1))
    f.outlet(permit, "DW001", limits={"w01018": 100})
    AuditEntry.objects.all().delete()
    url = f"/admin/enterprises/permit/{permit.pk}/change/"
    data = form_data(client.get(url).content.decode())
    assert data["expires_on"] == "2029/01/01"  # zh-Hans date format
    data["expires_on"] = "2030/06/30"
    response = client.post(url, data, HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = AuditEntry.objects.all()  # the unchanged inlines (outlet) record nothing
    assert (entry.action, entry.actor, entry.actor_label, entry.model_label, entry.object_id) == (
        "update", user, user.username, "enterprises.Permit", str(permit.pk))
    assert entry.changes == {"expires_on": ["2029-01-01", "2030-06-30"]}
    assert (entry.request_id, entry.ip) == ("req-42", "10.9.0.1")
    assert response["X-Request-ID"] == "req-42"


def test_a_limit_deleted_in_the_admin_is_recorded_with_its_last_values(staff):
    client, user = staff
    out = f.outlet(f.permit(f.enterprise()), "DW001", limits={"w01018": 100})
    limit = out.limits.get()
    response = client.post(f"/admin/enterprises/permitlimit/{limit.pk}/delete/", {"post": "yes"})
    if response.status_code == 404:  # no admin of its own: delete it through the outlet's inline
        url = f"/admin/enterprises/outlet/{out.pk}/change/"
        data = form_data(client.get(url).content.decode())
        prefix = next(k for k in data if k.endswith("-0-id"))[:-len("-0-id")]
        data[f"{prefix}-0-DELETE"] = "on"
        response = client.post(url, data)
    assert response.status_code == 302
    assert not PermitLimit.objects.filter(pk=limit.pk).exists()
    [entry] = [e for e in AuditEntry.objects.filter(model_label="enterprises.PermitLimit", action="delete")]
    assert entry.actor == user and entry.object_id == str(limit.pk)
    assert entry.changes["limit_value"] == ["100", None]


def test_eco_code_settings_changed_in_the_admin_are_recorded(staff):
    client, user = staff
    ind = Indicator.objects.get(code="M30")
    url = f"/admin/ecocode/indicator/{ind.pk}/change/"
    data = form_data(client.get(url).content.decode())
    data["weight"] = "2.5"
    assert client.post(url, data).status_code == 302
    [entry] = entries(ind)
    assert entry.actor == user and entry.changes == {"weight": [str(ind.weight.normalize()), "2.5"]}
    band = ColourBand.objects.get(colour="red")
    url = f"/admin/ecocode/colourband/{band.pk}/change/"
    data = form_data(client.get(url).content.decode())
    data["inspections_per_year"] = str(band.inspections_per_year + 1)
    assert client.post(url, data).status_code == 302
    [entry] = entries(band)
    assert entry.changes == {"inspections_per_year": [band.inspections_per_year, band.inspections_per_year + 1]}


def test_a_work_order_action_through_the_api_records_the_token_user(client):
    town = f.township()
    ent = f.enterprise(town)
    officer = f.user(Role.TOWNSHIP, township=town)
    order = services.work_order_open(source=WorkOrder.Source.PATROL, title="问题", enterprise=ent, source_ref="a:1")
    before = entries(order)
    assert (before[0].action, before[0].actor, before[0].actor_label) == ("create", None, "system")
    from rest_framework.authtoken.models import Token
    token = Token.objects.create(user=officer)
    response = client.post(f"/api/v1/work-orders/{order.pk}/accept/", {}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR="10.9.0.2")
    assert response.status_code == 200, response.content
    accepted = entries(order)[len(before):]
    assert len(accepted) == 1
    assert (accepted[0].actor, accepted[0].ip) == (officer, "10.9.0.2")
    assert accepted[0].changes["state"] == ["dispatched", "accepted"]


def test_a_work_order_edited_in_the_admin_outside_the_workflow_is_recorded(staff):
    client, user = staff
    with clock.frozen(timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))):  # the admin edits whole minutes
        order = services.work_order_open(source=WorkOrder.Source.PATROL, title="旧标题", enterprise=f.enterprise(),
                                         source_ref="a:2")
    url = f"/admin/dispatch/workorder/{order.pk}/change/"
    data = form_data(client.get(url).content.decode())
    data["title"] = "新标题"
    assert client.post(url, data).status_code == 302
    last = entries(order)[-1]
    assert (last.action, last.actor, last.changes) == ("update", user, {"title": ["旧标题", "新标题"]})


def test_penalties_from_a_service_and_a_task_name_their_actor():
    ent = f.enterprise()
    with acting_as("command:import_penalties"):
        penalty = f.decided_case(ent, decided_on=dt.date(2026, 6, 1), amount="50000", number="桐环罚〔2026〕1号")
    record_payment.apply(args=[penalty.pk])
    created, changed = entries(penalty)
    assert (created.action, created.actor_label) == ("create", "command:import_penalties")
    assert created.changes["amount"] == [None, "50000"]
    assert (changed.actor_label, changed.changes) == (f"task:{record_payment.name}",
                                                      {"amount": ["50000", "60000"]})
    pk = penalty.pk
    penalty.delete()
    deleted = AuditEntry.objects.filter(model_label="enforcement.Case", object_id=str(pk)).latest("id")
    assert (deleted.action, deleted.actor_label) == ("delete", "system")
    assert deleted.changes["decision_number"] == ["桐环罚〔2026〕1号", None]


@shared_task
def record_payment(penalty_id):
    penalty = Case.objects.get(pk=penalty_id)
    penalty.amount = Decimal("60000.00")
    penalty.save(update_fields=["amount"])


def test_a_case_filed_on_a_round_is_recorded():
    from dispatch.models import Round
    ent = f.enterprise()
    checklist = checklists.checklist_build(permit=f.permit(ent))
    rnd = Round.objects.create(kind="inspection", enterprise=ent, township=ent.township, checklist=checklist,
                               client_uuid=uuid.uuid4(), submitted_at=clock.now(),
                               performed_by=f.user(Role.ENFORCEMENT))
    rnd.case_lead, rnd.case_number = True, "桐环立〔2026〕9号"
    rnd.save()
    assert entries(rnd)[-1].changes == {"case_lead": [False, True], "case_number": ["", "桐环立〔2026〕9号"]}


def test_a_save_without_changes_records_nothing():
    permit = f.permit(f.enterprise())
    permit.save()
    assert [e.action for e in entries(permit)] == ["create"]


def test_the_audit_admin_is_read_only_and_bureau_only(staff):
    client, user = staff
    penalty_ent = f.enterprise()
    f.decided_case(penalty_ent, decided_on=dt.date(2026, 1, 1), amount=1, number="X1")
    entry = AuditEntry.objects.get(model_label="enforcement.Case")
    assert client.get("/admin/audit/auditentry/?model_label=enforcement.Case").status_code == 200
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and "X1" in page.content.decode()
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    officer = f.user(Role.ENFORCEMENT)
    officer.is_staff = True
    officer.save()
    other = Client()
    other.force_login(officer)
    assert other.get("/admin/audit/auditentry/").status_code == 403
