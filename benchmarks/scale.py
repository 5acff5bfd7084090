"""The size-dependent figures at several county sizes, with their growth factors (``SCALE=40000 make bench``).

For each size the demo county is seeded once (``seed_demo``, timed: the seed figure) into ``enf_scale_<n>``;
each benchmark then runs on its own copy of it (``CREATE DATABASE .. TEMPLATE``), so the warning cycle
(``bench_alerts.py``), the full eco-code scoring (``bench_ecocode.py``) and the map by viewport
(``bench_dashboard.py --keep``) all measure the same county, each beside the baseline it names. The figures
come from the JSON each benchmark records; the load average is read when each benchmark ends. The last
table gives, for each figure, its value per size and its growth from one size to the next beside the
growth of the county itself (a figure growing slower than the county scales better than linearly).

Run: .venv/bin/python benchmarks/scale.py [--sizes 2500,10250,40000] [--keep-databases]
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, print_table
from summary import OUT, record

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
HOST = os.environ.get("PGHOST", "127.0.0.1")

# (benchmark, its JSON key, label, unit)
FIGURES = [
    ("seed", "seed_s", "seeding the demo county", "s"),
    ("alerts", "cycle_s", "one warning cycle (detect, open, notify)", "s"),
    ("ecocode", "full_run_s", "full eco-code scoring with evidence", "s"),
    ("dashboard", "county_p95_ms", "map by viewport, whole area: p95", "ms"),
    ("dashboard", "county_gzip_kib", "map by viewport, whole area: gzip size", "KiB"),
    ("dashboard", "street_p95_ms", "map by viewport, one street: p95", "ms"),
]


def _url(name: str) -> str:
    return f"postgres://postgres@{HOST}:5432/{name}"


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-q", "-c", sql], check=True)


def _load() -> str:
    return open("/proc/loadavg").read().split()[0]


def _run(script: str, args: list[str], database: str) -> dict:
    """Run one benchmark on ``database``; its recorded figures, with the load average when it ended."""
    name = script.removeprefix("bench_").removesuffix(".py")
    (OUT / f"{name}.json").unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": _url(database), "DEMO_FORCE_PASSWORD_CHANGE": "0"}
    print(f"\n== {script} {' '.join(args)} on {database}", flush=True)
    subprocess.run([PYTHON, script, *args], cwd=HERE, env=env, check=True)
    figures = json.loads((OUT / f"{name}.json").read_text())
    figures["loadavg"] = _load()
    return figures


def _seed(size: int, template: str) -> dict:
    _psql(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
    _psql(f"CREATE DATABASE {template}")
    env = {**os.environ, "DATABASE_URL": _url(template), "DEMO_FORCE_PASSWORD_CHANGE": "0"}
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([*manage, "seed_demo", "--enterprises", str(size), "--no-progress"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    print(f"\n== seeded {size:,} enterprises into {template} in {seconds:.1f} s (load {_load()})", flush=True)
    return {"seed_s": seconds, "loadavg": _load()}


def measure(size: int, keep: bool) -> dict:
    template = f"enf_scale_{size}"
    figures = {"seed": _seed(size, template)}
    for script, args in (("bench_alerts.py", []), ("bench_ecocode.py", ["--sample", "30", "--runs", "1"]),
                         ("bench_dashboard.py", ["--keep", "--requests", "100", "--baseline-requests", "0"])):
        copy = f"{template}_{script.removeprefix('bench_').removesuffix('.py')}"
        _psql(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
        _psql(f"CREATE DATABASE {copy} TEMPLATE {template}")
        try:
            if script == "bench_dashboard.py":
                args = [*args, "--database", copy]
            figures[script.removeprefix("bench_").removesuffix(".py")] = _run(script, args, copy)
        finally:
            if not keep:
                _psql(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
    if not keep:
        _psql(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
    return figures


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def growth_rows(sizes: list[int], results: dict[int, dict]) -> list[tuple[str, str, str]]:
    """One row per figure: its value (load average) at each size, then its growth between sizes beside
    the county's."""
    rows = []
    for bench, key, label, unit in FIGURES:
        values = [results[s].get(bench, {}).get(key) for s in sizes]
        cells = [f"{_fmt(v)} {unit} (load {results[s][bench]['loadavg']})" if v is not None else "—"
                 for s, v in zip(sizes, values)]
        growth = [f"×{b / a:.1f} for ×{t / s:.1f} enterprises" if a and b else "—"
                  for (s, a), (t, b) in zip(zip(sizes, values), zip(sizes[1:], values[1:]))]
        rows.append((label, " / ".join(cells), "; ".join(growth)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2500,10250,40000", help="county sizes, comma-separated")
    parser.add_argument("--keep-databases", action="store_true", help="keep each size's databases afterwards")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    results = {size: measure(size, args.keep_databases) for size in sizes}
    print_table(f"Growth with the county's size ({' / '.join(f'{s:,}' for s in sizes)} enterprises; "
                f"load average at the end of each measure)", growth_rows(sizes, results),
                headers=("figure", "value at each size", "growth from one size to the next"))
    record("scale", {str(size): figures for size, figures in results.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
