"""The demo county's year of enforcement, read through the pages as the bureau sees them: twelve drawn
plans with their seeds, on-site and off-site inspections (about half of the key enterprises' off-site),
cases through every step, joint inspections counted in the officers' statistics, strips and KPI trends
with history."""
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core import clock
from enforcement import selectors
from enforcement.models import Case, Inspection, InspectionPlan, JointPart
from enterprises.models import Enterprise, Role, User

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
