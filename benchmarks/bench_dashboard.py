"""Benchmark: latency of the one map's data endpoint for the full demo county (10,250 enterprises) on
PostgreSQL, against a naive baseline endpoint that builds verbose GeoJSON with a per-enterprise ORM loop,
both through Django's test Client (whole request cycle: middleware, session, jurisdiction, gzip) in the
same run. Eco-code colours and open warnings are given to a share of the enterprises first so the
colour and warning columns are real.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--enterprises 10250] [--requests 200] [--baseline-requests 5]
"""
import argparse
import json
import random
import statistics
import time

from common import print_table, use_database


def give_colours_and_warnings(seed: int = 7) -> dict:
    """Bulk: an EcoCode for every enterprise (colours skewed to green), open warnings on 3% of them."""
    from django.utils import timezone

    from ecocode.models import EcoCode
    from enterprises.models import Enterprise, Outlet
    from alerts.models import Alert

    rng = random.Random(seed)
    now = timezone.now()
    colours = ["green"] * 55 + ["blue"] * 25 + ["yellow"] * 12 + ["orange"] * 6 + ["red"] * 2
    ids = list(Enterprise.objects.values_list("id", flat=True))
    EcoCode.objects.bulk_create([EcoCode(enterprise_id=i, colour=rng.choice(colours), score=80, scored_at=now)
                                 for i in ids], batch_size=5000, ignore_conflicts=True)
    outlets = {}
    for outlet_id, enterprise_id in Outlet.objects.values_list("id", "enterprise_id"):
        outlets.setdefault(enterprise_id, outlet_id)
    warned = rng.sample(sorted(outlets), k=len(outlets) * 3 // 100)
    Alert.objects.bulk_create([Alert(outlet_id=outlets[e], enterprise_id=e, rule="missing_data", state="notified",
                                     opened_at=now, last_seen_at=now) for e in warned], batch_size=5000)
    return {"enterprises": len(ids), "warned": len(warned)}


def naive_map(request):
    """The baseline: every visible enterprise as a GeoJSON Feature, its colour and open warnings read
    per enterprise (the N+1 loop a first version would write)."""
    from django.http import JsonResponse

    from ecocode.models import EcoCode
    from enterprises.jurisdiction import visible_enterprises
    from alerts.models import OPEN_STATES

    features = []
    for ent in visible_enterprises(request.user).select_related("township", "industry"):
        try:
            colour = ent.eco_code.colour
        except EcoCode.DoesNotExist:
            colour = None
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [ent.longitude, ent.latitude]},
            "properties": {"id": ent.pk, "name": ent.name, "colour": colour,
                           "township": ent.township.name, "industry": ent.industry.code,
                           "class": ent.management_class,
                           "warnings": ent.alerts.filter(state__in=OPEN_STATES).exists()}})
    return JsonResponse({"type": "FeatureCollection", "features": features})


def measure(client, url: str, n: int, **headers) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return times, size


def p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] if len(times) > 1 else times[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_250)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline-requests", type=int, default=5)
    args = parser.parse_args()
    use_database("enf_bench_dashboard")
    from django.core.management import call_command

    call_command("seed_demo", enterprises=args.enterprises, no_progress=True, stdout=open("/dev/null", "w"))
    extra = give_colours_and_warnings()

    from django.conf import settings
    from django.test import Client
    from django.urls import path

    from enterprises.models import Role, User

    # Mount the baseline beside the real endpoint for this run only.
    from config import urls as root_urls
    root_urls.urlpatterns.append(path("bench/naive-map/", naive_map))
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False  # no query log, as in production
    user = User.objects.create_user("bench-bureau", password="x", role=Role.BUREAU)
    client = Client()
    client.force_login(user)

    url = "/dashboard/api/map/"
    client.get(url, HTTP_ACCEPT_ENCODING="gzip")  # warm-up (connections, imports)
    fast, gz_size = measure(client, url, args.requests, HTTP_ACCEPT_ENCODING="gzip")
    plain = client.get(url)
    count = json.loads(plain.content)["count"]
    filtered, _s = measure(client, url + "?colour=orange,red&warnings=0", args.requests, HTTP_ACCEPT_ENCODING="gzip")
    etag = client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    revalidate = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
        revalidate.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304
    town = User.objects.filter(role=Role.TOWNSHIP).select_related("township").first()
    officer = Client()
    officer.force_login(town)
    township_times, _s = measure(officer, url, args.requests, HTTP_ACCEPT_ENCODING="gzip")

    client.get("/bench/naive-map/")  # warm-up
    naive, naive_size = measure(client, "/bench/naive-map/", args.baseline_requests)
    naive_count = len(json.loads(client.get("/bench/naive-map/").content)["features"])
    assert naive_count == count

    def ms(times):
        return f"p50 {p(times, 50):.0f} ms, p95 {p(times, 95):.0f} ms"

    print_table(f"One-map data endpoint, {count:,} enterprises ({extra['warned']} with open warnings), PostgreSQL, "
                f"Django test Client", [
        ("full county", f"{ms(fast)} ({args.requests} req)", f"{ms(naive)} ({args.baseline_requests} req)"),
        ("response size", f"{gz_size / 1024:.0f} KiB gzip ({len(plain.content) / 1024:.0f} KiB raw)",
         f"{naive_size / 1024:.0f} KiB (GeoJSON, no gzip)"),
        ("filtered: orange/red without warnings", ms(filtered), "-"),
        ("revalidation (If-None-Match → 304)", ms(revalidate), "-"),
        (f"township officer ({town.township.name})", ms(township_times), "-"),
        ("requests per second (full county)", f"{1000 / statistics.mean(fast):.1f}",
         f"{1000 / statistics.mean(naive):.2f}"),
    ])


if __name__ == "__main__":
    main()
