#!/usr/bin/env bash
# The whole test suite, against the machine's real PostgreSQL and Redis (started if down).
# Browser tests drive Debian's chromium with a CJK font and its zh-CN language pack (the browser's own
# words, e.g. a file input's button, in Chinese), installed here if missing and apt-get is at hand.
# The embedded default (SQLite + filesystem broker) is smoke-tested by tests/test_embedded.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
if { ! command -v chromium || ! fc-list | grep -qi wenquanyi || [ ! -e /usr/lib/chromium/locales/zh-CN.pak ]; } >/dev/null 2>&1 \
    && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing Debian's chromium and a CJK font for the browser tests"
  pkgs="chromium chromium-l10n fonts-wqy-microhei"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs >/dev/null; }
fi
mkdir -p artifacts
exec .venv/bin/python -m pytest "$@"
