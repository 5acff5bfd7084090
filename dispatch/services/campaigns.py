"""Self-check campaigns: create one (the bureau for any township or all, a township officer for its
own), issue its notices at once and, for a monthly campaign, once a month (beat), telling each
enterprise in its inbox and on its phone."""
import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from enterprises import jurisdiction
from enterprises.models import Role
from notifications.services import Message, notify_many

from ..models import Campaign, SelfCheckNotice
from ..selectors import campaign_batch, campaign_enterprises, colour_choices
from ..workflow import NotAllowed, WorkflowError
from .checklists import self_check_notices_issue


def campaign_create(*, user, title: str, township=None, industry=None, colour: str = "",
                    schedule: str = Campaign.Schedule.ONCE, due_days: int = 14) -> tuple[Campaign, int]:
    """Create a campaign and issue its first batch; returns ``(campaign, notices issued)``."""
    if jurisdiction.is_bureau(user):
        pass
    elif user.role == Role.TOWNSHIP and user.township_id:
        if township is not None and township.pk != user.township_id:
            raise NotAllowed(_("A township issues self-check notices to its own enterprises only."))
        township = user.township
    else:
        raise NotAllowed(_("Only the bureau or a township issues self-check notices."))
    title = (title or "").strip()
    if not title:
        raise WorkflowError(_("A campaign needs a title."))
    if colour and colour not in dict(colour_choices()):
        raise WorkflowError(_("Unknown eco-code colour."))
    if schedule not in Campaign.Schedule.values:
        raise WorkflowError(_("Unknown schedule."))
    if not 1 <= int(due_days) <= 90:
        raise WorkflowError(_("Allow between 1 and 90 days to complete."))
    with transaction.atomic():
        campaign = Campaign.objects.create(title=title[:120], township=township, industry=industry, colour=colour,
                                           schedule=schedule, due_days=due_days, created_by=user,
                                           created_at=clock.now())
        issued = campaign_issue(campaign=campaign)
        campaign.refresh_from_db()
        return campaign, issued


def campaign_issue(*, campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Issue the campaign's batch for ``now`` (nothing if that batch was issued) and tell each enterprise
    that got a notice. Returns how many notices were issued."""
    now = now or clock.now()
    batch = campaign_batch(campaign, now)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.last_batch == batch:
            return 0
        with clock.frozen(now):
            issued = self_check_notices_issue(enterprises=campaign_enterprises(campaign), batch=batch,
                                              due_at=now + dt.timedelta(days=campaign.due_days),
                                              issued_by=campaign.created_by, campaign=campaign)
        campaign.last_batch = batch
        campaign.save(update_fields=["last_batch"])
        fresh = SelfCheckNotice.objects.filter(campaign=campaign, batch=batch).select_related("enterprise")
        subject = gettext("Self-check notice: %(title)s") % {"title": campaign.title}
        url = reverse("mobile-enterprise")
        notify_many(Message(kind="self_check_notice", subject=subject, enterprise=notice.enterprise, url=url,
                            body=gettext("Complete it by %(due)s on your phone page.")
                            % {"due": f"{timezone.localtime(notice.due_at):%Y-%m-%d}"},
                            source="dispatch:campaigns", dedup_key=f"campaign:{notice.pk}")
                    for notice in fresh.iterator())
        return issued


def campaigns_issue_due(*, now: dt.datetime | None = None) -> int:
    """Issue this month's batch of every active monthly campaign that has not had it (beat, daily)."""
    now = now or clock.now()
    total = 0
    for campaign in Campaign.objects.filter(active=True, schedule=Campaign.Schedule.MONTHLY).order_by("pk"):
        if campaign.last_batch != campaign_batch(campaign, now):
            total += campaign_issue(campaign=campaign, now=now)
    return total
