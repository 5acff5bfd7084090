#!/usr/bin/env bash
# Make sure the machine's PostgreSQL and Redis are up, start them if they are down, and export the
# URLs the platform and its tests use. Source it: `. scripts/services.sh`.
set -u
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL is down: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Redis is down: starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
export PGHOST=127.0.0.1 PGUSER=postgres
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/enforcement}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
db_name="${DATABASE_URL##*/}"
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='${db_name}'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "${db_name}"
