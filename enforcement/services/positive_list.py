"""The positive list (监督执法正面清单).

Entry rules (``positive_list_propose``): the enterprise has been green or blue for the last
``STABLE_MONTHS`` months (its colour now, the colour in force when the window began and every colour
change of the window; grey, insufficient data, never qualifies), and in the last 12
months it had no case and no exceedance warning. Proposals wait for the bureau's approval, which
publishes them; ``positive_list_review`` removes a listed enterprise that no longer meets the rules,
and staff may remove one by hand. Every entry and removal keeps its reason and is sent to the enterprise.
"""
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from alerts.models import Alert, Rule
from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from ecocode.models import ColourChange, EcoCode
from enterprises import jurisdiction
from enterprises.models import Enterprise
from notifications.services import Message, notify_many

from ..models import Case, PositiveListEntry

STABLE_MONTHS = 6
GOOD_COLOURS = ("green", "blue")
CLEAN_DAYS = 365
State = PositiveListEntry.State


def _failing(enterprise_ids, now: dt.datetime) -> dict[int, str]:
    """Enterprises (of ``enterprise_ids``) that break an entry rule, with the first rule broken."""
    ids = set(enterprise_ids)
    stable_since = now - dt.timedelta(days=30 * STABLE_MONTHS)
    clean_since = now - dt.timedelta(days=CLEAN_DAYS)
    out = {}
    colours = dict(EcoCode.objects.filter(enterprise_id__in=ids).values_list("enterprise_id", "colour"))
    for pk in ids:
        if colours.get(pk) not in GOOD_COLOURS:
            out[pk] = _("its colour is not green or blue")
    changed = (ColourChange.objects.filter(enterprise_id__in=ids, changed_at__gte=stable_since)
               .exclude(to_colour__in=GOOD_COLOURS).values_list("enterprise_id", flat=True))
    in_force = {}  # the colour each had when the window began (its last change before it)
    for pk, colour in (ColourChange.objects.filter(enterprise_id__in=ids, changed_at__lte=stable_since)
                       .order_by("enterprise_id", "changed_at", "id").values_list("enterprise_id", "to_colour")):
        in_force[pk] = colour
    for pk in changed:
        out.setdefault(pk, _("it was not green or blue throughout the last %(n)d months") % {"n": STABLE_MONTHS})
    for pk in ids:
        if pk not in in_force:
            out.setdefault(pk, _("it has had its colour for less than %(n)d months") % {"n": STABLE_MONTHS})
        elif in_force[pk] not in GOOD_COLOURS:
            out.setdefault(pk, _("it was not green or blue throughout the last %(n)d months") % {"n": STABLE_MONTHS})
    for pk in Case.objects.filter(enterprise_id__in=ids, lead_at__gte=clean_since).exclude(
            state=Case.State.DROPPED).values_list("enterprise_id", flat=True):
        out.setdefault(pk, _("it had a case in the last 12 months"))
    for pk in Alert.objects.filter(enterprise_id__in=ids, rule=Rule.EXCEEDANCE, opened_at__gte=clean_since) \
            .values_list("enterprise_id", flat=True):
        out.setdefault(pk, _("it exceeded a limit in the last 12 months"))
    return out


def _tell(entries, subject: str, reason_of) -> None:
    notify_many(Message(kind="positive_list", subject=subject, body=reason_of(e), enterprise=e.enterprise,
                        source=f"positive_list:{e.pk}", dedup_key=f"positive_list:{e.pk}:{e.state}")
                for e in entries)


def positive_list_propose(*, now: dt.datetime | None = None) -> list[PositiveListEntry]:
    """Propose every operating enterprise that meets the entry rules and has no open entry."""
    now = now or clock.now()
    open_ = PositiveListEntry.objects.filter(state__in=[State.PROPOSED, State.LISTED]).values("enterprise_id")
    candidates = list(Enterprise.objects.filter(status=Enterprise.Status.OPERATING, eco_code__colour__in=GOOD_COLOURS)
                      .exclude(pk__in=open_).values_list("pk", flat=True))
    failing = _failing(candidates, now)
    reason = _("Green or blue for %(n)d months, no case and no exceedance in the last 12 months.") % {
        "n": STABLE_MONTHS}
    return PositiveListEntry.objects.bulk_create(
        PositiveListEntry(enterprise_id=pk, entry_reason=reason, proposed_at=now)
        for pk in sorted(candidates) if pk not in failing)


def _require_bureau(user):
    if not jurisdiction.is_bureau(user):
        raise NotAllowed(_("Only bureau staff decide on the positive list."))


@transaction.atomic
def positive_list_approve(*, entries, user) -> list[PositiveListEntry]:
    """Approve and publish proposals (the bureau approves the list it was proposed, or a part of it), in
    one transaction; each enterprise is told why it is on the list. Refused whole if any of ``entries``
    is no longer a proposal (approved or closed meanwhile)."""
    _require_bureau(user)
    ids = {entry.pk for entry in entries}
    locked = list(PositiveListEntry.objects.select_for_update().select_related("enterprise").filter(pk__in=ids)
                  .order_by("pk"))
    if len(locked) != len(ids) or any(entry.state != State.PROPOSED for entry in locked):
        raise WorkflowError(_("Only a proposal can be approved."))
    now = clock.now()
    PositiveListEntry.objects.filter(pk__in=ids).update(state=State.LISTED, approved_by=user, published_at=now)
    for entry in locked:
        entry.state, entry.approved_by, entry.published_at = State.LISTED, user, now
    _tell(locked, _("Your enterprise is on the positive list"), lambda e: e.entry_reason)
    return locked


@transaction.atomic
def positive_list_end(*, entry: PositiveListEntry, user, reason: str) -> PositiveListEntry:
    """Reject a proposal or remove a listed enterprise, with the reason (sent to the enterprise)."""
    _require_bureau(user)
    entry = PositiveListEntry.objects.select_for_update().select_related("enterprise").get(pk=entry.pk)
    if not reason.strip():
        raise WorkflowError(_("Give the reason."))
    if entry.state not in (State.PROPOSED, State.LISTED):
        raise WorkflowError(_("This entry is already closed."))
    entry.state = State.REJECTED if entry.state == State.PROPOSED else State.REMOVED
    entry.removed_at, entry.removal_reason = clock.now(), reason.strip()
    entry.save(update_fields=["state", "removed_at", "removal_reason"])
    if entry.state == State.REMOVED:
        _tell([entry], _("Your enterprise was removed from the positive list"), lambda e: e.removal_reason)
    return entry


def positive_list_review(*, now: dt.datetime | None = None) -> int:
    """Remove listed enterprises that no longer meet the entry rules (colour, case, exceedance)."""
    now = now or clock.now()
    listed = list(PositiveListEntry.objects.filter(state=State.LISTED).select_related("enterprise"))
    failing = _failing([e.enterprise_id for e in listed], now)
    removed = []
    for entry in listed:
        if entry.enterprise_id in failing:
            entry.state, entry.removed_at = State.REMOVED, now
            entry.removal_reason = _("Removed because %(why)s.") % {"why": failing[entry.enterprise_id]}
            removed.append(entry)
    PositiveListEntry.objects.bulk_update(removed, ["state", "removed_at", "removal_reason"])
    _tell(removed, _("Your enterprise was removed from the positive list"), lambda e: e.removal_reason)
    return len(removed)
