"""Benchmark: drawing the county's monthly inspection plan (``enforcement.services.plan_draw``) and
building the 12-quarter / 12-month compliance strips (``enforcement.selectors.compliance_strips``) for
every enterprise, on PostgreSQL, each beside a per-enterprise baseline in the same run on the same data:

* draw baseline: for each enterprise, one query for its colour, one for its inspections this year, one
  for its previous officers, one for the positive list, and one INSERT per drawn inspection;
* strips baseline: ``compliance_strips`` called for one enterprise at a time.

The baselines are slow, so they run over the first ``--sample`` enterprises and are extrapolated linearly.
The load average is printed beside each figure (2 shared cores).

Run: .venv/bin/python benchmarks/bench_enforcement.py [--enterprises 10250] [--sample 1000]
"""
import argparse
import datetime as dt
import os
import random

from common import print_table, timer, use_database
from summary import record

COLOURS = [("green", 0.45), ("blue", 0.3), ("yellow", 0.15), ("orange", 0.07), ("red", 0.03)]


def build(n: int, now: dt.datetime) -> None:
    """``n`` enterprises over 11 townships with eco-code colours, 33 officers, three years of warnings,
    inspections, joint inspections (a tenth of the enterprises, bureau and township parts signed) and cases
    (bulk inserts)."""
    from alerts.models import Alert
    from dispatch.models import WorkOrder
    from ecocode.models import EcoCode
    from enforcement.models import Case, Inspection, JointInspection, JointPart
    from enterprises.models import County, Enterprise, Industry, Outlet, Permit, Role, Township, User
    from enterprises.validators import make_credit_code

    rng = random.Random(11)
    county = County.objects.create(code="330483", name="桐乡市")
    towns = Township.objects.bulk_create(Township(county=county, code=f"T{k:03d}", name=f"镇{k}", latitude=30.6,
                                                  longitude=120.5) for k in range(11))
    industry = Industry.objects.first()
    ents = Enterprise.objects.bulk_create([
        Enterprise(credit_code=make_credit_code("330483", f"B{k:07d}"), name=f"企业{k}", industry=industry,
                   latitude=30.6, longitude=120.5, township=rng.choice(towns),
                   management_class=rng.choice(["key", "simplified", "registration"])) for k in range(n)],
        batch_size=5000)
    colours, weights = zip(*COLOURS)
    EcoCode.objects.bulk_create([EcoCode(enterprise=e, colour=rng.choices(colours, weights)[0]) for e in ents],
                                batch_size=5000)
    officers = User.objects.bulk_create([User(username=f"officer{k}", role=Role.ENFORCEMENT) for k in range(33)])
    bureau = User.objects.create(username="bureau", role=Role.BUREAU)
    permits = Permit.objects.bulk_create([Permit(enterprise=e, number=f"P{e.pk:010d}", management_class="key",
                                                 issued_on=dt.date(2024, 1, 1), valid_from=dt.date(2024, 1, 1),
                                                 expires_on=dt.date(2029, 1, 1)) for e in ents[: n // 5]])
    outlets = Outlet.objects.bulk_create([Outlet(permit=p, enterprise_id=p.enterprise_id, code="DW001", kind="water",
                                                 name="总排口") for p in permits])
    days = 3 * 365
    Alert.objects.bulk_create([
        Alert(outlet=o, enterprise_id=o.enterprise_id, rule=rng.choice(["exceedance", "missing_data", "near_limit"]),
              opened_at=(at := now - dt.timedelta(days=rng.randrange(days))), last_seen_at=at, state="resolved",
              resolved_at=at)
        for o in outlets for _ in range(3)], batch_size=5000)
    Inspection.objects.bulk_create([
        Inspection(enterprise=e, mode="off_site", recorded_by=bureau, basis=["online_data"],
                   started_at=(at := now - dt.timedelta(days=rng.randrange(days))), ended_at=at,
                   problems_found=int(rng.random() < 0.2)) for e in ents for _ in range(2)], batch_size=5000)
    joints = JointInspection.objects.bulk_create([
        JointInspection(enterprise=e, planned_on=(at := now - dt.timedelta(days=rng.randrange(days))).date(),
                        purpose="联合检查", invited_by=bureau, invited_at=at) for e in rng.sample(ents, n // 10)],
        batch_size=5000)
    JointPart.objects.bulk_create([
        JointPart(joint=j, party=party, township_id=j.enterprise.township_id if party == "township" else None,
                  findings="检查", problems_found=int(rng.random() < 0.3), signed_by=bureau, signer_name="签字人",
                  signed_at=j.invited_at) for j in joints for party in ("bureau", "township")], batch_size=5000)
    orders = WorkOrder.objects.bulk_create([
        WorkOrder(enterprise=e, township_id=e.township_id, source="manual", title="案源", opened_at=now)
        for e in rng.sample(ents, n // 20)], batch_size=5000)
    Case.objects.bulk_create([
        Case(enterprise_id=o.enterprise_id, work_order=o, facts="超标", opened_by=bureau,
             lead_at=now - dt.timedelta(days=rng.randrange(days)), file_due_on=now.date()) for o in orders])
    return officers, bureau


def naive_draw(year: int, month: int, limit: int, seed: int) -> int:
    """The draw one enterprise at a time (the same rules as ``enforcement.services.draw.compute``)."""
    from ecocode.models import ColourBand, EcoCode
    from enforcement.models import InspectionPlan, PlannedInspection, PositiveListEntry
    from enterprises.models import Enterprise, Role, User

    rng = random.Random(seed)
    plan = InspectionPlan.objects.create(year=year, month=month + 1)
    officers = list(User.objects.filter(role=Role.ENFORCEMENT).values_list("pk", flat=True))
    left = dict.fromkeys(officers, 30)
    drawn = 0
    for ent in Enterprise.objects.order_by("pk")[:limit]:
        colour = EcoCode.objects.filter(enterprise=ent).values_list("colour", flat=True).first()
        per_year = ColourBand.objects.get(colour=colour).inspections_per_year if colour else 4
        done = PlannedInspection.objects.filter(enterprise=ent, plan__year=year, plan__month__lt=month).count()
        prev = PlannedInspection.objects.filter(enterprise=ent).order_by("-plan__year", "-plan__month").first()
        excluded = {prev.lead_officer_id, prev.second_officer_id} if prev else set()
        positive = PositiveListEntry.objects.filter(enterprise=ent, state="listed").exists()
        due = per_year - done
        if due <= 0 or rng.random() >= min(1.0, due / (13 - month) * (1.5 if ent.management_class == "key" else 1)):
            continue
        pool = sorted((o for o in officers if left[o] > 0 and o not in excluded), key=lambda o: -left[o])
        need = 1 if positive else 2
        if len(pool) < need:
            continue
        chosen = pool[:need]
        for o in chosen:
            left[o] -= 1
        PlannedInspection.objects.create(plan=plan, enterprise=ent, mode="off_site" if positive else "on_site",
                                         lead_officer_id=chosen[0], second_officer_id=chosen[1] if need == 2 else None)
        drawn += 1
    return drawn


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=10_250)
    parser.add_argument("--sample", type=int, default=1_000)
    args = parser.parse_args()
    use_database("enf_bench_enforcement")
    from django.utils import timezone

    from enforcement.selectors import compliance_strips
    from enforcement.services import plan_draw
    from enterprises.models import Enterprise

    now = timezone.now()
    times, loads = {}, {}
    with timer(times, "build"):
        _officers, bureau = build(args.enterprises, now)
    print(f"{args.enterprises} enterprises built in {times['build']:.1f} s ({load()})")
    for month in (1, 2):  # month 2 reads month 1's plan: previous officers and inspections done
        with timer(times, f"draw{month}"):
            plan = plan_draw(year=2026, month=month, user=bureau, seed=month)
        loads[f"draw{month}"] = load()
    sample = min(args.sample, args.enterprises)
    scale = args.enterprises / sample
    with timer(times, "naive_draw"):
        naive_draw(2026, 2, sample, 2)
    loads["naive_draw"] = load()
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    with timer(times, "strips"):
        strips = compliance_strips(ids, now)
    loads["strips"] = load()
    assert len(strips) == len(ids)
    with timer(times, "naive_strips"):
        for pk in ids[:sample]:
            assert compliance_strips([pk], now)[pk] == strips[pk]
    loads["naive_strips"] = load()
    naive_draw_s, naive_strips_s = times["naive_draw"] * scale, times["naive_strips"] * scale
    print(f"plan of month 2: {plan.summary['drawn']} drawn of {plan.summary['candidates']} candidates, "
          f"{len(plan.summary['unstaffed'])} without officers left")
    print_table(f"enforcement over {args.enterprises} enterprises (PostgreSQL)", [
        ("monthly draw (month 1), s", f"{times['draw1']:.2f} ({loads['draw1']})", "-"),
        ("monthly draw (month 2), s", f"{times['draw2']:.2f} ({loads['draw2']})",
         f"{naive_draw_s:.1f} per enterprise, from {sample} ({loads['naive_draw']})"),
        ("12-quarter + 12-month strips, all, s", f"{times['strips']:.2f} ({loads['strips']})",
         f"{naive_strips_s:.1f} per enterprise, from {sample} ({loads['naive_strips']})"),
        ("speed-up draw / strips", f"{naive_draw_s / times['draw2']:.0f}x / {naive_strips_s / times['strips']:.0f}x",
         "1x"),
    ])
    record("enforcement", {"draw_s": times["draw2"], "draw_s_baseline": naive_draw_s, "strips_s": times["strips"],
                           "strips_s_baseline": naive_strips_s})


if __name__ == "__main__":
    main()
