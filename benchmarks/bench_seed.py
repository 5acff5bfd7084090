"""Benchmark: seconds to seed the full demo county on PostgreSQL (bulk inserts), against a naive
baseline that creates the same rows one ``save()`` at a time (timed on a sample, extrapolated).

Run: .venv/bin/python benchmarks/bench_seed.py [--enterprises 10250] [--sample 200]
"""
import argparse
import os
import time

from common import print_table, use_database
from summary import record


def naive_seed(sample: int) -> float:
    """Rows of `sample` enterprises created one by one, as a plain ORM loop would."""
    from enterprises.demo import DemoCounty
    from enterprises.models import (
        Enterprise, ExecutionReport, MonitoringDuty, Outlet, Permit, PermitItem, PermitLimit, TreatmentFacility, User,
    )

    county = DemoCounty(enterprises=sample, seed=99)
    areas = county.build_areas()
    models = [Enterprise, Permit, Outlet, PermitLimit, MonitoringDuty, TreatmentFacility, PermitItem,
              ExecutionReport, User]
    captured: dict = {m: [] for m in models}
    originals = {m: m.objects.bulk_create for m in models}

    def capture(model):
        def bulk_create(objs, *args, **kwargs):
            objs = list(objs)
            started = time.perf_counter()
            for obj in objs:
                obj.save(force_insert=True)
            captured[model].append(time.perf_counter() - started)
            return objs
        return bulk_create

    for model in models:
        model.objects.bulk_create = capture(model)
    try:
        started = time.perf_counter()
        county.build_enterprises(areas)
        return time.perf_counter() - started
    finally:
        for model, original in originals.items():
            model.objects.bulk_create = original


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_250)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    use_database("enf_bench_seed")
    from django.core.management import call_command

    load_before = "%.2f %.2f %.2f" % os.getloadavg()
    started = time.perf_counter()
    call_command("seed_demo", enterprises=args.enterprises, no_progress=True, stdout=open("/dev/null", "w"))
    bulk = time.perf_counter() - started
    from enterprises import demo

    demo.reset()
    naive = naive_seed(args.sample) * args.enterprises / args.sample
    record("seed", {"seed_s": bulk, "seed_s_baseline": naive, "baseline": "(one save() per row, extrapolated)"})
    print_table(f"Seeding the demo county ({args.enterprises:,} enterprises, PostgreSQL; load average "
                f"{load_before} before, {'%.2f %.2f %.2f' % os.getloadavg()} after)", [
        ("seconds, whole county", f"{bulk:.1f} s (bulk_create)",
         f"{naive:.1f} s (one save() per row; {args.sample} enterprises timed, extrapolated)"),
        ("enterprises per second", f"{args.enterprises / bulk:,.0f}", f"{args.enterprises / naive:,.0f}"),
    ])


if __name__ == "__main__":
    main()
