#!/usr/bin/env bash
# Run the platform embedded: SQLite and a filesystem Celery broker under var/, no servers needed.
# Migrates, seeds the demo county once, starts a Celery worker with beat, and serves on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL REDIS_URL
PY=.venv/bin/python
$PY manage.py migrate --no-input -v0
$PY manage.py compilemessages -l zh_Hans -v0 --ignore=.venv 2>/dev/null || true
if [ "$($PY manage.py shell -v0 -c 'from enterprises.models import Enterprise; print(Enterprise.objects.exists())')" != "True" ]; then
  $PY manage.py seed_demo ${SEED_ENTERPRISES:+--enterprises "$SEED_ENTERPRISES"}
fi
mkdir -p var/log
.venv/bin/celery -A config worker -B --pool solo --loglevel INFO -s var/celerybeat-schedule \
  >var/log/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Platform:  http://127.0.0.1:8000/
  Admin:     user "admin", password "admin"  (bureau staff; change it before real use)
  Demo users: see README (password "demo-pass-2026" for all demo officers and enterprise accounts)
  Celery worker + beat log: var/log/celery.log

MSG
exec $PY manage.py runserver 127.0.0.1:8000
