"""The monthly double random draw (双随机): which enterprises are inspected this month, and which two
officers go to each.

Enterprises: each colour has a yearly number of inspections (``ColourBand.inspections_per_year``). An
enterprise that still needs ``r`` inspections in the ``m`` months left of the year is drawn with
probability ``min(1, r / m × risk)``, at most once a month; ``risk`` is 1.5 for key-management
enterprises and 1 otherwise, so risky enterprises come earlier, and when ``r = m`` the draw is certain:
every colour's frequency is met by December. Enterprises on the positive list are supervised off-site
instead (one officer, no visit).

Officers: active enforcement officers, each within his monthly capacity (targeted inspections of the
month count first), drawn at random among the least loaded so that no capacity is stranded; two
distinct officers on every on-site inspection; an officer who took part in the
enterprise's previous planned inspection is not drawn again for it.

The draw is a pure function of its inputs and the seed (``compute``), run over lists of ids: one read
of the inputs, one ``bulk_create``. The seed and a digest of the inputs are stored on the plan.
"""
import dataclasses
import hashlib
import json
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from ecocode.selectors import consequences
from enterprises import jurisdiction
from enterprises.models import Enterprise, Role, User
from enterprises.models.enterprises import ManagementClass

from ..models import InspectionPlan, Mode, OfficerCapacity, PlannedInspection, PositiveListEntry
from ..models.plans import DEFAULT_MONTHLY_CAPACITY

KEY_RISK = Decimal("1.5")
#: Yearly inspections of an enterprise not yet scored (treated like yellow).
UNSCORED_PER_YEAR = 4


@dataclasses.dataclass(frozen=True)
class DrawInput:
    month: int
    enterprises: list[tuple[int, int, Decimal, bool]]  # id, inspections still due this year, risk, positive list
    officers: list[tuple[int, int]]                    # id, capacity left this month
    previous_officers: dict[int, frozenset]            # enterprise id -> officers of its last planned inspection

    def digest(self) -> str:
        data = [self.month, [[e, r, str(k), p] for e, r, k, p in self.enterprises], self.officers,
                sorted([e, sorted(o)] for e, o in self.previous_officers.items())]
        return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Draw:
    items: list[tuple[int, str, int | None, int | None]]  # enterprise, mode, first officer, second officer
    unstaffed: list[int]                                   # enterprises drawn but no officers left


def compute(inp: DrawInput, seed: int) -> Draw:
    """The draw itself: deterministic for the same inputs and seed."""
    rng = random.Random(seed)
    months_left = 13 - inp.month
    drawn = []
    for ent, due, risk, positive in inp.enterprises:
        if due <= 0:
            continue
        chance = min(Decimal(1), Decimal(due) / months_left * risk)
        if chance >= 1 or Decimal(rng.random()) < chance:
            drawn.append((ent, positive, due >= months_left))
    rng.shuffle(drawn)
    drawn.sort(key=lambda d: not d[2])  # enterprises that can wait no longer are staffed first
    left = dict(inp.officers)
    pool = sorted(o for o, cap in left.items() if cap > 0)
    items, unstaffed = [], []
    for ent, positive, _urgent in drawn:
        mode, need = (Mode.OFF_SITE, 1) if positive else (Mode.ON_SITE, 2)
        excluded = inp.previous_officers.get(ent, frozenset())
        candidates = [o for o in pool if o not in excluded]
        if len(candidates) < need:
            unstaffed.append(ent)
            continue
        rng.shuffle(candidates)
        chosen = sorted(candidates, key=lambda o: -left[o])[:need]  # the least loaded, ties at random
        for officer in chosen:
            left[officer] -= 1
            if left[officer] == 0:
                pool.remove(officer)
        items.append((ent, mode, chosen[0], chosen[1] if need == 2 else None))
    return Draw(items=items, unstaffed=unstaffed)


def _capacities(year: int, month: int, *, with_draw: bool = True) -> list[tuple[int, int]]:
    """Active enforcement officers and what is left of their capacity after the month's items (only the
    targeted ones with ``with_draw=False``: the capacity the draw started from)."""
    officers = User.objects.filter(role=Role.ENFORCEMENT, is_active=True).order_by("pk")
    caps = dict(OfficerCapacity.objects.values_list("officer_id", "per_month"))
    used = {}
    month_items = PlannedInspection.objects.filter(plan__year=year, plan__month=month)
    if not with_draw:
        month_items = month_items.exclude(reason=PlannedInspection.Reason.DRAW)
    for field in ("lead_officer", "second_officer"):
        for officer, n in month_items.filter(**{f"{field}__isnull": False}).values_list(field).order_by().annotate(n=Count("pk")):
            used[officer] = used.get(officer, 0) + n
    return [(o, caps.get(o, DEFAULT_MONTHLY_CAPACITY) - used.get(o, 0)) for o in officers.values_list("pk", flat=True)]


def _previous_officers(year: int, month: int) -> dict[int, frozenset]:
    """The officers of each enterprise's latest planned inspection before this month."""
    before = Q(plan__year__lt=year) | Q(plan__year=year, plan__month__lt=month)
    latest = Window(RowNumber(), partition_by=[F("enterprise_id")],
                    order_by=[F("plan__year").desc(), F("plan__month").desc(), F("pk").desc()])
    rows = (PlannedInspection.objects.filter(before).annotate(rn=latest).filter(rn=1)
            .values_list("enterprise_id", "lead_officer_id", "second_officer_id"))
    return {e: frozenset(o for o in (a, b) if o) for e, a, b in rows}


def draw_inputs(year: int, month: int) -> DrawInput:
    """Everything the draw reads, in a few queries, as it was before the month's draw (so a drawn plan
    can be replayed from its seed)."""
    bands = {c: b.inspections_per_year for c, b in consequences().items()}
    done = dict(PlannedInspection.objects.filter(plan__year=year, plan__month__lt=month)
                .values_list("enterprise_id").annotate(n=Count("pk")).order_by())
    this_month = set(PlannedInspection.objects.filter(plan__year=year, plan__month=month)
                     .exclude(reason=PlannedInspection.Reason.DRAW).values_list("enterprise_id", flat=True))
    positive = set(PositiveListEntry.objects.filter(state=PositiveListEntry.State.LISTED)
                   .values_list("enterprise_id", flat=True))
    rows = (Enterprise.objects.filter(status=Enterprise.Status.OPERATING).order_by("pk")
            .values_list("pk", "management_class", "eco_code__colour"))
    enterprises = []
    for pk, management, colour in rows:
        if pk in this_month:  # a targeted inspection this month already covers it
            continue
        per_year = bands.get(colour, UNSCORED_PER_YEAR) if colour else UNSCORED_PER_YEAR
        risk = KEY_RISK if management == ManagementClass.KEY else Decimal(1)
        enterprises.append((pk, per_year - done.get(pk, 0), risk, pk in positive))
    return DrawInput(month=month, enterprises=enterprises, officers=_capacities(year, month, with_draw=False),
                     previous_officers=_previous_officers(year, month))


def plan_for_month(year: int, month: int) -> InspectionPlan:
    return InspectionPlan.objects.get_or_create(year=year, month=month)[0]


@transaction.atomic
def plan_draw(*, year: int, month: int, user, seed: int | None = None) -> InspectionPlan:
    """Draw the month's plan (bureau staff only, once per month); ``seed`` defaults to a fresh random one."""
    if not jurisdiction.is_bureau(user):
        raise NotAllowed(_("Only bureau staff draw the inspection plan."))
    if not 1 <= month <= 12:
        raise WorkflowError(_("Choose a month from 1 to 12."))
    plan = InspectionPlan.objects.select_for_update().get(pk=plan_for_month(year, month).pk)
    if plan.drawn_at is not None:
        raise WorkflowError(_("The plan of %(month)s is already drawn.") % {"month": str(plan)})
    seed = random.SystemRandom().randrange(2 ** 62) if seed is None else int(seed)
    inp = draw_inputs(year, month)
    result = compute(inp, seed)
    PlannedInspection.objects.bulk_create(
        PlannedInspection(plan=plan, enterprise_id=ent, mode=mode, lead_officer_id=a, second_officer_id=b)
        for ent, mode, a, b in result.items)
    plan.seed, plan.drawn_at, plan.drawn_by = seed, clock.now(), user
    plan.summary = {"inputs_sha256": inp.digest(), "candidates": len(inp.enterprises),
                    "drawn": len(result.items), "on_site": sum(m == Mode.ON_SITE for _e, m, _a, _b in result.items),
                    "unstaffed": result.unstaffed, "officers": len(inp.officers)}
    plan.save()
    return plan
