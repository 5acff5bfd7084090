"""The viewport's clusters and points are the same on the embedded SQLite (in a subprocess) as on PostgreSQL
(the test database): the ORM GROUP BY of ``dashboard.viewport`` and the points' two paths (the database-built
JSON on PostgreSQL, ``json.dumps`` elsewhere)."""
import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.dashboard.viewport_scenario import run
from tests.test_embedded import ROOT, embedded_env, manage

pytestmark = pytest.mark.slow
SCRIPT = "import json; from tests.dashboard.viewport_scenario import run; print('VIEW' + json.dumps(run()))"


@pytest.mark.django_db
def test_the_viewport_answers_the_same_on_sqlite_and_postgresql(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert connection.vendor == "postgresql"
    postgres = run()
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0", timeout=900)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    sqlite = json.loads(out.split("VIEW", 1)[1])
    assert sqlite == postgres
    assert postgres["bureau county"]["mode"] == "clusters" and postgres["bureau county"]["count"] == 11
    assert postgres["officer_a street"]["mode"] == "points" and postgres["officer_a street"]["count"] == 9
    assert postgres["bureau warned"]["count"] == 2 and postgres["officer_a warned"]["count"] == 1
