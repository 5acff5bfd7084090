"""Benchmark: one-click reports. The yearly report of one enterprise (goal: a few seconds) and the
yearly summary of the whole county (goal: under a minute), as data and rendered to PDF and Excel.
Baselines from the same run: for the report, the rows fetched and counted in Python (one query per
outlet and pollutant); for the summary, the same summary counting its valid hours from the hourly
aggregates instead of the daily roll-up, and a per-enterprise naive count timed on a sample and
extrapolated. The roll-up's first build (what the nightly task does once) is timed too.

Run: .venv/bin/python benchmarks/bench_outreach.py [--enterprises 10250] [--days 365] [--sample 40]
A throwaway database ``enf_bench_outreach`` gets the demo county, hourly aggregates for every
limited pollutant of every online outlet over the last ``--days`` days with their daily aggregates,
and for the measured enterprise a full year of hourly aggregates and hourly (CN 2061) readings with
their Cou. ``--prepare-only`` then ``--keep`` split the preparation from the measure.
"""
import argparse
import datetime as dt
import os
import time
from contextlib import contextmanager

from common import keep_database, print_table, timer, use_database
from summary import record

# One row per hour and limited pollutant of every online outlet (one limit per pair), the indexes and the
# foreign-key triggers of the table off for the load (a throwaway database; they are rebuilt after).
AGGREGATES_SQL = """
INSERT INTO monitoring_aggregate (outlet_id, pollutant_id, period, start, count, valid_count, sum, avg, min, max,
                                  updated_at)
SELECT l.outlet_id, l.pollutant_id, 'hour', h, 60, v.vc, v.a * v.vc, v.a, v.a * 0.9, v.a * 1.1, %(now)s
FROM (SELECT DISTINCT ON (l.outlet_id, l.pollutant_id) l.id, l.outlet_id, l.pollutant_id, l.limit_value
      FROM enterprises_permitlimit l JOIN enterprises_outlet o ON o.id = l.outlet_id
      WHERE o.online_monitored ORDER BY l.outlet_id, l.pollutant_id, l.id) l
CROSS JOIN generate_series(%(start)s::timestamptz, %(end)s::timestamptz, interval '1 hour') h
CROSS JOIN LATERAL (
  SELECT l.limit_value::float * CASE WHEN random() < 0.004 + 0 * extract(epoch FROM h) THEN 1.2
                                     ELSE 0.3 + random() * 0.5 END AS a,
         CASE WHEN random() < 0.02 + 0 * l.id THEN 40 ELSE 60 END AS vc
) v
WHERE random() > 0.01
"""

# What ingestion keeps beside the hourly aggregates: one daily aggregate per outlet, pollutant and local day.
DAILY_SQL = """
INSERT INTO monitoring_aggregate (outlet_id, pollutant_id, period, start, count, valid_count, sum, avg, min, max,
                                  updated_at)
SELECT outlet_id, pollutant_id, 'day', date_trunc('day', start, 'Asia/Shanghai'), sum(count), sum(valid_count),
       sum(sum), sum(sum) / nullif(sum(valid_count), 0), min(min), max(max), %(now)s
FROM monitoring_aggregate
WHERE period = 'hour' AND outlet_id IS NOT NULL
GROUP BY outlet_id, pollutant_id, date_trunc('day', start, 'Asia/Shanghai')
ON CONFLICT DO NOTHING
"""

# The days of the year before the hourly load reached (cut short by ``--load-budget``): their daily
# aggregates alone, so the summary still reads a year of days (their roll-up counts no valid hour).
DAILY_FILL_SQL = """
INSERT INTO monitoring_aggregate (outlet_id, pollutant_id, period, start, count, valid_count, sum, avg, min, max,
                                  updated_at)
SELECT l.outlet_id, l.pollutant_id, 'day', d, 1440, 1400, 1400 * l.limit_value::float * 0.5,
       l.limit_value::float * 0.5, l.limit_value::float * 0.3, l.limit_value::float * 0.8, %(now)s
FROM (SELECT DISTINCT l.outlet_id, l.pollutant_id, l.limit_value
      FROM enterprises_permitlimit l JOIN enterprises_outlet o ON o.id = l.outlet_id WHERE o.online_monitored) l
CROSS JOIN generate_series(%(start)s::timestamptz, %(end)s::timestamptz, interval '1 day') d
ON CONFLICT DO NOTHING
"""

READINGS_SQL = """
INSERT INTO monitoring_reading (device_id, pollutant_id, kind, observed_at, outlet_id, value, avg, cou, flag,
                                received_at)
SELECT d.id, l.pollutant_id, 'hour', h, d.outlet_id, 50, 50, 1.25, 'N', h + interval '2 minutes'
FROM enterprises_permitlimit l
JOIN monitoring_device d ON d.outlet_id = l.outlet_id
CROSS JOIN generate_series(%(start)s::timestamptz, %(end)s::timestamptz, interval '1 hour') h
WHERE d.outlet_id = ANY(%(outlets)s)
ON CONFLICT DO NOTHING
"""


def measured_enterprise():
    from enterprises.models import Enterprise

    return (Enterprise.objects.filter(outlets__online_monitored=True, outlets__limits__isnull=False)
            .order_by("pk").distinct().first())


def _indexes(cur, table: str) -> list[tuple[str, str]]:
    """The table's indexes but its primary key, as (name, definition)."""
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE contype = 'p')", [table])
    return cur.fetchall()


def seed(args) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", enterprises=args.enterprises, no_progress=True, skip_checks=True, verbosity=0)
    print(f"seeded the demo county ({args.enterprises:,} enterprises) in {time.perf_counter() - started:.1f} s",
          flush=True)


def load(args, now):
    """``--days`` of hourly aggregates for every limited pollutant of every online outlet, up to the local day
    the demo's own data begin (a month at a time), the daily aggregates ingestion keeps beside them, and a
    year of hourly readings for the measured enterprise."""
    from django.db import connection
    from django.utils import timezone

    from enterprises.models import Outlet
    from monitoring.models import Aggregate
    from monitoring.services import partitions

    target = measured_enterprise()
    outlets = list(Outlet.objects.filter(enterprise=target, online_monitored=True).values_list("pk", flat=True))
    demo_first = Aggregate.objects.filter(period=Aggregate.Period.HOUR).order_by("start").values_list(
        "start", flat=True).first() or now
    last = timezone.localtime(min(now, demo_first)).replace(hour=0, minute=0, second=0, microsecond=0)
    first = last - dt.timedelta(days=args.days)
    table = Aggregate._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cur:
        dropped = _indexes(cur, table)
        for name, _ in dropped:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")  # no foreign-key triggers for the load
        upto = last  # the latest month first: a load cut short by ``--load-budget`` holds the latest days
        while upto > first and time.perf_counter() - started < args.load_budget:
            chunk = max(upto - dt.timedelta(days=30), first)
            cur.execute(AGGREGATES_SQL, {"now": now, "start": chunk, "end": upto - dt.timedelta(hours=1)})
            print(f"  hourly aggregates from {chunk:%Y-%m-%d}: {time.perf_counter() - started:.0f} s, "
                  f"load {open('/proc/loadavg').read().split()[0]}", flush=True)
            upto = chunk
        if upto > first:
            print(f"  load budget spent: the county has hourly aggregates from {upto:%Y-%m-%d} only", flush=True)
        cur.execute("SET session_replication_role = DEFAULT")
        for name, definition in dropped:
            cur.execute(definition)
            print(f"  index {name} rebuilt: {time.perf_counter() - started:.0f} s", flush=True)
        cur.execute(DAILY_SQL, {"now": now})
        if upto > first:
            cur.execute(DAILY_FILL_SQL, {"now": now, "start": first, "end": upto - dt.timedelta(days=1)})
        year_start = now - dt.timedelta(days=365)
        year_days = (timezone.localtime(year_start + dt.timedelta(days=d)).date() for d in range(367))
        partitions.ensure_partitions(year_days)
        cur.execute(READINGS_SQL, {"start": year_start, "end": now, "outlets": outlets})
        cur.execute(f"ANALYZE {table}; ANALYZE monitoring_reading")
    hourly = Aggregate.objects.filter(period=Aggregate.Period.HOUR).count()
    print(f"{hourly:,} hourly aggregates ({upto:%Y-%m-%d} to now), their daily ones and a year of hourly readings "
          f"for one enterprise in {time.perf_counter() - started:.1f} s", flush=True)


def stamp_today(now) -> int:
    """What ingestion does all day: every reading of today stamps today's daily aggregates."""
    from django.utils import timezone

    from monitoring.models import Aggregate

    midnight = timezone.localtime(now).replace(hour=0)
    return Aggregate.objects.filter(period=Aggregate.Period.DAY, start__gte=midnight).update(
        updated_at=timezone.now())


@contextmanager
def hourly_valid_hours(data):
    """The summary as it was before the roll-up: valid hours counted from a year of hourly aggregates."""
    from django.db.models import Count, F, FilteredRelation, Q

    from monitoring.models import Aggregate

    def count(online, since, until):
        rows = (Aggregate.objects.filter(outlet_id__in=online.values("pk"), period=Aggregate.Period.HOUR,
                                         start__gte=since, start__lt=until)
                .annotate(lim=FilteredRelation("outlet__limits",
                                               condition=Q(outlet__limits__pollutant=F("pollutant"))))
                .filter(lim__isnull=False).values("outlet__enterprise_id").order_by()
                .annotate(n=Count("id", filter=Q(valid_count__gt=0))))
        return {r["outlet__enterprise_id"]: r["n"] for r in rows}

    kept = data._valid_hours_by_enterprise
    data._valid_hours_by_enterprise = count
    try:
        yield
    finally:
        data._valid_hours_by_enterprise = kept


def naive_monitoring(enterprise, since, until) -> list[dict]:
    """The baseline: every row fetched, counted in Python, one query per outlet and pollutant."""
    from alerts.models import Exceedance
    from enterprises.models import PermitLimit
    from monitoring.models import Aggregate, Reading

    out = []
    for limit in PermitLimit.objects.filter(outlet__enterprise=enterprise).select_related("outlet"):
        rows = list(Aggregate.objects.filter(outlet_id=limit.outlet_id, pollutant_id=limit.pollutant_id,
                                             period="hour", start__gte=since, start__lt=until))
        valid = [r for r in rows if r.valid_count > 0]
        values = sum(r.valid_count for r in valid)
        cou = [r.cou for r in Reading.objects.filter(outlet_id=limit.outlet_id, pollutant_id=limit.pollutant_id,
                                                      kind="hour", observed_at__gte=since, observed_at__lt=until)]
        out.append({"valid_hours": len(valid), "average": sum(r.sum for r in valid) / values if values else None,
                    "exceedances": len(list(Exceedance.objects.filter(
                        outlet_id=limit.outlet_id, pollutant_id=limit.pollutant_id, start__gte=since,
                        start__lt=until))),
                    "emission": sum(c for c in cou if c is not None)})
    return out


def naive_summary_row(enterprise, since, until) -> dict:
    from alerts.models import Alert
    from dispatch.models import Round, WorkOrder

    rows = naive_monitoring(enterprise, since, until)
    return {"valid_hours": sum(r["valid_hours"] for r in rows),
            "warnings": len(list(Alert.objects.filter(enterprise=enterprise, opened_at__gte=since,
                                                      opened_at__lt=until))),
            "work_orders": len(list(WorkOrder.objects.filter(enterprise=enterprise, opened_at__gte=since,
                                                             opened_at__lt=until))),
            "rounds": len(list(Round.objects.filter(enterprise=enterprise, submitted_at__gte=since,
                                                    submitted_at__lt=until)))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_250)
    parser.add_argument("--days", type=int, default=365, help="days of hourly aggregates for the whole county")
    parser.add_argument("--sample", type=int, default=40, help="enterprises the summary's baseline is timed on")
    parser.add_argument("--keep", action="store_true", help="measure the database a previous run prepared")
    parser.add_argument("--prepare-only", action="store_true", help="prepare the database, measure nothing")
    parser.add_argument("--skip-seed", action="store_true", help="load and measure the county a run seeded")
    parser.add_argument("--load-budget", type=float, default=float("inf"),
                        help="seconds the hourly load may take (the latest months first)")
    args = parser.parse_args()
    name = os.environ.get("BENCH_DB", "enf_bench_outreach")
    if args.keep or args.skip_seed:
        keep_database(name)
    else:
        use_database(name)
    from django.utils import timezone

    from core import clock
    from enterprises.models import Enterprise
    from monitoring.models import Aggregate
    from outreach.reports import data, layout, pdf, xlsx
    from outreach.services.periods import period_bounds
    from outreach.services.rollups import valid_hours_refresh

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    if not (args.keep or args.skip_seed):
        seed(args)
    if not args.keep:
        load(args, now)
    target = measured_enterprise()
    if args.prepare_only:
        return
    today = timezone.localtime(now).date()
    start, end = today - dt.timedelta(days=364), today
    since, until = period_bounds(start, end)
    t: dict[str, float] = {}
    with clock.frozen(now):
        data.enterprise_report(target, start, end)  # warm the connection and caches
        with timer(t, "report_data"):
            report = data.enterprise_report(target, start, end)
        with timer(t, "report_pdf"):
            pdf.render("企业监测报表", layout.enterprise_header(report), layout.enterprise_sections(report))
        with timer(t, "report_xlsx"):
            xlsx.render("企业监测报表", layout.enterprise_header(report), layout.enterprise_sections(report))
        with timer(t, "report_naive"):
            naive = naive_monitoring(target, since, until)
        limited = [r for r in report.monitoring if r.limit is not None]
        assert (sum(r["exceedances"] for r in naive), sum(r["valid_hours"] for r in naive)) == (
            sum(r.exceedances for r in limited), sum(r.valid_hours for r in limited)), "baseline disagrees"
        load_report = os.getloadavg()[0]

        everyone = Enterprise.objects.all()
        loads = {}
        with timer(t, "rollup_build"):
            days = valid_hours_refresh()  # the nightly task's first run: every day of the year
        loads["rollup_build"] = os.getloadavg()[0]
        print(f"roll-up built: {days:,} days counted in {t['rollup_build']:.1f} s (load {loads['rollup_build']:.2f})")
        stamped = stamp_today(now)
        with timer(t, "summary_data"):
            summary = data.county_summary(everyone, start, end)
        loads["summary_data"] = os.getloadavg()[0]
        with timer(t, "summary_pdf"):
            pdf.render("企业监测汇总表", layout.county_header(summary, "全县"), layout.county_sections(summary))
        with timer(t, "summary_xlsx"):
            xlsx.render("企业监测汇总表", layout.county_header(summary, "全县"), layout.county_sections(summary))
        loads["summary_render"] = os.getloadavg()[0]
        with timer(t, "summary_hourly"), hourly_valid_hours(data):
            previous = data.county_summary(everyone, start, end)
        loads["summary_hourly"] = os.getloadavg()[0]
        assert previous.totals == summary.totals, "the hourly count disagrees with the roll-up"
        sample = list(everyone.order_by("?")[:args.sample])
        with timer(t, "summary_naive_sample"):
            for ent in sample:
                naive_summary_row(ent, since, until)
        loads["summary_naive"] = os.getloadavg()[0]
    n = everyone.count()
    naive_summary = t["summary_naive_sample"] / len(sample) * n
    rows = sum(r.valid_hours for r in report.monitoring)
    report_total = t["report_data"] + t["report_pdf"] + t["report_xlsx"]
    summary_total = t["summary_data"] + max(t["summary_pdf"], t["summary_xlsx"])
    hourly = Aggregate.objects.filter(period=Aggregate.Period.HOUR).count()
    print_table(f"One-click reports, {hourly:,} hourly aggregates (load average: report {load_report:.2f}, "
                f"summary {loads['summary_data']:.2f}, its renders {loads['summary_render']:.2f}, "
                f"hourly baseline {loads['summary_hourly']:.2f}, naive {loads['summary_naive']:.2f})", [
        (f"yearly report of one enterprise, data ({len(report.monitoring)} rows, {rows:,} valid hours)",
         f"{t['report_data']:.2f} s", f"{t['report_naive']:.2f} s (rows fetched, counted in Python)"),
        ("… rendered as PDF / Excel", f"{t['report_pdf']:.2f} s / {t['report_xlsx']:.2f} s", ""),
        (f"county summary of a year, data ({n:,} enterprises; today's {stamped:,} days counted again)",
         f"{t['summary_data']:.2f} s", f"{t['summary_hourly']:.2f} s (valid hours counted from the hourly "
                                         f"aggregates), {t['summary_hourly'] / t['summary_data']:.1f}×"),
        ("", "", f"{naive_summary:.1f} s (per enterprise, {len(sample)} timed, extrapolated)"),
        ("… rendered as PDF / Excel", f"{t['summary_pdf']:.2f} s / {t['summary_xlsx']:.2f} s", ""),
        ("county summary, data + PDF", f"{summary_total:.2f} s",
         f"{t['summary_hourly'] + t['summary_pdf']:.2f} s"),
        ("roll-up's first build (nightly task, a whole year)", f"{t['rollup_build']:.1f} s", ""),
    ])
    print(f"load average now: {open('/proc/loadavg').read().strip()}")
    record("outreach", {"report_s": report_total, "report_s_baseline": t["report_naive"],
                        "summary_s": summary_total, "summary_s_baseline": t["summary_hourly"] + t["summary_pdf"],
                        "summary_naive_s": naive_summary, "rollup_build_s": t["rollup_build"],
                        "loadavg": loads["summary_data"], "enterprises": n, "hourly_aggregates": hourly})


if __name__ == "__main__":
    main()
