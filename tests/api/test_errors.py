"""Clear 4xx answers: field errors, illegal transitions, guessed ids, bounded ranges, login."""
import datetime as dt

from dispatch import services

from .conftest import T0, client_for


def test_an_enterprise_cannot_read_another_enterprises_readings_by_guessing_ids(world, frozen):
    client = client_for(world.users["ent_a"])
    for kind in ("minute", "hour"):
        own = client.get("/api/v1/readings/", {"outlet": world.out_a.pk, "kind": kind})
        assert own.status_code == 200
    assert len(client.get("/api/v1/readings/", {"outlet": world.out_a.pk, "kind": "minute"}).json()["results"]) == 6
    for outlet in (world.out_b.pk, world.out_g.pk, 10**9):
        for path in ("/api/v1/readings/", "/api/v1/aggregates/"):
            response = client.get(path, {"outlet": outlet, "kind": "minute"})
            assert response.status_code == 404, (path, outlet)
            assert response.json()["code"] == "not_found"
    for path in (f"/api/v1/outlets/{world.out_b.pk}/", f"/api/v1/alerts/{world.alert_b.pk}/",
                 f"/api/v1/work-orders/{world.order_b.pk}/", f"/api/v1/enterprises/{world.ent_b.pk}/"):
        assert client.get(path).status_code == 404, path


def test_reading_ranges_are_bounded_and_validated(world, frozen):
    client = client_for(world.users["bureau"])
    base = {"outlet": world.out_a.pk, "kind": "minute"}
    too_long = client.get("/api/v1/readings/", {**base, "since": (T0 - dt.timedelta(days=30)).isoformat(),
                                                "until": T0.isoformat()})
    assert too_long.status_code == 400 and "until" in too_long.json()
    backwards = client.get("/api/v1/readings/", {**base, "since": T0.isoformat(),
                                                 "until": (T0 - dt.timedelta(hours=1)).isoformat()})
    assert backwards.status_code == 400 and "since" in backwards.json()
    assert "since" in client.get("/api/v1/readings/", {**base, "since": "yesterday"}).json()
    assert "pollutant" in client.get("/api/v1/readings/", {**base, "pollutant": "nope"}).json()
    assert "outlet" in client.get("/api/v1/readings/", {"kind": "minute"}).json()
    assert client.get("/api/v1/readings/", {**base, "page_size": 5000}).status_code == 200
    window = client.get("/api/v1/readings/", {**base, "since": (T0 - dt.timedelta(hours=2)).isoformat(),
                                              "until": (T0 - dt.timedelta(hours=1, minutes=30)).isoformat(),
                                              "pollutant": "w01018"})
    assert [r["value"] for r in window.json()["results"]] == [40, 50, 60]


def test_illegal_transitions_are_409_with_a_code(world, frozen):
    client = client_for(world.users["township_a"])
    response = client.post(f"/api/v1/work-orders/{world.order_a.pk}/start/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition" and response.json()["detail"]
    ent = client_for(world.users["ent_a"])
    assert ent.post(f"/api/v1/alerts/{world.alert_a.pk}/acknowledge/").status_code == 200
    again = ent.post(f"/api/v1/alerts/{world.alert_a.pk}/acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_field_errors_name_the_field(world, frozen):
    client = client_for(world.users["bureau"])
    missing = client.post(f"/api/v1/alerts/{world.alert_a.pk}/close/", {}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()) == ["reason"] and isinstance(missing.json()["reason"], list)
    for step in ("accept", "start"):
        services.work_order_act(order_id=world.order_a.pk, action=step, user=world.users["township_a"])
    officer = client_for(world.users["township_a"])
    bad_file = officer.post(f"/api/v1/work-orders/{world.order_a.pk}/feedback/",
                            {"text": "已整改", "files": [_text_file()]}, format="multipart")
    assert bad_file.status_code == 400 and bad_file.json()["code"] == "evidence_error"
    assert world.order_a.feedbacks.count() == 0  # refused before anything was stored
    line = officer.post("/api/v1/round-drafts/", {"kind": "patrol", "enterprise": world.ent_a.pk}, format="json")
    uuid = line.json()["client_uuid"]
    bad = officer.put(f"/api/v1/round-drafts/{uuid}/lines/{line.json()['checklist']['lines'][0]['id']}/",
                      {"result": "maybe"}, format="json")
    assert bad.status_code == 400 and "result" in bad.json()
    unanswered = officer.post(f"/api/v1/round-drafts/{uuid}/submit/", {}, format="json")
    assert unanswered.status_code in (400, 409) and "detail" in unanswered.json()


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.jpg", b"not a photo at all", content_type="image/jpeg")


def test_login_logout(world):
    from rest_framework.test import APIClient

    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": world.users["ent_a"].username, "password": "no"},
                        format="json")
    assert wrong.status_code == 400 and "non_field_errors" in wrong.json()
    assert client.post("/api/v1/auth/token/", {}, format="json").json().keys() == {"username", "password"}
    client = client_for(world.users["ent_a"])
    me = client.get("/api/v1/auth/me/").json()
    assert (me["role"], me["enterprise"]) == ("enterprise", world.ent_a.pk)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_password_guessing_is_throttled(world):
    from rest_framework.test import APIClient

    client, name = APIClient(), world.users["ent_b"].username
    codes = [client.post("/api/v1/auth/token/", {"username": name, "password": f"guess{n}"}, format="json")
             for n in range(11)]
    assert [r.status_code for r in codes[:10]] == [400] * 10
    assert codes[10].status_code == 429 and codes[10].json()["code"] == "throttled"
    # The guessing address is now locked out for every account (django-axes, tests/security/test_accounts.py);
    # another account from another address is not.
    same_address = client.post("/api/v1/auth/token/", {"username": world.users["ent_a"].username,
                                                        "password": "pw-for-tests-only"}, format="json")
    assert same_address.status_code in (400, 429)
    other = APIClient(REMOTE_ADDR="10.8.0.2").post("/api/v1/auth/token/", {
        "username": world.users["ent_a"].username, "password": "pw-for-tests-only"}, format="json")
    assert other.status_code == 200


def test_times_postgresql_cannot_store_are_400_not_500(world, frozen):
    """Found by the fuzz run: Python parses offsets beyond ±15:59 and years near 1 that PostgreSQL refuses."""
    client = client_for(world.users["bureau"])
    for path, param in (("/api/v1/alerts/", "opened_after"), ("/api/v1/work-orders/", "opened_before"),
                        ("/api/v1/self-check-notices/", "due_after")):
        response = client.get(path, {param: "0148-02-26T09:05:12-16:19"})
        assert response.status_code == 400 and param in response.json(), path
    response = client.get("/api/v1/readings/", {"outlet": world.out_a.pk, "since": "0001-01-01T00:00:00-16:19"})
    assert response.status_code == 400 and "since" in response.json()
    ok = client.get("/api/v1/alerts/", {"opened_after": "2026-03-01T07:00:00-16:30"})  # 23:30 UTC, before all
    assert ok.status_code == 200 and len(ok.json()["results"]) == 3
