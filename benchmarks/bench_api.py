"""Benchmark of the REST API on the demo county (PostgreSQL, in-process requests): latency and SQL
queries per list page for a county-wide user and a township officer (queries must not grow with the
page size: the baseline column is the same request with page_size=10), a bounded readings window of one
outlet, and the cost of idempotency (the baseline is the same write without an Idempotency-Key).

Run: .venv/bin/python benchmarks/bench_api.py [--enterprises 10250] [--repeat 15]
"""
import argparse
import datetime as dt
import statistics
import time
import uuid

from common import print_table, use_database


def timed(call, repeat: int) -> tuple[float, int]:
    """Median milliseconds of ``call()`` and the SQL queries of its last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        connection.queries_log.clear()  # DEBUG keeps a bounded log; a full one would hide the count
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code < 300, (response.status_code, response.content[:300])
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=10250)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    use_database("enf_bench_api")
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from rest_framework.test import APIClient

    from enterprises.models import Enterprise, Outlet, Pollutant, Role, User
    from monitoring.models import DataKind, Device, Reading

    setup_test_environment()  # allows the in-process test client's host
    call_command("seed_demo", enterprises=args.enterprises, no_progress=True, verbosity=0)
    bureau = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
    officer = User.objects.filter(role=Role.TOWNSHIP).order_by("pk").first()
    outlet = Outlet.objects.filter(devices__isnull=False, enterprise__township=officer.township).first()
    device = Device.objects.filter(outlet=outlet).first()
    now = timezone.now().replace(second=0, microsecond=0)
    pollutants = list(Pollutant.objects.filter(code__in=["w01018", "w21003", "w00000"]))
    rows = [Reading(device=device, pollutant=p, kind=DataKind.MINUTE, observed_at=now - dt.timedelta(minutes=m),
                    outlet=outlet, value=10.0 + m % 7, avg=10.0 + m % 7, received_at=now)
            for p in pollutants for m in range(2 * 24 * 60)]
    Reading.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)

    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    b, t = client(bureau), client(officer)
    rows = []
    for label, c, path in [("enterprises, bureau", b, "/api/v1/enterprises/"),
                           ("enterprises, township officer", t, "/api/v1/enterprises/"),
                           ("outlets with limits, bureau", b, "/api/v1/outlets/"),
                           ("work orders, bureau", b, "/api/v1/work-orders/"),
                           ("my work orders, township officer", t, "/api/v1/work-orders/?mine=true"),
                           ("warnings, bureau", b, "/api/v1/alerts/")]:
        sep = "&" if "?" in path else "?"
        big_ms, big_q = timed(lambda: c.get(f"{path}{sep}page_size=200"), args.repeat)
        small_ms, small_q = timed(lambda: c.get(f"{path}{sep}page_size=10"), args.repeat)
        rows.append((f"{label}: page of 200", f"{big_ms:.1f} ms, {big_q} queries",
                     f"page of 10: {small_ms:.1f} ms, {small_q} queries"))
    since = (now - dt.timedelta(days=1)).isoformat()
    ms, q = timed(lambda: t.get("/api/v1/readings/", {"outlet": outlet.pk, "kind": "minute", "since": since,
                                                       "until": now.isoformat(), "page_size": 2000}), args.repeat)
    rows.append(("readings: 1 day of minute data of one outlet, page of 2000", f"{ms:.1f} ms, {q} queries",
                 f"{Reading.objects.count()} readings stored"))

    ent = Enterprise.objects.filter(township=officer.township, grid__isnull=True).first() or \
        Enterprise.objects.filter(township=officer.township).first()
    body = {"kind": "patrol", "enterprise": ent.pk}
    if officer.grid_id is None and ent.grid_id is not None:
        body["enterprise"] = ent.pk
    plain, _ = timed(lambda: t.post("/api/v1/round-drafts/", body, format="json"), args.repeat)
    keyed, _ = timed(lambda: t.post("/api/v1/round-drafts/", body, format="json",
                                    HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), args.repeat)
    key = str(uuid.uuid4())
    t.post("/api/v1/round-drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    replay, _ = timed(lambda: t.post("/api/v1/round-drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key),
                      args.repeat)
    rows.append(("start a patrol round, with a fresh Idempotency-Key", f"{keyed:.1f} ms", f"without key: {plain:.1f} ms"))
    rows.append(("retry with the same key (replayed)", f"{replay:.1f} ms", f"first request: {keyed:.1f} ms"))
    print_table(f"REST API on a demo county of {Enterprise.objects.count()} enterprises (median of {args.repeat})",
                rows)


if __name__ == "__main__":
    main()
