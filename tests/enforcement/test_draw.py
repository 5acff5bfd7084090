"""The monthly double random draw over a year: each colour's yearly frequency, officers' capacity, two
distinct officers per visit, no officer twice in a row for an enterprise, the positive list supervised
off-site, and the same seed giving the same plan."""
from collections import Counter, defaultdict

import pytest

from core import clock
from dispatch.workflow import NotAllowed, WorkflowError
from enforcement.models import InspectionPlan, PlannedInspection, PositiveListEntry
from enforcement.services import draw, plan_draw
from tests import factories as f

from .support import coloured, officers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PER_YEAR = {"red": 12, "orange": 6, "yellow": 4, "blue": 2, "green": 1}


def county(per_colour=4, positive=2):
    ents = {c: [coloured(c) for _ in range(per_colour)] for c in PER_YEAR}
    listed = [coloured("green") for _ in range(positive)]
    for ent in listed:
        PositiveListEntry.objects.create(enterprise=ent, state="listed", entry_reason="绿码满 6 个月",
                                         proposed_at=clock.now(), published_at=clock.now())
    return ents, listed


def test_a_year_of_draws_meets_every_rule():
    ents, listed = county()
    team, bureau = officers(6), f.bureau_user()
    for month in range(1, 13):
        plan_draw(year=2026, month=month, user=bureau, seed=1000 + month)
    items = list(PlannedInspection.objects.select_related("plan").order_by("plan__month"))
    per_enterprise = Counter(i.enterprise_id for i in items)
    for colour, group in ents.items():
        assert [per_enterprise[e.pk] for e in group] == [PER_YEAR[colour]] * len(group), colour
    assert [per_enterprise[e.pk] for e in listed] == [1, 1]
    assert {i.mode for i in items if i.enterprise in listed} == {"off_site"}
    assert {i.second_officer_id for i in items if i.enterprise in listed} == {None}
    on_site = [i for i in items if i.mode == "on_site"]
    assert on_site and all(i.lead_officer_id and i.second_officer_id and i.lead_officer_id != i.second_officer_id
                           for i in on_site)
    history = defaultdict(list)
    for i in items:
        history[i.enterprise_id].append({i.lead_officer_id, i.second_officer_id} - {None})
    for visits in history.values():
        assert all(not (a & b) for a, b in zip(visits, visits[1:]))
    assert len({o for i in items for o in (i.lead_officer_id, i.second_officer_id)} - {None}) == len(team)


def test_capacity_is_respected_and_the_rest_reported_unstaffed():
    reds = [coloured("red") for _ in range(10)]
    team = officers(4, capacity=3)
    plan = plan_draw(year=2026, month=5, user=f.bureau_user(), seed=7)
    items = PlannedInspection.objects.filter(plan=plan)
    load = Counter(o for i in items for o in (i.lead_officer_id, i.second_officer_id))
    assert max(load.values()) <= 3 and set(load) <= {u.pk for u in team}
    assert items.count() == 6 and len(plan.summary["unstaffed"]) == 4
    assert set(plan.summary["unstaffed"]) <= {e.pk for e in reds}


def test_the_same_seed_gives_the_same_plan():
    county(per_colour=5)
    officers(5)
    plan = plan_draw(year=2026, month=3, user=f.bureau_user(), seed=20260301)
    stored = sorted(PlannedInspection.objects.filter(plan=plan)
                    .values_list("enterprise_id", "mode", "lead_officer_id", "second_officer_id"))
    inputs = draw.draw_inputs(2026, 3)
    assert inputs.digest() == plan.summary["inputs_sha256"] and plan.seed == 20260301
    replay = sorted(draw.compute(inputs, plan.seed).items)
    assert replay == stored
    assert sorted(draw.compute(inputs, plan.seed + 1).items) != stored


def test_only_the_bureau_draws_and_only_once_a_month():
    county(per_colour=1, positive=0)
    team = officers(4)
    with pytest.raises(NotAllowed):
        plan_draw(year=2026, month=1, user=team[0])
    bureau = f.bureau_user()
    plan = plan_draw(year=2026, month=1, user=bureau)
    assert plan.seed is not None and InspectionPlan.objects.get().drawn_by == bureau
    with pytest.raises(WorkflowError, match="already drawn"):
        plan_draw(year=2026, month=1, user=bureau)
