"""Self-check campaigns: the bureau or a township issues notices to a chosen set of enterprises (by
township, industry, colour, or all), once or every month (beat); each enterprise is told; the page and
the API issue them and show the completion counts."""
import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core import clock
from dispatch import services
from dispatch.models import Campaign, SelfCheckNotice
from dispatch.tasks import issue_campaigns
from dispatch.workflow import NotAllowed
from ecocode.models import EcoCode
from enterprises.models import Industry
from notifications.models import Notification
from tests import factories as f

from .conftest import T0


@pytest.fixture
def permitted(county):
    """Permits for the county's enterprises; A's red, the grid one green, B's red; the grid one another industry."""
    c = county
    for ent in (c.ent_a, c.ent_grid, c.ent_b):
        f.permit(ent)
    EcoCode.objects.create(enterprise=c.ent_a, colour="red")
    EcoCode.objects.create(enterprise=c.ent_grid, colour="green")
    EcoCode.objects.create(enterprise=c.ent_b, colour="red")
    other = Industry.objects.exclude(pk=c.ent_a.industry_id).order_by("pk").first()
    c.ent_grid.industry = other
    c.ent_grid.save(update_fields=["industry"])
    return c


def reached(campaign):
    return set(SelfCheckNotice.objects.filter(campaign=campaign).values_list("enterprise_id", flat=True))


def test_the_bureau_chooses_by_township_industry_colour_or_all(permitted):
    c = permitted
    with clock.frozen(T0):
        everyone, n = services.campaign_create(user=c.bureau, title="全县自查")
        assert n == 3 and reached(everyone) == {c.ent_a.pk, c.ent_grid.pk, c.ent_b.pk}
        town, _ = services.campaign_create(user=c.bureau, title="甲镇", township=c.town_a)
        assert reached(town) == {c.ent_a.pk, c.ent_grid.pk}
        red, _ = services.campaign_create(user=c.bureau, title="红码企业", colour="red")
        assert reached(red) == {c.ent_a.pk, c.ent_b.pk}
        trade, _ = services.campaign_create(user=c.bureau, title="行业", industry=c.ent_grid.industry)
        assert reached(trade) == {c.ent_grid.pk}
    told = Notification.objects.filter(kind="self_check_notice", enterprise=c.ent_a)
    assert told.count() == 3 and "全县自查" in told.order_by("pk").first().subject
    assert SelfCheckNotice.objects.get(campaign=everyone, enterprise=c.ent_a).due_at == T0 + dt.timedelta(days=14)


def test_a_township_issues_to_its_own_only_and_others_may_not(permitted):
    c = permitted
    mine, n = services.campaign_create(user=c.officer_a, title="本镇自查")
    assert mine.township_id == c.town_a.pk and n == 2
    with pytest.raises(NotAllowed):
        services.campaign_create(user=c.officer_a, title="越权", township=c.town_b)
    for outsider in (c.grid_officer, c.inspector, c.ent_user):
        with pytest.raises(NotAllowed):
            services.campaign_create(user=outsider, title="x")


def test_a_monthly_campaign_issues_once_a_month_through_the_task(permitted):
    c = permitted
    with clock.frozen(T0):
        monthly, n = services.campaign_create(user=c.bureau, title="月度自查", schedule="monthly", due_days=10)
        assert n == 3 and monthly.last_batch == f"c{monthly.pk}-2026-03"
        assert issue_campaigns.apply().get() == 0  # this month's is out
    with clock.frozen(T0 + dt.timedelta(days=31)):
        assert issue_campaigns.apply().get() == 3
        assert issue_campaigns.apply().get() == 0
    assert SelfCheckNotice.objects.filter(campaign=monthly).count() == 6
    assert Notification.objects.filter(kind="self_check_notice", enterprise=c.ent_b).count() == 2
    Campaign.objects.filter(pk=monthly.pk).update(active=False)
    with clock.frozen(T0 + dt.timedelta(days=62)):
        assert issue_campaigns.apply().get() == 0


def test_the_page_issues_and_counts_completions(client, permitted):
    c = permitted
    client.force_login(c.officer_a)
    url = reverse("dispatch:campaigns")
    assert client.post(url, {"title": "", "schedule": "once", "due_days": 14}).status_code == 400
    response = client.post(url, {"title": "汛期自查", "township": c.town_a.pk, "schedule": "once", "due_days": 7})
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="汛期自查")
    SelfCheckNotice.objects.filter(campaign=campaign, enterprise=c.ent_a).update(completed_at=clock.now())
    page = client.get(url).content.decode()
    assert f'data-campaign="{campaign.pk}"' in page and '<td class="issued">2</td>' in page \
        and '<td class="completed">1</td>' in page
    client.force_login(c.grid_officer)
    assert client.get(url).status_code == 403


def test_the_api_issues_and_scopes_campaigns(permitted):
    c = permitted
    bureau = APIClient()
    bureau.force_authenticate(c.bureau)
    assert bureau.post("/api/v1/self-check-campaigns/", {"title": "x", "colour": "purple"},
                       format="json").status_code == 400
    made = bureau.post("/api/v1/self-check-campaigns/", {"title": "乙镇自查", "township": c.town_b.pk}, format="json")
    assert made.status_code == 201 and (made.json()["issued"], made.json()["completed"]) == (1, 0)
    township = APIClient()
    township.force_authenticate(c.officer_a)
    assert township.get("/api/v1/self-check-campaigns/").json()["count"] == 0  # not its township's
    assert township.post("/api/v1/self-check-campaigns/", {"title": "乙镇", "township": c.town_b.pk},
                         format="json").status_code == 403
    grid = APIClient()
    grid.force_authenticate(c.grid_officer)
    assert grid.post("/api/v1/self-check-campaigns/", {"title": "x"}, format="json").status_code == 403
