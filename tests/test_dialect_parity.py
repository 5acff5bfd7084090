"""The same frames ingested on SQLite (the embedded default, in a subprocess) and on PostgreSQL (the
test database) give the same outcomes, the same readings and the same aggregates."""
import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.parity_scenario import run
from tests.test_embedded import ROOT, embedded_env, manage

pytestmark = pytest.mark.slow

SCRIPT = "import json; from tests.parity_scenario import run; print('PARITY' + json.dumps(run()))"


def on_sqlite(tmp_path) -> dict:
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    return json.loads(out.split("PARITY", 1)[1])


@pytest.mark.django_db
def test_sqlite_and_postgresql_store_the_same(tmp_path):
    assert connection.vendor == "postgresql"
    postgres = json.loads(json.dumps(run()))  # the same JSON round trip as the subprocess's answer
    sqlite = on_sqlite(tmp_path)
    assert postgres["outcomes"] == sqlite["outcomes"]
    assert sum(1 for o in postgres["outcomes"] if not o[0]) == 1  # the bad CRC
    assert len(postgres["readings"]) == 35 * 2 + 6  # 35 real-time packets of two codes, 6 minute rows; the resent one adds none
    assert postgres["readings"] == sqlite["readings"]
    assert postgres["aggregates"] == sqlite["aggregates"] and postgres["aggregates"]
