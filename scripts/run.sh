#!/usr/bin/env bash
# Run the platform embedded: SQLite and a filesystem Celery broker under var/, no servers needed.
# Migrates, seeds a demo county once (2,500 enterprises unless SEED_ENTERPRISES says otherwise),
# starts a Celery worker with beat, and serves on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL REDIS_URL
PY=.venv/bin/python
$PY manage.py migrate --no-input -v0
$PY manage.py compilemessages -l zh_Hans -v0 --ignore=.venv 2>/dev/null || true
if [ "$($PY manage.py shell -v0 -c 'from enterprises.models import Enterprise; print(Enterprise.objects.exists())')" != "True" ]; then
  # 2,500 enterprises by default: the full reference county (SEED_ENTERPRISES=10250) takes several
  # times as long to build on SQLite
  $PY manage.py seed_demo --enterprises "${SEED_ENTERPRISES:-2500}"
fi
mkdir -p var/log
# The worker (with its beat) runs in a process group of its own, so stopping run.sh stops all of it.
setsid .venv/bin/celery -A config worker -B --pool solo --loglevel INFO -s var/celerybeat-schedule \
  >var/log/celery.log 2>&1 &
worker=$!
stop() {
  trap - EXIT INT TERM
  kill -TERM -- "-$worker" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$worker" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$worker" 2>/dev/null || true
}
trap stop EXIT INT TERM
cat <<MSG

  Platform:  http://127.0.0.1:8000/
  Admin:     user "admin", password "admin"  (bureau staff; change it before real use)
  Celery worker + beat log: var/log/celery.log
  Demo logins (password "demo-pass-2026"), one per role:
MSG
$PY manage.py shell -v0 -c '
from enterprises.models import Role, User
pages = {"enterprise": "/m/enterprise/", "township": "/m/township/", "grid": "/m/township/",
         "enforcement": "/m/enforcement/"}
for role, label in Role.choices:
    user = User.objects.filter(role=role, is_active=True).exclude(username="admin").order_by("username").first()
    if user:
        page = pages.get(role, "/dashboard/")
        print(f"    {label!s:<12} {user.username:<24} {page}")
'
echo
$PY manage.py runserver 127.0.0.1:8000
