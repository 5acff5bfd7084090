"""The positive list: proposed by its entry rules, approved and published by the bureau, removed when
the rules fail, each reason sent to the enterprise; listed enterprises are supervised off-site."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from alerts.models import Alert
from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from ecocode.models import ColourChange
from ecocode.services import scoring
from enforcement.models import PositiveListEntry
from enforcement.services import (
    positive_list_approve,
    positive_list_end,
    positive_list_propose,
    positive_list_review,
)
from notifications.models import Notification
from tests import factories as f

from .support import reported

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOW = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def green_since(days_ago: int):
    ent = f.enterprise()
    reported(f.permit(ent), (NOW - dt.timedelta(days=days_ago + 10)).date())  # enough data to be scored
    with clock.frozen(NOW - dt.timedelta(days=days_ago)):
        scoring.score_enterprise(ent)
    assert ColourChange.objects.get(enterprise=ent).to_colour in ("green", "blue")
    return ent


def test_entry_rules_approval_and_removal(client):
    steady, recent, exceeded = green_since(200), green_since(60), green_since(200)
    out = f.outlet(exceeded.permits.get())
    Alert.objects.create(outlet=out, enterprise=exceeded, rule="exceedance", opened_at=NOW - dt.timedelta(days=90),
                         last_seen_at=NOW - dt.timedelta(days=90))
    proposed = positive_list_propose(now=NOW)
    assert [e.enterprise for e in proposed] == [steady]
    [entry] = positive_list_approve(entries=proposed, user=f.bureau_user())
    assert entry.state == "listed" and entry.published_at is not None
    told = Notification.objects.get(enterprise=steady)
    assert "6" in told.body
    with translation.override("zh-hans"):  # the page's language; the services' messages stay English
        assert steady.name in client.get(reverse("enforcement:positive-list")).content.decode()  # published
    assert positive_list_propose(now=NOW) == []  # an open entry is not proposed twice
    f.decided_case(steady, decided_on=NOW.date(), amount=100000)
    assert positive_list_review(now=NOW) == 1
    entry.refresh_from_db()
    assert entry.state == "removed" and "case" in entry.removal_reason
    assert Notification.objects.filter(enterprise=steady).count() == 2
    client.force_login(f.user("enterprise", enterprise=steady))  # the enterprise sees both reasons in its file
    page = client.get(reverse("enforcement:enterprise-file", args=[steady.pk])).content.decode()
    assert entry.entry_reason in page and entry.removal_reason in page
    client.logout()
    assert steady.name not in client.get(reverse("enforcement:positive-list")).content.decode()


def test_a_colour_that_only_became_good_within_the_window_does_not_qualify():
    ent = f.enterprise()
    perm = f.permit(ent)
    with clock.frozen(NOW - dt.timedelta(days=200)):
        assert scoring.score_enterprise(ent).colour == "grey"  # no data yet: insufficient, not green
    reported(perm, (NOW - dt.timedelta(days=70)).date())
    with clock.frozen(NOW - dt.timedelta(days=60)):
        assert scoring.score_enterprise(ent).colour in ("green", "blue")
    assert positive_list_propose(now=NOW) == []


def test_only_the_bureau_decides_and_a_removal_needs_a_reason():
    entry = PositiveListEntry.objects.create(enterprise=green_since(200), entry_reason="规则", proposed_at=NOW)
    with pytest.raises(NotAllowed):
        positive_list_approve(entries=[entry], user=f.user("enforcement"))
    with pytest.raises(Exception, match="reason"):
        positive_list_end(entry=entry, user=f.bureau_user(), reason=" ")
    assert positive_list_end(entry=entry, user=f.bureau_user(), reason="资料不全").state == "rejected"


def test_a_list_is_approved_at_once_and_refused_whole_if_one_entry_is_no_longer_a_proposal():
    first, second, third = (PositiveListEntry.objects.create(enterprise=green_since(200), entry_reason="规则",
                                                             proposed_at=NOW) for _ in range(3))
    positive_list_end(entry=third, user=f.bureau_user(), reason="资料不全")
    with pytest.raises(WorkflowError):
        positive_list_approve(entries=[first, third], user=f.bureau_user())
    first.refresh_from_db()
    assert first.state == "proposed" and not Notification.objects.filter(kind="positive_list").exists()
    listed = positive_list_approve(entries=[second, first], user=f.bureau_user())
    assert [e.pk for e in listed] == sorted([first.pk, second.pk])
    assert set(PositiveListEntry.objects.filter(state="listed").values_list("pk", flat=True)) == {first.pk, second.pk}
    assert sorted(Notification.objects.filter(kind="positive_list").values_list("enterprise_id", flat=True)) == \
        sorted([first.enterprise_id, second.enterprise_id])


def test_the_admin_cannot_bypass_the_approval(client):
    """The admin adds no entry and changes no state; its actions approve, reject and remove through the
    services (who approved, when, the reason, the enterprise told)."""
    bureau = f.user("bureau", is_staff=True, is_superuser=True)
    proposal = PositiveListEntry.objects.create(enterprise=green_since(200), entry_reason="规则", proposed_at=NOW)
    other = PositiveListEntry.objects.create(enterprise=green_since(200), entry_reason="规则", proposed_at=NOW)
    client.force_login(bureau)
    changelist = reverse("admin:enforcement_positivelistentry_changelist")
    assert client.get(reverse("admin:enforcement_positivelistentry_add")).status_code == 403
    change = reverse("admin:enforcement_positivelistentry_change", args=[proposal.pk])
    client.post(change, {"state": "listed", "published_at_0": "2026-11-01", "published_at_1": "09:00"})
    proposal.refresh_from_db()
    assert (proposal.state, proposal.published_at) == ("proposed", None)  # read-only: nothing changed

    assert client.post(changelist, {"action": "approve_selected", "_selected_action": [proposal.pk]}).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.approved_by) == ("listed", bureau) and proposal.published_at is not None
    assert Notification.objects.filter(enterprise=proposal.enterprise, kind="positive_list").count() == 1
    asked = client.post(changelist, {"action": "end_selected", "_selected_action": [proposal.pk, other.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()  # the reason first
    done = client.post(changelist, {"action": "end_selected", "_selected_action": [proposal.pk, other.pk],
                                    "reason": "现场核查发现问题"})
    assert done.status_code == 302
    states = dict(PositiveListEntry.objects.values_list("pk", "state"))
    assert states == {proposal.pk: "removed", other.pk: "rejected"}
    proposal.refresh_from_db()
    assert proposal.removal_reason == "现场核查发现问题"
    assert Notification.objects.filter(enterprise=proposal.enterprise, kind="positive_list").count() == 2
