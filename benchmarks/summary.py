"""The headline figures of all benchmarks in one table: each bench script records its figures with
``record(name, {...})`` into ``artifacts/bench/<name>.json``; ``python benchmarks/summary.py`` prints them
(scripts/bench.sh runs it last). A benchmark that did not run this time shows as missing, not stale: the
files of an earlier run are removed by ``scripts/bench.sh`` before the benchmarks start."""
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "artifacts" / "bench"

# (benchmark, figure key, label, unit)
HEADLINES = [
    ("ingest", "readings_per_s", "HJ 212 ingestion", "readings/s"),
    ("workers", "deliveries_per_s_2x1", "notification storm, 2 worker processes", "deliveries/s"),
    ("alerts", "cycle_s", "one warning cycle, whole county", "s"),
    ("ecocode", "full_run_s", "full eco-code scoring, whole county", "s"),
    ("seed", "seed_s", "seeding the demo county", "s"),
    ("registry", "import_s", "registry import of the county export", "s"),
    ("load", "map_p95_ms", "p95, dashboard map data, 50 clients", "ms"),
    ("load", "qr_p95_ms", "p95, public QR page, 50 clients", "ms"),
    ("load", "api_p95_ms", "p95, REST API list, 50 clients", "ms"),
    ("load", "total_rps", "requests/s, the three pages, 50 clients", "req/s"),
]


def record(name: str, figures: dict) -> None:
    """Store this benchmark's headline figures (and its baseline's, as ``<key>_baseline``)."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(figures, indent=1, sort_keys=True))


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def main() -> int:
    from common import print_table

    rows = []
    for name, key, label, unit in HEADLINES:
        path = OUT / f"{name}.json"
        figures = json.loads(path.read_text()) if path.exists() else None
        if figures is None:
            rows.append((f"{label} ({unit})", f"missing: bench_{name}.py did not finish", ""))
            continue
        baseline = figures.get(f"{key}_baseline")
        note = figures.get("baseline", "")
        rows.append((f"{label} ({unit})", _fmt(figures.get(key)),
                     f"{_fmt(baseline)} {note}".strip() if baseline is not None else ""))
    print_table("Summary of all benchmarks (platform vs. the baseline named in each benchmark above)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
