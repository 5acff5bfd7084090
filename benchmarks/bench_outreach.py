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

from common import print_table, timer, use_database
from summary import record

AGGREGATES_SQL = """
INSERT INTO monitoring_aggregate (outlet_id, pollutant_id, period, start, count, valid_count, sum, avg, min, max,
                                  updated_at)
SELECT l.outlet_id, l.pollutant_id, 'hour', h, 60, v.vc, v.a * v.vc, v.a, v.a * 0.9, v.a * 1.1, %(now)s
FROM enterprises_permitlimit l
JOIN enterprises_outlet o ON o.id = l.outlet_id
CROSS JOIN generate_series(%(start)s::timestamptz, %(end)s::timestamptz, interval '1 hour') h
CROSS JOIN LATERAL (
  SELECT l.limit_value::float * CASE WHEN random() < 0.004 + 0 * extract(epoch FROM h) THEN 1.2
                                     ELSE 0.3 + random() * 0.5 END AS a,
         CASE WHEN random() < 0.02 + 0 * l.id THEN 40 ELSE 60 END AS vc
) v
WHERE o.online_monitored AND {where} AND random() > 0.01
ON CONFLICT DO NOTHING
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


def keep_database(name: str) -> None:
    """Use the database ``name`` as a previous run left it (migrated to the current code)."""
    import django
    from django.core.management import call_command

    os.environ["DATABASE_URL"] = f"postgres://postgres@{os.environ.get('PGHOST', '127.0.0.1')}:5432/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("migrate", verbosity=0)


def measured_enterprise():
    from enterprises.models import Enterprise

    return (Enterprise.objects.filter(outlets__online_monitored=True, outlets__limits__isnull=False)
            .order_by("pk").distinct().first())


def _secondary_indexes(cur, table: str) -> list[tuple[str, str]]:
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef NOT LIKE %s",
                [table, "CREATE UNIQUE%"])
    return cur.fetchall()


def prepare(args, now):
    """The demo county, then ``--days`` of hourly aggregates for every limited pollutant of every online
    outlet (a month at a time, the table's non-unique indexes dropped for the load and rebuilt after), the
    daily aggregates ingestion keeps beside them, and a year of hourly readings for the measured enterprise."""
    from django.core.management import call_command
    from django.db import connection

    from enterprises.models import Outlet
    from monitoring.models import Aggregate
    from monitoring.services import partitions

    started = time.perf_counter()
    call_command("seed_demo", enterprises=args.enterprises, no_progress=True, skip_checks=True, verbosity=0)
    print(f"seeded the demo county ({args.enterprises:,} enterprises) in {time.perf_counter() - started:.1f} s")
    target = measured_enterprise()
    outlets = list(Outlet.objects.filter(enterprise=target, online_monitored=True).values_list("pk", flat=True))
    first = now - dt.timedelta(days=args.days)
    year_start = now - dt.timedelta(days=365)
    started = time.perf_counter()
    with connection.cursor() as cur:
        dropped = _secondary_indexes(cur, Aggregate._meta.db_table)
        for name, _ in dropped:
            cur.execute(f'DROP INDEX "{name}"')
        chunk = first
        while chunk < now:
            upto = min(chunk + dt.timedelta(days=30), now)
            cur.execute(AGGREGATES_SQL.format(where="o.enterprise_id <> %(target)s"),
                        {"now": now, "start": chunk, "end": upto - dt.timedelta(hours=1), "target": target.pk})
            print(f"  hourly aggregates up to {upto:%Y-%m-%d}: {time.perf_counter() - started:.0f} s, "
                  f"load {open('/proc/loadavg').read().split()[0]}", flush=True)
            chunk = upto
        cur.execute(AGGREGATES_SQL.format(where="o.enterprise_id = %(target)s"),
                    {"now": now, "start": year_start, "end": now, "target": target.pk})
        for _, definition in dropped:
            cur.execute(definition)
        cur.execute(DAILY_SQL, {"now": now})
        partitions.ensure_for_times(year_start + dt.timedelta(days=d) for d in range(367))
        cur.execute(READINGS_SQL, {"start": year_start, "end": now, "outlets": outlets})
        cur.execute("ANALYZE monitoring_aggregate; ANALYZE monitoring_reading")
    hourly = Aggregate.objects.filter(period=Aggregate.Period.HOUR).count()
    print(f"added {hourly:,} hourly aggregates, their daily ones and a year of hourly readings for one "
          f"enterprise in {time.perf_counter() - started:.1f} s")
    return target


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
    args = parser.parse_args()
    name = os.environ.get("BENCH_DB", "enf_bench_outreach")
    if args.keep:
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
    target = measured_enterprise() if args.keep else prepare(args, now)
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
