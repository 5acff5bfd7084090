"""Benchmark: importing a whole county's registry (10,250 enterprises) from its export, against a
row-by-row baseline that writes the same checked rows one ``update_or_create()`` at a time (each save
audited by the model signals), timed on a sample of enterprises and extrapolated.

The county is seeded, exported with the import template, its registry emptied (townships, villages
and grids stay), then imported again: the dry run, the committed import, and a second import of the
same file (nothing to write). The load average is printed beside each figure (2 shared cores).

Run: .venv/bin/python benchmarks/bench_registry.py [--enterprises 10250] [--sample 300]
"""
import argparse
import os
import time

from common import print_table, use_database
from summary import record


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def empty_registry() -> None:
    """Drop every enterprise and what hangs on it (PostgreSQL TRUNCATE ... CASCADE: a benchmark database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE enterprises_enterprise, audit_auditentry CASCADE")


def row_by_row(data: bytes, sample: int) -> tuple[float, int]:
    """Seconds to write the first ``sample`` permits of the file with one update_or_create per row."""
    from django.db import transaction

    from enterprises.models import Enterprise, MonitoringDuty, Outlet, Permit, PermitLimit
    from enterprises.registry.parsing import read_files
    from enterprises.registry.records import RecordBuilder

    records = RecordBuilder().build(read_files([("export.xlsx", data)]))
    numbers = set(list(records.permits)[:sample])
    started = time.perf_counter()
    with transaction.atomic():
        for number in numbers:
            permit_rec = records.permits[number].values
            firm_rec = dict(records.enterprises[permit_rec["credit_code"]].values)
            code = firm_rec.pop("credit_code")
            firm, _ = Enterprise.objects.update_or_create(credit_code=code, defaults=firm_rec)
            fields = {k: v for k, v in permit_rec.items() if k not in ("number", "credit_code")}
            permit, _ = Permit.objects.update_or_create(number=number, defaults={**fields, "enterprise": firm})
            outlets = {}
            for (n, oc), rec in records.outlets.items():
                if n == number:
                    values = {k: v for k, v in rec.values.items() if k != "code"}
                    outlets[oc], _ = Outlet.objects.update_or_create(permit=permit, code=oc, defaults={
                        **values, "enterprise": firm})
            for (n, oc, pid), rec in records.limits.items():
                if n == number:
                    values = {k: v for k, v in rec.values.items() if k != "pollutant_id"}
                    PermitLimit.objects.update_or_create(outlet=outlets[oc], pollutant_id=pid, defaults=values)
            for (n, oc, pid), rec in records.duties.items():
                if n == number:
                    values = {k: v for k, v in rec.values.items() if k != "pollutant_id"}
                    MonitoringDuty.objects.update_or_create(permit=permit, outlet=outlets.get(oc), pollutant_id=pid,
                                                            defaults=values)
    return time.perf_counter() - started, len(numbers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_250)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    use_database("enf_bench_registry")
    from enterprises.demo import DemoCounty
    from enterprises.services import registry_export, registry_import
    from enterprises.registry.parsing import read_files
    from enterprises.registry.records import RecordBuilder

    DemoCounty(enterprises=args.enterprises, seed=2026).run()
    from enterprises.models import Enterprise, MonitoringDuty, Outlet, Permit, PermitLimit

    def counts():
        return [m.objects.count() for m in (Enterprise, Permit, Outlet, PermitLimit, MonitoringDuty)]

    seeded = counts()
    figures, loads = {}, {}
    started = time.perf_counter()
    data = registry_export.export_workbook()
    figures["export_s"], loads["export"] = time.perf_counter() - started, load()
    empty_registry()

    started = time.perf_counter()
    checked = registry_import.plan_files([("export.xlsx", data)])
    figures["check_s"], loads["check"] = time.perf_counter() - started, load()
    assert not checked.problems, checked.problems[:5]
    started = time.perf_counter()
    registry_import.commit_files([("export.xlsx", data)], source="benchmark")
    figures["import_s"], loads["import"] = time.perf_counter() - started, load()
    assert counts() == seeded, (counts(), seeded)
    started = time.perf_counter()
    again = registry_import.commit_files([("export.xlsx", data)], source="benchmark")
    figures["reimport_s"], loads["reimport"] = time.perf_counter() - started, load()
    assert again.writes == 0

    started = time.perf_counter()
    RecordBuilder().build(read_files([("export.xlsx", data)]))
    read_check = time.perf_counter() - started  # the baseline reads and checks the file the same way
    empty_registry()
    sample_s, sampled = row_by_row(data, args.sample)
    loads["baseline"] = load()
    baseline = read_check + sample_s * args.enterprises / sampled
    record("registry", {"import_s": figures["import_s"], "import_s_baseline": baseline,
                        "baseline": f"(one update_or_create per row; {sampled} enterprises timed, extrapolated)"})
    rows = sum(seeded[1:]) + seeded[0]
    print_table(f"Registry import of a county export ({args.enterprises:,} enterprises, {rows:,} registry rows, "
                f"{len(data) / 2**20:.1f} MB .xlsx, PostgreSQL)", [
        ("export to .xlsx", f"{figures['export_s']:.1f} s ({loads['export']})", "—"),
        ("dry run (read, check, compare)", f"{figures['check_s']:.1f} s ({loads['check']})", "—"),
        ("import into an empty registry", f"{figures['import_s']:.1f} s, one transaction ({loads['import']})",
         f"{baseline:.1f} s: read+check {read_check:.1f} s measured + row-by-row writes of {sampled} enterprises "
         f"{sample_s:.1f} s extrapolated ×{args.enterprises / sampled:.1f} ({loads['baseline']})"),
        ("same file again (nothing to write)", f"{figures['reimport_s']:.1f} s ({loads['reimport']})", "—"),
    ])


if __name__ == "__main__":
    main()
