"""Reads of dispatch: what a user may see, what is overdue and by how long, on-time and completion
rates (for lists and the dashboard), and the monthly statistics per enforcement officer."""
from collections import defaultdict

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from core import clock
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role, User

from .models import Campaign, Complaint, SelfCheckNotice, Team, WorkOrder
from .workflow import UNACCEPTED, UNFIXED

S = WorkOrder.State


def work_order_q(user) -> Q:
    """The work orders ``user`` may see: by the enterprise's jurisdiction, and for orders about no
    enterprise (e.g. a complaint about a place), by the township or grid they were routed to."""
    q = jurisdiction.enterprise_q(user, "enterprise")
    if q == jurisdiction.NOTHING or jurisdiction.is_county_wide(user):
        return q
    if user.role == Role.TOWNSHIP:
        q |= Q(enterprise__isnull=True, township_id=user.township_id)
    elif user.role == Role.GRID:
        q |= Q(enterprise__isnull=True, grid_id=user.grid_id)
    return q


def order_search_q(text: str) -> Q:
    """Orders whose number, title, enterprise name or credit code matches ``text``."""
    q = Q(title__icontains=text) | Q(enterprise__name__icontains=text) | Q(enterprise__credit_code__iexact=text)
    number = text.lstrip("#")
    return q | Q(pk=int(number)) if number.isdigit() and len(number) < 10 else q


def visible_complaints(user) -> QuerySet:
    """Complaints about the enterprises (or, for complaints about a place, the townships) of ``user``'s
    jurisdiction."""
    if jurisdiction.is_county_wide(user):
        return Complaint.objects.all()
    return Complaint.objects.filter(jurisdiction.enterprise_q(user, "enterprise")
                                    | Q(enterprise__isnull=True, township__in=jurisdiction.visible_townships(user)))


def visible_work_orders(user) -> QuerySet:
    return WorkOrder.objects.filter(work_order_q(user))


def can_see(user, order: WorkOrder) -> bool:
    return WorkOrder.objects.filter(work_order_q(user), pk=order.pk).exists()


def overdue_q(now=None) -> Q:
    """Open orders past their running deadline: not accepted a day after opening, or not fixed by the
    resolution deadline (the 3-day fix deadline, or the date of a plan reported in time)."""
    now = now or clock.now()
    return Q(state__in=UNACCEPTED, accept_due_at__lt=now) | Q(state__in=UNFIXED, due_at__lt=now)


def with_overdue(qs: QuerySet, now=None) -> QuerySet:
    """Annotate ``overdue_since`` (the deadline that was missed first; NULL if not overdue)."""
    now = now or clock.now()
    return qs.annotate(overdue_since=Case(
        When(state__in=UNACCEPTED, accept_due_at__lt=now, then=F("accept_due_at")),
        When(state__in=UNFIXED, due_at__lt=now, then=F("due_at")),
        default=None))


def _scoped(qs, enterprise, township, since, until) -> QuerySet:
    qs = WorkOrder.objects.all() if qs is None else qs
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if township is not None:
        qs = qs.filter(township=township)
    if since is not None:
        qs = qs.filter(opened_at__gte=since)
    if until is not None:
        qs = qs.filter(opened_at__lt=until)
    return qs


def on_time_rate(*, qs: QuerySet | None = None, enterprise=None, township=None, since=None, until=None,
                 now=None) -> dict:
    """On-time rate = closed on time / (closed + open-but-overdue). Counting open overdue orders keeps
    the rate honest (a rate over closed orders alone flatters). ``rate`` is None when nothing counts."""
    now = now or clock.now()
    closed = Q(state=S.CLOSED)
    counts = _scoped(qs, enterprise, township, since, until).aggregate(
        n_on_time=Count("pk", filter=closed & Q(on_time=True)),
        n_late=Count("pk", filter=closed & Q(on_time=False)),
        n_open_overdue=Count("pk", filter=overdue_q(now)),
    )
    row = {key.removeprefix("n_"): value for key, value in counts.items()}
    total = row["on_time"] + row["late"] + row["open_overdue"]
    row["rate"] = row["on_time"] / total if total else None
    return row


def overdue_counts_by_township(now=None, qs: QuerySet | None = None) -> dict[int, int]:
    """``{township_id: number of open overdue orders}`` (townships with none are absent)."""
    qs = WorkOrder.objects.all() if qs is None else qs
    return dict(qs.filter(overdue_q(now)).order_by().values("township_id").annotate(n=Count("pk"))
                .values_list("township_id", "n"))


def overdue_counts_by_enterprise(now=None, enterprise_ids=None) -> dict[int, int]:
    """``{enterprise_id: number of open overdue orders}`` (enterprises with none are absent)."""
    qs = WorkOrder.objects.filter(overdue_q(now), enterprise__isnull=False)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    return dict(qs.order_by().values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n"))


def self_check_completion(*, enterprise=None, township=None, since=None, until=None, now=None) -> dict:
    """Self-check notices issued in the window: how many were completed (on time), how many are past
    due and still open; ``rate`` = completed / (completed + overdue open), None when nothing counts."""
    now = now or clock.now()
    qs = SelfCheckNotice.objects.all()
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if township is not None:
        qs = qs.filter(enterprise__township=township)
    if since is not None:
        qs = qs.filter(issued_at__gte=since)
    if until is not None:
        qs = qs.filter(issued_at__lt=until)
    row = qs.aggregate(
        issued=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)),
        completed_on_time=Count("pk", filter=Q(completed_at__lte=F("due_at"))),
        overdue_open=Count("pk", filter=Q(completed_at__isnull=True, due_at__lt=now)),
    )
    counted = row["completed"] + row["overdue_open"]
    row["rate"] = row["completed"] / counted if counted else None
    return row


def assigned_q(user) -> Q:
    """Orders ``user`` must act on: routed to their township (or, for a township officer, to one of its
    grids), grid or team, or to them by name."""
    q = Q(officer_id=user.pk)
    if user.role == Role.TOWNSHIP:
        q |= Q(assignee_kind__in=(WorkOrder.Assignee.TOWNSHIP, WorkOrder.Assignee.GRID), township_id=user.township_id)
    elif user.role == Role.GRID:
        q |= Q(assignee_kind=WorkOrder.Assignee.GRID, grid_id=user.grid_id)
    elif user.role == Role.ENFORCEMENT:
        q |= Q(assignee_kind=WorkOrder.Assignee.TEAM, team__members=user)
    return q


def handlers_of(rows) -> defaultdict[int, set[int]]:
    """``{user_id: {order_id, ...}}`` for the handlers of the given order rows (a few queries in all)."""
    rows = list(rows)
    townships = {r["township_id"] for r in rows if r["assignee_kind"] == WorkOrder.Assignee.TOWNSHIP}
    grids = {r["grid_id"] for r in rows if r["assignee_kind"] == WorkOrder.Assignee.GRID}
    teams = {r["team_id"] for r in rows if r["assignee_kind"] == WorkOrder.Assignee.TEAM}
    active = User.objects.filter(is_active=True)
    by_township, by_grid, by_team = defaultdict(set), defaultdict(set), defaultdict(set)
    if townships:  # only the kinds of assignee present are looked up
        for uid, tid in active.filter(role=Role.TOWNSHIP, township_id__in=townships).values_list("pk", "township_id"):
            by_township[tid].add(uid)
    if grids:
        for uid, gid in active.filter(role=Role.GRID, grid_id__in=grids).values_list("pk", "grid_id"):
            by_grid[gid].add(uid)
    if teams:
        for uid, tid in Team.members.through.objects.filter(team_id__in=teams, user__is_active=True) \
                .values_list("user_id", "team_id"):
            by_team[tid].add(uid)
    result = defaultdict(set)
    for r in rows:
        kind = r["assignee_kind"]
        users = (by_township[r["township_id"]] if kind == WorkOrder.Assignee.TOWNSHIP
                 else by_grid[r["grid_id"]] if kind == WorkOrder.Assignee.GRID
                 else by_team[r["team_id"]] if kind == WorkOrder.Assignee.TEAM else set())
        if r["officer_id"]:
            users = users | {r["officer_id"]}
        for uid in users:
            result[uid].add(r["pk"])
    return result


def colour_choices() -> list[tuple[str, str]]:
    """The eco-code colours, read from the model ecocode keeps on each enterprise (``eco_code``) without
    importing ecocode, which depends on dispatch."""
    return list(Enterprise._meta.get_field("eco_code").related_model._meta.get_field("colour").choices)


def campaign_batch(campaign: Campaign, now) -> str:
    """The batch a campaign issues at ``now``: one for a one-off campaign, one per local month otherwise."""
    if campaign.schedule == Campaign.Schedule.MONTHLY:
        return f"c{campaign.pk}-{timezone.localdate(now):%Y-%m}"
    return f"c{campaign.pk}"


def campaign_enterprises(campaign: Campaign) -> QuerySet:
    """The operating enterprises a campaign reaches (its township, industry and colour; empty means all)."""
    qs = Enterprise.objects.filter(status=Enterprise.Status.OPERATING)
    if campaign.township_id:
        qs = qs.filter(township_id=campaign.township_id)
    if campaign.industry_id:
        qs = qs.filter(industry_id=campaign.industry_id)
    if campaign.colour:
        qs = qs.filter(eco_code__colour=campaign.colour)
    return qs


def visible_campaigns(user) -> QuerySet:
    """Campaigns with their notice counts: all for county-wide staff, a township's own for its officers."""
    qs = Campaign.objects.select_related("township", "industry", "created_by")
    if not jurisdiction.is_county_wide(user):
        if user.role != Role.TOWNSHIP or not user.township_id:
            return qs.none()
        qs = qs.filter(township_id=user.township_id)
    return qs.annotate(issued=Count("notices"),
                       completed=Count("notices", filter=Q(notices__completed_at__isnull=False))
                       ).order_by("-created_at", "-id")  # an aggregate drops Meta.ordering
