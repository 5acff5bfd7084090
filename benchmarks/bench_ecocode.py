"""Benchmark: seconds to score every enterprise of the demo county (10,250) on the 102 indicators on
PostgreSQL — with evidence: every deduction lists its records (a JSON array per family), episodes charged
once, insufficient data graded apart, reports checked against the declared emissions — against a
per-enterprise ORM loop (one query per indicator and enterprise, one save per score) timed on a sample
and extrapolated. The load average is printed beside the figures (the machine is shared).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/enf_bench_ecocode .venv/bin/python benchmarks/bench_ecocode.py
     [--sample 100] [--runs 2] [--same-as RUN]
``--same-as RUN`` scores at that stored run's moment and checks that every enterprise's colour, score, points
per group and explanation (deductions, their records, already charged, relieved) are those of the stored run
(exit status 1 if any differs): a change to the engine is checked against the engine before it.
The database is seeded (``seed_demo``) if empty, then given a year of activity for every rule family
(30 days of hourly aggregates for every online duty, devices, warnings, maintenance windows,
complaints, work orders, checklists, self-check notices, declared emissions of 3,000 reports) unless it
already has it, and the exceedances alerts would record from those hours.
"""
import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from decimal import Decimal

from common import ROOT, print_table  # noqa: F401  (sets sys.path)
from summary import record


def setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/enf_bench_ecocode")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from enterprises.models import Enterprise

    if not Enterprise.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", no_progress=True, skip_checks=True)
        print(f"seeded the demo county in {time.perf_counter() - started:.1f} s")


AGGREGATES_SQL = """
INSERT INTO monitoring_aggregate (outlet_id, pollutant_id, period, start, count, valid_count, sum, avg, min, max,
                                  updated_at)
SELECT d.outlet_id, d.pollutant_id, 'hour', h, 60, v.vc, v.a * v.vc, v.a, v.a * 0.9, v.a * 1.1, %(now)s
FROM enterprises_monitoringduty d
JOIN enterprises_outlet o ON o.id = d.outlet_id
JOIN enterprises_permitlimit l ON l.outlet_id = d.outlet_id AND l.pollutant_id = d.pollutant_id
CROSS JOIN generate_series(%(start)s::timestamptz, %(end)s::timestamptz, interval '1 hour') h
CROSS JOIN LATERAL (
  SELECT l.limit_value::float * CASE WHEN random() < 0.003 + 0 * extract(epoch FROM h) THEN 1.1 + random()
                                     ELSE 0.3 + random() * 0.5 END AS a,
         CASE WHEN random() < 0.02 + 0 * d.id THEN 40 ELSE 60 END AS vc
) v
WHERE d.method = 'online' AND o.online_monitored
  AND random() > CASE WHEN d.id %% 20 = 0 THEN 0.3 ELSE 0.01 END
ON CONFLICT DO NOTHING
"""


# What alerts records as exceedances (``alerts.Exceedance``) from those hours: each hour over its hourly limit.
EXCEEDANCES_SQL = """
INSERT INTO alerts_exceedance (outlet_id, enterprise_id, pollutant_id, averaging_period, start, "end", value,
                               limit_value, unit, valid_count, built_from, recorded_at, withdrawn_reason)
SELECT a.outlet_id, o.enterprise_id, a.pollutant_id, 'hour', a.start, a.start + interval '1 hour', a.avg,
       l.limit_value::float, left(l.unit, 16), a.valid_count, 'hour', %(now)s, ''
FROM monitoring_aggregate a
JOIN enterprises_outlet o ON o.id = a.outlet_id
JOIN enterprises_permitlimit l ON l.outlet_id = a.outlet_id AND l.pollutant_id = a.pollutant_id
WHERE a.period = 'hour' AND a.start >= %(start)s AND a.avg > l.limit_value::float
ON CONFLICT DO NOTHING
"""


def add_exceedances(now: dt.datetime) -> None:
    """The exceedances of the hourly aggregates (unless recorded already)."""
    from django.db import connection

    from alerts.models import Exceedance

    if Exceedance.objects.filter(start__gte=now - dt.timedelta(days=30)).count() > 1000:
        return
    with connection.cursor() as cursor:
        cursor.execute(EXCEEDANCES_SQL, {"now": now, "start": now - dt.timedelta(days=31)})
    print(f"recorded {Exceedance.objects.count():,} exceedances")


def add_activity(now: dt.datetime) -> None:
    """A year of activity for every rule family (deterministic except the aggregates' noise)."""
    from django.db import connection, transaction

    from alerts.models import Alert, Silence
    from dispatch.models import Complaint, LineResult, Round, SelfCheckNotice, WorkOrder
    from dispatch.services.checklists import checklist_build
    from ecocode.models import ReportedEmission
    from enforcement.models import Case, DiscretionArticle
    from enterprises.models import Enterprise, ExecutionReport, MonitoringDuty, Outlet, Permit, User
    from monitoring.models import Aggregate, Device

    if Case.objects.filter(facts="BENCH").exists():  # added before (every online outlet may have a device)
        return
    rng = random.Random(7)
    started = time.perf_counter()
    hour = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        outlets = list(Outlet.objects.filter(online_monitored=True).values_list("pk", "enterprise_id"))
        wired = set(Device.objects.values_list("outlet_id", flat=True))
        Device.objects.bulk_create([
            Device(mn=f"BENCH{pk:010d}", outlet_id=pk,
                   last_seen_at=now - (dt.timedelta(days=2) if pk % 50 == 0 else dt.timedelta(minutes=5)))
            for pk, _ in outlets if pk not in wired], batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(AGGREGATES_SQL, {"now": now, "start": hour - dt.timedelta(days=30),
                                            "end": hour - dt.timedelta(hours=1)})
        enterprises = list(Enterprise.objects.values_list("pk", "township_id"))
        township = dict(enterprises)
        admin = User.objects.filter(is_superuser=True).first() or User.objects.first()
        rules = ["exceedance", "near_limit", "missing_data", "flat_line", "device_flag"]
        alerts = []
        for n in range(20000):
            out, ent = rng.choice(outlets)
            opened = now - dt.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            ack = opened + dt.timedelta(minutes=rng.choice([5, 10, 20, 45, 90])) if rng.random() < 0.8 else None
            escalated = opened + dt.timedelta(minutes=30) if ack is None and rng.random() < 0.5 else None
            alerts.append(Alert(outlet_id=out, enterprise_id=ent, rule=rng.choice(rules), state="resolved",
                                opened_at=opened, last_seen_at=opened, acknowledged_at=ack, escalated_at=escalated,
                                is_alarm=escalated is not None, resolved_at=opened + dt.timedelta(hours=2)))
        Alert.objects.bulk_create(alerts, batch_size=5000)
        Silence.objects.bulk_create([
            Silence(outlet_id=out, enterprise_id=ent, starts_at=now - dt.timedelta(days=d), reason="检修",
                    ends_at=now - dt.timedelta(days=d) + dt.timedelta(hours=8), created_by=admin,
                    created_at=now - dt.timedelta(days=d))
            for out, ent in rng.sample(outlets, min(300, len(outlets))) for d in (3, 9, 20)], batch_size=5000)
        Complaint.objects.bulk_create([
            Complaint(enterprise_id=ent, township_id=township[ent], channel=rng.choice(["qr", "web", "hotline"]),
                      text="异味扰民", created_at=now - dt.timedelta(days=rng.uniform(0, 365)))
            for ent, _ in rng.choices(enterprises, k=3000)], batch_size=5000)
        orders = []
        for ent, town in rng.choices(enterprises, k=8000):
            opened = now - dt.timedelta(days=rng.uniform(0, 365))
            closed = rng.random() < 0.85
            orders.append(WorkOrder(
                enterprise_id=ent, township_id=town, source=rng.choice(["alert", "complaint", "patrol", "inspection",
                                                                        "self_check", "station"]),
                title="问题", opened_at=opened, accept_due_at=opened + dt.timedelta(days=1),
                fix_due_at=opened + dt.timedelta(days=3), plan_due_at=opened + dt.timedelta(days=5),
                supervise_at=opened + dt.timedelta(days=7), due_at=opened + dt.timedelta(days=3),
                state="closed" if closed else rng.choice(["dispatched", "accepted", "handling"]),
                closed_at=opened + dt.timedelta(days=4) if closed else None,
                on_time=(rng.random() < 0.9) if closed else None,
                supervised_at=opened + dt.timedelta(days=7) if rng.random() < 0.03 else None))
        WorkOrder.objects.bulk_create(orders, batch_size=5000)
        articles = list(DiscretionArticle.objects.all())
        Case.objects.bulk_create([  # penalty decisions of cases, their work orders as source
            Case(enterprise_id=order.enterprise_id, work_order=order, facts="BENCH", opened_by=admin,
                 lead_at=order.opened_at, file_due_on=order.opened_at.date(), state="decided",
                 decision_number=f"桐环罚〔BENCH〕{n}号", article=(article := rng.choice(articles)),
                 reason=article.reason, decided_on=(now - dt.timedelta(days=rng.uniform(0, 1000))).date(),
                 amount=rng.choice([20000, 50000, 100000, 200000]))
            for n, order in enumerate(rng.sample(orders, min(500, len(orders))))], batch_size=5000)
        duty_pollutant = dict(MonitoringDuty.objects.filter(method="online").values_list("permit_id", "pollutant_id"))
        declared = [ReportedEmission(report_id=pk, pollutant_id=duty_pollutant[permit],
                                     amount_kg=Decimal(rng.randint(100, 5000)))
                    for pk, permit in ExecutionReport.objects.filter(submitted_on__isnull=False, emissions__isnull=True,
                                                                     permit_id__in=duty_pollutant)
                    .values_list("pk", "permit_id")[:3000]]
        ReportedEmission.objects.bulk_create(declared, batch_size=5000)
        for permit in Permit.objects.filter(pk__in=rng.sample(list(Permit.objects.values_list("pk", flat=True)), 300)):
            checklist = checklist_build(permit=permit)
            for batch, due in (("B1", now - dt.timedelta(days=60)), ("B2", now - dt.timedelta(days=10))):
                SelfCheckNotice.objects.create(enterprise_id=permit.enterprise_id, checklist=checklist, batch=batch,
                                               issued_at=due - dt.timedelta(days=14), due_at=due,
                                               completed_at=due - dt.timedelta(days=1) if rng.random() < 0.9 else None)
            rnd = Round.objects.create(kind=rng.choice(["patrol", "inspection"]), checklist=checklist,
                                       enterprise_id=permit.enterprise_id, township_id=township[permit.enterprise_id],
                                       client_uuid=uuid.UUID(int=rng.getrandbits(128)), performed_by=admin,
                                       submitted_at=now - dt.timedelta(days=rng.uniform(0, 300)))
            LineResult.objects.bulk_create([
                LineResult(round=rnd, line=line, result="fail" if rng.random() < 0.05 else "pass")
                for line in checklist.lines.all()])
    print(f"added a year of activity in {time.perf_counter() - started:.1f} s "
          f"({Aggregate.objects.count():,} hourly aggregates, {Alert.objects.count():,} warnings, "
          f"{WorkOrder.objects.count():,} work orders)")


def load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def per_enterprise_loop(ids, now, run) -> float:
    """The baseline: for each enterprise, one ORM query per indicator, then one save per row written."""
    from ecocode.models import EcoCode, Score
    from ecocode.rules import Context
    from ecocode.services.catalogue import current_version
    from ecocode.services.scoring import BASE_SCORE, colour_for, evaluate

    version = current_version()
    snap = version.snapshot
    indicators = [i for i in snap["indicators"] if i["active"]]
    started = time.perf_counter()
    for eid in ids:
        entries = []
        for ind in indicators:
            losses, _ = evaluate({"indicators": [ind], "bands": []}, Context(now, (eid,)))
            entries += losses.get(eid, [])
        value = max(Decimal(0), BASE_SCORE - sum(Decimal(str(e["points"])) for e in entries))
        colour = colour_for(value, snap["bands"], [e["cap"] for e in entries])
        Score.objects.create(run=run, enterprise_id=eid, catalogue_version=version, computed_at=now, score=value,
                             colour=colour, explanation=entries)
        code, _ = EcoCode.objects.get_or_create(enterprise_id=eid)
        code.colour, code.score, code.scored_at = colour, value, now
        code.save(update_fields=["colour", "score", "scored_at"])
    return time.perf_counter() - started


def differing(run, reference) -> list[int]:
    """The enterprises whose colour, score, points per group or explanation differ between two runs."""
    from ecocode.models import Score

    def scores(of):
        return {eid: rest for eid, *rest in Score.objects.filter(run=of).values_list(
            "enterprise_id", "colour", "score", "group_points", "explanation").iterator(chunk_size=2000)}
    mine, theirs = scores(run), scores(reference)
    return sorted(eid for eid in mine.keys() | theirs.keys() if mine.get(eid) != theirs.get(eid))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=100, help="enterprises timed in the per-enterprise baseline")
    parser.add_argument("--runs", type=int, default=2, help="full runs of the engine")
    parser.add_argument("--same-as", type=int, metavar="RUN",
                        help="score at that stored run's moment and check the results are the same as its")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.db.models import Count

    from core import clock
    from ecocode.models import Indicator, Score, ScoringRun
    from ecocode.rules import Context
    from ecocode.services import scoring
    from ecocode.services.catalogue import current_version
    from enterprises.models import Enterprise
    from notifications.models import Notification

    reference = ScoringRun.objects.get(pk=args.same_as) if args.same_as else None
    now = reference.as_of if reference else clock.now()
    add_activity(now)
    add_exceedances(now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    n = Enterprise.objects.exclude(status="closed").count()
    results = []
    snap = current_version().snapshot
    started = time.perf_counter()
    losses, unavailable = scoring.evaluate(snap, Context(now))
    evaluate_s = time.perf_counter() - started
    queries = []
    notices_before = Notification.objects.filter(kind="ecocode.colour").count()
    for _ in range(args.runs):
        statements = []  # counted by a wrapper: CaptureQueriesContext stops counting at 9,000

        def count(execute, sql, params, many, context):
            statements.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            run = scoring.score_all(as_of=now)
            results.append(time.perf_counter() - started)
        queries.append(len(statements))
    notices = Notification.objects.filter(kind="ecocode.colour").count() - notices_before
    colours = dict(Score.objects.filter(run=run).values_list("colour").annotate(c=Count("id")).order_by())
    sample = list(Enterprise.objects.order_by("?").values_list("pk", flat=True)[:args.sample])
    started = time.perf_counter()
    for enterprise in Enterprise.objects.filter(pk__in=sample[:10]):
        scoring.score_enterprise(enterprise, as_of=now)
    on_demand = (time.perf_counter() - started) / min(10, len(sample))
    baseline = per_enterprise_loop(sample, now, ScoringRun.objects.create(
        trigger="on_demand", as_of=now, started_at=now, catalogue_version=current_version())) / len(sample) * n
    missing = ", ".join(u["rule"] for u in unavailable) or "none"
    records = sum(len(e["records"]) for v in losses.values() for e in v)
    print(f"\n{n:,} enterprises, {Indicator.objects.filter(active=True).count()} active indicators, "
          f"rules without a data source: {missing}; {os.cpu_count()} CPU cores; "
          f"load average {open('/proc/loadavg').read().split()[:3]}")
    print(f"{records:,} records cited; {run.insufficient:,} enterprises with insufficient data")
    print(f"colours of the last run: {colours}; {sum(len(v) for v in losses.values()):,} indicator deductions")
    print(f"SQL statements per full run: {', '.join(f'{q:,}' for q in queries)}; {notices:,} colour-change notices "
          f"sent in {args.runs} runs (one notify_many batch per run)")
    different = differing(run, reference) if reference else []
    if reference:
        print(f"against run {reference.pk} of the same moment: {len(different):,} of {n:,} enterprises differ in colour, "
              f"score, points per group or explanation {different[:10]}")
    record("ecocode", {"full_run_s": results[0], "full_run_s_baseline": baseline,
                       "baseline": "(per-enterprise loop, extrapolated)"})
    print_table(f"Eco-code scoring of the whole county, with evidence (seconds; load average {load()})", [
        ("evaluate: one grouped query per rule family", f"{evaluate_s:.1f}", ""),
        ("full run #1 (evaluate + coverage + Score rows + EcoCode upsert + changes)", f"{results[0]:.1f}",
         f"{baseline:.0f} (per-enterprise loop, {len(sample)} timed, extrapolated)"),
        *[(f"full run #{i + 1}", f"{r:.1f}", "") for i, r in enumerate(results[1:], start=1)],
        ("speed-up (against the slowest full run)", f"{baseline / max(results):.0f}x", ""),
        ("on demand: one enterprise (same rules and queries, restricted to it)", f"{on_demand:.2f}",
         f"{baseline / n:.2f} (its per-enterprise loop)"),
    ])
    if different:
        sys.exit(1)


if __name__ == "__main__":
    main()
