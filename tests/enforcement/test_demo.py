"""The demo county's year of enforcement, read through the pages as the bureau sees them: twelve drawn
plans with their seeds, on-site and off-site inspections (about half of the key enterprises' off-site),
cases through every step, joint inspections counted in the officers' statistics, strips and KPI trends
with history, and a positive list of plausible entrants approved by the bureau and shown to them."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from core import clock
from enforcement import selectors
from enforcement.models import Case, Inspection, InspectionPlan, JointPart, PositiveListEntry
from enterprises.models import Enterprise, Role, User
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_a_year_of_enforcement(client):
    call_command("seed_demo", enterprises=120, seed=5, no_progress=True)  # the year up to today
    plans = InspectionPlan.objects.order_by("year", "month")
    assert plans.count() == 12 and not plans.filter(seed__isnull=True).exists()
    key = Inspection.objects.filter(enterprise__management_class="key")
    months = {(i.started_at.year, i.started_at.month) for i in key.only("started_at")}
    assert len(months) >= 11
    assert Case.objects.filter(state="executed").exists() and Case.objects.filter(decided_on__isnull=False).exists()
    signed = JointPart.objects.filter(party="bureau", signed_at__isnull=False)
    assert signed.count() == 12 and JointPart.objects.filter(party="bureau", signed_at=None).count() == 3

    bureau = User.objects.filter(role=Role.BUREAU).exclude(username="admin").order_by("pk").first()
    User.objects.filter(pk=bureau.pk).update(must_change_password=False)  # as after his first login
    client.force_login(bureau)
    kpis = client.get(reverse("dashboard:kpis")).context["months"]
    key_inspections, off_site = (sum(m[k] for m in kpis) for k in ("key_inspections", "key_off_site_inspections"))
    assert sum(1 for m in kpis if m["key_inspections"]) >= 11 and 0.4 <= off_site / key_inspections <= 0.6
    part = signed.select_related("signed_by", "joint").order_by("signed_at").first()
    at = timezone.localtime(part.signed_at)
    stats = {r["officer"]: r for r in selectors.officer_monthly_stats(at.year, at.month)}
    assert stats[part.signed_by]["on_site_records"] >= 1
    query = f"?year={at.year}&month={at.month}"
    cell = reverse("enforcement:officer-stat-cell", args=[part.signed_by_id, "on_site_records"])
    assert cell in client.get(reverse("enforcement:officer-stats") + query).content.decode()
    assert reverse("enforcement:joint-detail", args=[part.joint_id]) in client.get(cell + query).content.decode()
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    strips = selectors.compliance_strips(ids, clock.now())
    assert sum(level != "none" for s in strips.values() for level in s["months"]) > 20
    file_page = client.get(reverse("enforcement:enterprise-file", args=[part.joint.enterprise_id]))
    assert file_page.status_code == 200 and "联合检查" in file_page.content.decode()

    # the positive list: plausible entrants, approved and published by the bureau, told and shown why
    year_ago = clock.now() - dt.timedelta(days=365)
    listed = PositiveListEntry.objects.filter(state="listed").select_related("enterprise__eco_code", "approved_by")
    assert 1 <= listed.count() <= max(1, int(0.15 * Enterprise.objects.count()))  # a selection, not everyone
    for entry in listed:
        ent = entry.enterprise
        assert entry.approved_by.role == Role.BUREAU and entry.published_at is not None
        assert ent.eco_code.colour in ("green", "blue")
        assert not ent.cases.filter(lead_at__gte=year_ago).exclude(state="dropped").exists()
        assert not Alert.objects.filter(enterprise=ent, rule="exceedance", opened_at__gte=year_ago).exists()
        assert Notification.objects.filter(enterprise=ent, kind="positive_list").exists()
    entry = listed.first()
    public = client.get(reverse("enforcement:positive-list")).content.decode()
    assert all(e.enterprise.name in public for e in listed)
    account = (User.objects.filter(role=Role.ENTERPRISE, enterprise=entry.enterprise).first()
               or User.objects.create_user(username="demo-check", password="pw-for-tests-only", role=Role.ENTERPRISE,
                                           enterprise=entry.enterprise))
    User.objects.filter(pk=account.pk).update(must_change_password=False)
    client.force_login(account)
    own = client.get(reverse("enforcement:enterprise-file", args=[entry.enterprise_id])).content.decode()
    assert "已审批并公布" in own and entry.entry_reason in own
