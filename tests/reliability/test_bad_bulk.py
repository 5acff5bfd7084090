"""Bad input to ``POST /api/v1/readings/bulk/`` (JSON and CSV): random rows, NUL characters, huge
fields, wrong encodings, a BOM, huge files. Always a 200 with everything stored or a 4xx with reasons
and nothing stored; never a 500."""
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core import clock
from monitoring.api import views as api_bulk
from monitoring.models import IngestRejection, Reading
from monitoring.services import ingest
from tests import factories
from tests.monitoring.ingest_support import TZ, device

pytestmark = pytest.mark.django_db
URL = "/api/v1/readings/bulk/"
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
MN = "33048300000000000000BULK"
GOOD = {"mn": MN, "pollutant": "w01018", "observed_at": "2025-03-01T10:00:00", "kind": "hour", "avg": 55.5}


@pytest.fixture
def client(db):
    ingest.forget_pollutants()
    device(mn=MN)
    api = APIClient()
    api.force_authenticate(factories.bureau_user())
    return api


def post_raw(client, body: bytes | str, content_type="application/json"):
    with clock.frozen(NOW):
        return client.post(URL, body, content_type=content_type)


def post_csv(client, content: bytes, name="readings.csv"):
    with clock.frozen(NOW):
        return client.post(URL, {"file": SimpleUploadedFile(name, content, "text/csv")}, format="multipart")


@pytest.mark.parametrize("row", [
    {**GOOD, "mn": "A\x00B"}, {**GOOD, "pollutant": "w01\x00018"}, {**GOOD, "observed_at": "2025-03-01T10:00\x00"},
    {**GOOD, "kind": "ho\x00ur"}, {**GOOD, "flag": "N\x00"}, {**GOOD, "avg": "1\x00"}, {**GOOD, "x\x00": 1},
])
def test_a_nul_character_is_a_400_with_the_row_and_reason(client, row):
    response = post_raw(client, json.dumps([GOOD, row]))
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["row"] == 2 and error["reason"] == "bad_field" and "NUL" in error["detail"]
    assert not Reading.objects.exists()
    assert "\x00" not in "".join(IngestRejection.objects.values_list("raw", flat=True))


@pytest.mark.parametrize("body", [
    "[" + json.dumps({**GOOD, "mn": "X" * 200_000}) + "]", '[{"avg": 1e999, "mn": "%s"}]' % MN,
    json.dumps([{**GOOD, "avg": "9" * 400}]), json.dumps([{**GOOD, "observed_at": "9999-12-31T23:59:59-23:59"}]),
    json.dumps([{**GOOD, "observed_at": 1e300}]), json.dumps([{**GOOD, "mn": ["X"], "avg": {"a": 1}}]),
    json.dumps([[1, 2]]), json.dumps([None]), json.dumps({"readings": "x"}), "[" * 5000, "\ufeff[]", "",
])
def test_odd_json_is_refused_with_a_reason(client, body):
    response = post_raw(client, body)
    assert response.status_code == 400, response.content
    assert not Reading.objects.exists()


def test_a_body_over_the_upload_limit_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    rows = [{**GOOD, "observed_at": f"2025-03-01T{h % 10:02d}:{h % 60:02d}:00"} for h in range(20_000)]
    response = post_raw(client, json.dumps(rows))
    assert response.status_code in (400, 413)
    assert not Reading.objects.exists()


HEADER = "mn,pollutant,observed_at,kind,avg\n"


def test_csv_with_a_bom_is_read(client):
    content = ("\ufeff" + HEADER + f"{MN},w01018,2025-03-01T10:00:00,hour,5\n").encode("utf-8")
    response = post_csv(client, content)
    assert response.status_code == 200, response.json()
    assert Reading.objects.count() == 1


@pytest.mark.parametrize("content,words", [
    ((HEADER + f"{MN},w01018,2025-03-01T10:00:00,hour,5,备注\n").encode("gbk"), "UTF-8"),
    ((HEADER + f"{MN},w01018,2025-03-01T10:00:00,hour,5\n").encode("utf-16"), "UTF-8"),
    (b"\x00" * 100, "no rows"),
    ((HEADER + f"{MN}\x00,w01018,2025-03-01T10:00:00,hour,5\n").encode(), "NUL"),
    ((HEADER + f"{MN},w01018,2025-03-01T10:00:00,hour,{'9' * 100_000}\n").encode(), "avg"),
    (b"", ""),
])
def test_bad_csv_is_a_400_with_a_reason(client, content, words):
    response = post_csv(client, content)
    assert response.status_code == 400, response.content
    assert words in json.dumps(response.json(), ensure_ascii=False)
    assert not Reading.objects.exists()


def test_a_csv_file_over_the_cap_is_refused_before_it_is_read(client, monkeypatch):
    monkeypatch.setattr(api_bulk, "MAX_FILE_BYTES", 64 * 1024)
    line = f"{MN},w01018,2025-03-01T10:00:00,hour,5\n"
    response = post_csv(client, (HEADER + line * 3000).encode())
    assert response.status_code == 400
    assert "at most" in response.json()["errors"][0]["detail"]
    assert not Reading.objects.exists()


cell = st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
                 st.sampled_from([MN, "w01018", "060", "hour", "minute", "2025-03-01T10:00:00", "20250301100000",
                                  "N", "D", "", "\x00"]))
rows = st.lists(st.one_of(st.dictionaries(st.sampled_from([*ingest.BULK_FIELDS, "zz"]), cell, max_size=8),
                          st.builds(lambda extra: {**GOOD, **extra},
                                    st.dictionaries(st.sampled_from(ingest.BULK_FIELDS), cell, max_size=2)),
                          cell), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=rows)
def test_random_rows_are_stored_whole_or_refused_whole(client, body):
    before = Reading.objects.count()
    response = post_raw(client, json.dumps(body))
    assert response.status_code in (200, 400), response.content
    answer = response.json()
    if response.status_code == 200:
        assert Reading.objects.count() - before == answer["stored"]
        assert answer["stored"] + answer["duplicates"] == len(body)
    else:
        assert Reading.objects.count() == before
        if "errors" in answer:  # rows refused by the bulk validation, each with its reason
            assert all(error["reason"] and error["detail"] for error in answer["errors"])
        else:  # a body that is not JSON at all (e.g. Infinity): DRF's parse error, with its code
            assert answer["code"] == "parse_error" and answer["detail"]


def test_a_body_that_is_not_strict_json_is_a_parse_error(client):
    response = post_raw(client, json.dumps([{**GOOD, "value": float("inf")}]))  # "Infinity" is not JSON
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Reading.objects.exists()
