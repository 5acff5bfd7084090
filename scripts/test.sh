#!/usr/bin/env bash
# The whole test suite, against the machine's real PostgreSQL and Redis (started if down).
# The embedded default (SQLite + filesystem broker) is smoke-tested by tests/test_embedded.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
exec .venv/bin/python -m pytest "$@"
