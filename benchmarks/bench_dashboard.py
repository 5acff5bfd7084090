"""Benchmark: latency and gzip size of the one map's data on PostgreSQL, through Django's test Client
(whole request cycle: middleware, session, jurisdiction, gzip), all in the same run:

- the viewport endpoint for typical screens of 1400×900 px: the whole demo area at the zoom that frames
  it (clusters from the database), the largest township at its zoom, a street-level box (the enterprises);
- beside it the whole-map endpoint (every enterprise in one answer, the baseline the viewport replaces),
  and a naive endpoint that builds verbose GeoJSON with a per-enterprise ORM loop.

Eco-code colours and open warnings are given to a share of the enterprises first so the colour and
warning columns are real. The load average is printed with the figures.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--enterprises 10250] [--requests 200]
     [--baseline-requests 5] [--database enf_bench_dashboard] [--keep]
``--keep`` measures the database as it is (e.g. a copy of a county ``benchmarks/scale.py`` seeded) instead
of dropping, creating and seeding it.
"""
import argparse
import json
import math
import random
import statistics
import time

from common import keep_database, print_table, use_database
from summary import record


def give_colours_and_warnings(seed: int = 7) -> dict:
    """Bulk: an EcoCode for every enterprise (colours skewed to green), open warnings on 3% of them (on
    outlets without an open missing-data warning already: the demo opens some, and one open warning per
    outlet, pollutant and rule is a constraint)."""
    from django.utils import timezone

    from alerts.models import OPEN_STATES, Alert
    from ecocode.models import EcoCode
    from enterprises.models import Enterprise, Outlet

    rng = random.Random(seed)
    now = timezone.now()
    colours = ["green"] * 55 + ["blue"] * 25 + ["yellow"] * 12 + ["orange"] * 6 + ["red"] * 2
    ids = list(Enterprise.objects.values_list("id", flat=True))
    EcoCode.objects.bulk_create([EcoCode(enterprise_id=i, colour=rng.choice(colours), score=80, scored_at=now)
                                 for i in ids], batch_size=5000, ignore_conflicts=True)
    outlets = {}
    already = Alert.objects.filter(state__in=OPEN_STATES, rule="missing_data", pollutant__isnull=True)
    for outlet_id, enterprise_id in (Outlet.objects.exclude(pk__in=already.values("outlet_id"))
                                     .order_by("id").values_list("id", "enterprise_id")):
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


SCREEN = (1400, 900)  # px of a desktop map
TILE = 256


def _mercator_y(lat: float, zoom: int) -> float:
    """Web Mercator pixel row of a latitude at ``zoom`` (0 at the top of the world)."""
    rad = math.radians(lat)
    return (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * TILE * 2 ** zoom


def _lat(y: float, zoom: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / (TILE * 2 ** zoom)))))


def fit_zoom(south, west, north, east, screen=SCREEN, max_zoom=18) -> int:
    """The largest zoom at which the box fits on the screen (what Leaflet's fitBounds picks)."""
    for zoom in range(max_zoom, 0, -1):
        width = (east - west) / 360 * TILE * 2 ** zoom
        height = _mercator_y(south, zoom) - _mercator_y(north, zoom)
        if width <= screen[0] and height <= screen[1]:
            return zoom
    return 1


def screen_box(lat: float, lon: float, zoom: int, screen=SCREEN) -> str:
    """The ``bbox`` parameter of a screen centred on (lat, lon) at ``zoom``."""
    half_lon = screen[0] / 2 * 360 / (TILE * 2 ** zoom)
    y = _mercator_y(lat, zoom)
    south, north = _lat(y + screen[1] / 2, zoom), _lat(y - screen[1] / 2, zoom)
    return f"{lon - half_lon:.5f},{south:.5f},{lon + half_lon:.5f},{north:.5f}"


def typical_screens() -> list[tuple[str, str]]:
    """(name, query) of the three screens: the whole area, its largest township, a street around the
    median enterprise of that township."""
    from django.db.models import Count, Max, Min

    from enterprises.models import Enterprise

    def framed(qs):
        box = qs.aggregate(s=Min("latitude"), w=Min("longitude"), n=Max("latitude"), e=Max("longitude"))
        zoom = fit_zoom(box["s"], box["w"], box["n"], box["e"])
        return zoom, screen_box((box["s"] + box["n"]) / 2, (box["w"] + box["e"]) / 2, zoom)

    county_zoom, county_box = framed(Enterprise.objects.all())
    town = (Enterprise.objects.values("township_id", "township__name").annotate(n=Count("id")).order_by("-n")
            .first())
    in_town = Enterprise.objects.filter(township_id=town["township_id"])
    town_zoom, town_box = framed(in_town)
    middle = in_town.order_by("latitude", "longitude")[in_town.count() // 2]
    street_zoom = 16
    return [
        (f"whole area, zoom {county_zoom}", f"bbox={county_box}&zoom={county_zoom}"),
        (f"township {town['township__name']} ({town['n']:,}), zoom {town_zoom}", f"bbox={town_box}&zoom={town_zoom}"),
        (f"street, zoom {street_zoom}",
         f"bbox={screen_box(middle.latitude, middle.longitude, street_zoom)}&zoom={street_zoom}"),
    ]


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
    parser.add_argument("--baseline-requests", type=int, default=5, help="0 skips the naive endpoint")
    parser.add_argument("--database", default="enf_bench_dashboard", help="dropped and created for the run")
    parser.add_argument("--keep", action="store_true", help="measure the database as seeded, do not re-create it")
    args = parser.parse_args()
    if args.keep:
        keep_database(args.database)
    else:
        use_database(args.database)
        from django.core.management import call_command

        call_command("seed_demo", enterprises=args.enterprises, no_progress=True, stdout=open("/dev/null", "w"))
    extra = give_colours_and_warnings()
    from django.db import connection

    with connection.cursor() as cursor:  # statistics as autovacuum would leave them on a live database
        cursor.execute("ANALYZE")

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

    screens = []
    for name, params in typical_screens():
        answer = json.loads(client.get("/dashboard/api/map/view/?" + params).content)
        times, size = measure(client, "/dashboard/api/map/view/?" + params, args.requests,
                              HTTP_ACCEPT_ENCODING="gzip")
        screens.append((name, answer, times, size))

    naive, naive_size = [], 0
    for _ in range(args.baseline_requests):
        started = time.perf_counter()
        response = client.get("/bench/naive-map/")
        naive.append((time.perf_counter() - started) * 1000)
        naive_size = len(response.content)
        assert len(json.loads(response.content)["features"]) == count

    def ms(times):
        return f"p50 {p(times, 50):.0f} ms, p95 {p(times, 95):.0f} ms"

    county, street = screens[0], screens[-1]
    record("dashboard", {"county_p95_ms": p(county[2], 95), "county_gzip_kib": county[3] / 1024,
                         "street_p95_ms": p(street[2], 95), "whole_p95_ms": p(fast, 95),
                         "whole_gzip_kib": gz_size / 1024, "enterprises": count})
    whole = f"whole map: p95 {p(fast, 95):.0f} ms, {gz_size / 1024:.0f} KiB"
    load = open("/proc/loadavg").read().split()[:3]
    print_table(f"One map by viewport (1400×900 px screens), {count:,} enterprises, PostgreSQL, "
                f"load average {' '.join(load)}", [
        (f"{name}: {answer['mode']}, {len(answer['rows']):,} rows for {answer['count']:,} enterprises",
         f"{ms(times)}, {size / 1024:.1f} KiB gzip", whole) for name, answer, times, size in screens])

    print_table(f"One-map data endpoint, {count:,} enterprises ({extra['warned']} with open warnings), PostgreSQL, "
                f"Django test Client", [
        ("full county", f"{ms(fast)} ({args.requests} req)",
         f"{ms(naive)} ({args.baseline_requests} req)" if naive else "-"),
        ("response size", f"{gz_size / 1024:.0f} KiB gzip ({len(plain.content) / 1024:.0f} KiB raw)",
         f"{naive_size / 1024:.0f} KiB (GeoJSON, no gzip)"),
        ("filtered: orange/red without warnings", ms(filtered), "-"),
        ("revalidation (If-None-Match → 304)", ms(revalidate), "-"),
        (f"township officer ({town.township.name})", ms(township_times), "-"),
        ("requests per second (full county)", f"{1000 / statistics.mean(fast):.1f}",
         f"{1000 / statistics.mean(naive):.2f}" if naive else "-"),
    ])


if __name__ == "__main__":
    main()
