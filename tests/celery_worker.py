"""A real Celery worker for end-to-end tests: a subprocess on the test's own queue, talking to the
same Redis and to the pytest test database (so tests using it need ``transactional_db``)."""
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_worker(queue: str, log_path: Path):
    """Start ``celery worker`` consuming ``queue``; stop it on exit and print the end of its log."""
    if not settings.REDIS_URL or not settings.IS_POSTGRES:
        pytest.fail("end-to-end Celery tests need REDIS_URL and a PostgreSQL DATABASE_URL (see scripts/test.sh)")
    db = settings.DATABASES["default"]
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL,
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--pool", "solo",
             "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
             "-n", f"{queue}-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(log_path.read_text()[-3000:])
