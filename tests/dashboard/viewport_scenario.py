"""The one map by viewport on either dialect (tests/dashboard/test_map_view_portable.py): the small county
of ``helpers.county`` and a tight group, answered for a county screen, a township's and a street's, as the
bureau and as township A's officer. Ids are replaced by enterprise names (sequences differ between runs)."""
import json

from django.http import QueryDict

from dashboard import filters, viewport
from enterprises.models import Enterprise, Township
from tests.dashboard.helpers import coloured, county, open_alert

BOX = "bbox=119.9,29.9,120.2,30.2"
SCREENS = {"county": f"{BOX}&zoom=10", "cells": f"{BOX}&zoom=14", "red": f"{BOX}&zoom=12&colour=red,none",
           "street": "bbox=120.0,30.0,120.035,30.035&zoom=15", "warned": f"{BOX}&zoom=15&warnings=1"}


def run() -> dict:
    c = county()
    for i in range(6):
        coloured(c["a"], ["green", "yellow", "grey"][i % 3], lat=30.011 + 0.0005 * i, lon=120.011)
    open_alert(c["b_orange"], rule="missing_data")
    names = {"id": {pk: i for i, pk in enumerate(Enterprise.objects.order_by("id").values_list("id", flat=True))},
             "township": {pk: i for i, pk in enumerate(Township.objects.order_by("id").values_list("id", flat=True))}}
    answers = {}
    for who in ("bureau", "officer_a"):
        for name, query in SCREENS.items():
            params = QueryDict(query)
            answer = viewport.map_view(c[who], filters.parse(params), filters.parse_viewport(params))
            rows = answer.pop("rows", None) or json.loads(answer.pop("rows_json"))
            by = [names.get(field) for field in answer["fields"]]
            answers[f"{who} {name}"] = {**answer, "rows": [
                [by[i].get(v) if by[i] else v for i, v in enumerate(r)] for r in rows]}
    return json.loads(json.dumps(answers))
