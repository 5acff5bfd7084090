"""The calibration report's SQL runs on the embedded SQLite as on PostgreSQL: the same small county
(``calibration_scenario``), scored and reported on both, gives the same report."""
import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.ecocode.calibration_scenario import run
from tests.test_embedded import ROOT, embedded_env, manage

pytestmark = pytest.mark.slow
SCRIPT = "import json; from tests.ecocode.calibration_scenario import run; print('REPORT' + json.dumps(run()))"


@pytest.mark.django_db
def test_the_calibration_report_is_the_same_on_sqlite_and_postgresql(tmp_path):
    assert connection.vendor == "postgresql"
    postgres = json.loads(json.dumps(run()))
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0", timeout=900)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", SCRIPT], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    sqlite = json.loads(out.split("REPORT", 1)[1])
    assert sqlite == postgres
    assert postgres["distribution"][0] == ["green", 2, 50.0] and ["grey", 1, 25.0] in postgres["distribution"]
    charged = {code: (touched, points, already) for code, touched, points, already, _ in postgres["indicators"]}
    assert charged["R17"] == (1, 4.0, 0) and charged["R07"] == (0, 0.0, 1)  # one report, charged once
