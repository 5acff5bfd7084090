"""Steps of the fault scenarios, run as ``python -m tests.reliability.scenario <step> [args]`` in a
subprocess whose environment points at the throwaway PostgreSQL/Redis (the pytest process keeps its
own test database). Each step prints one JSON line.

Steps: ``site N`` (N enterprises, each with an outlet limited to COD 100 / NH3-N 15 and a device; prints
their MN codes), ``bulk FILE`` (POST the JSON rows in FILE to /api/v1/readings/bulk/ as bureau staff),
``evaluate ISO`` (one warning cycle at that time), ``send TASK`` (queue a Celery task by name, as beat does).
"""
import json
import sys

import django


def site(count: str) -> dict:
    from monitoring.models import Device
    from tests import factories

    town = factories.township()
    mns = []
    for n in range(int(count)):
        ent = factories.enterprise(town)
        out = factories.outlet(factories.permit(ent), limits={"w01018": 100, "w21003": 15})
        mns.append(Device.objects.create(mn=f"RELIABILITY{n:013d}", outlet=out, password="123456").mn)
    return {"mns": mns}


def bulk(path: str) -> dict:
    from django.test import Client

    from enterprises.models import Role
    from tests import factories

    client = Client()
    client.force_login(factories.user(Role.BUREAU))
    with open(path, encoding="utf-8") as rows:
        response = client.post("/api/v1/readings/bulk/", data=rows.read(), content_type="application/json")
    return {"status": response.status_code, "body": response.json()}


def evaluate(at: str) -> dict:
    from datetime import datetime

    from alerts import services as alerts

    return vars(alerts.evaluate(datetime.fromisoformat(at)))


def send(task: str) -> dict:
    from config.celery import app

    return {"id": app.send_task(task).id}


STEPS = {"site": site, "bulk": bulk, "evaluate": evaluate, "send": send}

if __name__ == "__main__":
    django.setup()
    step, *args = sys.argv[1:]
    print(json.dumps(STEPS[step](*args), default=str))
