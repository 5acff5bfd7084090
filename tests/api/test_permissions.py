"""Every endpoint × every role: the allowed role succeeds, each other role gets 403 or 404, lists show
exactly the jurisdiction's objects, and anonymous requests get 401. Declarations: ``endpoints.py``."""
import pytest
from django.db import transaction
from rest_framework.test import APIClient

from .endpoints import ACTIONS, DETAILS, LISTINGS, ROLES, SEES, STAFF


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _request(client, endpoint, w, ctx):
    body = endpoint.body(w, ctx) if endpoint.body else {}
    kwargs = {"format": "multipart"} if endpoint.multipart else {"format": "json"}
    return getattr(client, endpoint.method)(endpoint.path(w, ctx), body or ({} if endpoint.method != "get" else None),
                                            **kwargs)


@pytest.mark.parametrize("endpoint", DETAILS + ACTIONS, ids=lambda e: e.name)
def test_each_role_gets_the_declared_status(world, frozen, endpoint):
    ctx = (endpoint.setup(world) or {}) if endpoint.setup else {}
    got = {}
    for role in ROLES:
        sid = transaction.savepoint()  # each role acts on the same fresh state
        response = _request(_client(world.users[role]), endpoint, world, ctx)
        got[role] = response.status_code
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body, dict) and body, (role, body)
            if "detail" in body:
                assert body.get("code"), (role, body)
        transaction.savepoint_rollback(sid)
    assert got == endpoint.expected


@pytest.mark.parametrize("endpoint", DETAILS + ACTIONS, ids=lambda e: e.name)
def test_anonymous_gets_401(world, frozen, endpoint):
    ctx = (endpoint.setup(world) or {}) if endpoint.setup else {}
    response = _request(APIClient(), endpoint, world, ctx)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda e: e.name)
def test_lists_show_exactly_the_jurisdiction(world, frozen, listing):
    ctx = (listing.setup(world) or {}) if listing.setup else {}
    declared = {str(k): owner for k, owner in listing.objects(world, ctx).items()}
    for role in ROLES:
        response = _client(world.users[role]).get(listing.path(world, ctx), {"page_size": 200})
        if listing.staff_only and role not in STAFF:
            assert response.status_code == 403, role
            continue
        assert response.status_code == 200, (role, response.content)
        seen = {str(row[listing.id_field]) for row in response.json()["results"]} & set(declared)
        if listing.by_owner:
            wanted = {k for k, owner in declared.items() if owner == role}
        else:
            wanted = {k for k, ent in declared.items() if ent in SEES[role]}
        assert seen == wanted, role
