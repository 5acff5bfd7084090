#!/usr/bin/env bash
# Every benchmark in benchmarks/, one after another, each against its own throwaway PostgreSQL
# database; each prints a table of the platform's figure beside its named baseline from the same run.
# `SCALE=40000 make bench` runs the size-dependent figures (seed, warning cycle, scoring, map) at 2,500,
# 10,250 and that size instead, with their growth factors (benchmarks/scale.py).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%dT%H:%MZ)"
if [ -n "${SCALE:-}" ]; then
  cd benchmarks && exec ../.venv/bin/python scale.py --sizes "2500,10250,${SCALE}"
fi
status=0
rm -f artifacts/bench/*.json  # each benchmark records its headline figures here afresh
for bench in benchmarks/bench_*.py; do
  echo; echo "== ${bench}"
  (cd benchmarks && ../.venv/bin/python "$(basename "$bench")") || { echo "FAILED: ${bench}"; status=1; }
done
echo; echo "== summary (load average now: $(cut -d" " -f1-3 /proc/loadavg))"
(cd benchmarks && ../.venv/bin/python summary.py)
exit $status
