"""Report versus monitoring sums the devices' ``-Cou`` by local day in the database: the same sums on the
embedded SQLite as on PostgreSQL (``consistency_scenario``)."""
import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.ecocode.consistency_scenario import run
from tests.test_embedded import ROOT, embedded_env, manage

pytestmark = pytest.mark.slow
SCRIPT = "import json; from tests.ecocode.consistency_scenario import run; print('SUMS' + json.dumps(run()))"
EXPECTED = {"comparisons": [["day", 24.0, 24.0], ["quarter", 500.0, 900.0], ["unmeasured", 5.0, None]],
            "inconsistent": ["quarter"]}


@pytest.mark.django_db
def test_declared_emissions_are_compared_by_local_day_on_postgresql():
    assert connection.vendor == "postgresql"
    assert json.loads(json.dumps(run())) == EXPECTED


def test_and_the_same_on_the_embedded_sqlite(tmp_path):
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0", timeout=900)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert json.loads(out.split("SUMS", 1)[1]) == EXPECTED
