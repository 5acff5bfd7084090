"""CSRF: every URL a browser can POST to refuses a POST without the CSRF token, for a logged-in bureau
superuser (the strongest session), including the REST API when it is used with the session cookie.

Exempt by design: ``api-token`` (logs in with a username and password and answers a token; no session is
used, so there is nothing to forge) and ``api-logout``/token-authenticated API calls (a token in the
``Authorization`` header is never sent by a browser on its own)."""
import pytest
from django.test import Client

from .urlwalk import fill, routes

pytestmark = pytest.mark.django_db

EXEMPT = {"api-token"}
MEDIA = r"^media/(?P<path>.*)$"


def test_every_post_without_the_csrf_token_is_refused(county):
    user = county.users["bureau"]
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    accepted = []
    for route in routes():
        if route.pattern == MEDIA or route.name in EXEMPT:
            continue
        url = fill(route, county)
        response = client.post(url, {"text": "伪造的请求", "note": "x"})
        reason_shown = b"CSRF" in response.content or route.name == "api-docs"  # its 403 renders without text
        if response.status_code != 403 or not reason_shown:
            accepted.append((url, response.status_code))
    assert not accepted


def test_the_same_post_with_the_token_gets_past_the_check(county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.users["township_a"])
    client.get("/dispatch/complain/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"/dispatch/orders/{county.order_a.pk}/act/", {"action": "accept",
                                                                          "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    county.order_a.refresh_from_db()
    assert county.order_a.state == "accepted"


def test_the_api_with_a_token_needs_no_csrf(county):
    from tests.api.conftest import client_for
    api = client_for(county.users["township_a"])
    api.handler.enforce_csrf_checks = True
    response = api.post(f"/api/v1/work-orders/{county.order_a.pk}/accept/", {}, format="json")
    assert response.status_code == 200, response.content
