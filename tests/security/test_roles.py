"""Per role, every URL pattern of the project, filled with township B's objects: nobody outside B reaches
B's data, anonymous users reach only the public allow-list, only staff reach the admin, and no URL answers 5xx.

The public allow-list and why each entry is public:
* ``ecocode:public`` — the QR page at the gate (its token is printed on the poster), shows no private data;
* ``dispatch:complain`` — the public complaint form; ``dispatch:complaint_status`` — the complainant's page,
  reachable only with its 32-character secret token;
* ``admin:login``, ``login``, ``api-token`` — logging in; ``logout``; the password-reset pages (a form asking
  for an e-mail address, and the pages behind the signed link it sends); ``admin:logout`` (redirects to the admin, which asks for a
  login); ``set_language`` — the language switch;
* ``mobile-*`` — server-rendered shells with a login form and no data (the API behind them checks tokens);
* ``outreach:faq``, ``api-faq-list``, ``api-faq-detail`` — the published FAQ: anonymised answers for everyone
  (entries marked not public only for logged-in users);
* ``schema`` / ``api-docs`` — the OpenAPI description. Public on purpose: it holds endpoint and field names,
  no data (tested below), every endpoint it describes still needs a token, the same paths are readable in the
  mobile pages' script, and enterprises' DCS vendors integrating the bulk readings endpoint need it before
  they have an account. Hiding it would be obscurity, not access control.
"""
import pytest
from django.test import Client

from .urlwalk import fill, routes

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
          "password_reset_complete", "ecocode:public", "dispatch:complain", "dispatch:complaint_status", "admin:login", "admin:logout", "api-token",
          "login", "logout",
          "set_language", "mobile-enterprise", "mobile-township", "mobile-enforcement", "schema", "api-docs",
          "outreach:faq", "api-faq-list", "api-faq-detail"}
# Uploaded files under /media/: served only with DEBUG on, to anyone, by path; see test_public_pages.py.
MEDIA = r"^media/(?P<path>.*)$"
# Reachable with another jurisdiction's parameter, by design: the public token pages, and the county-wide
# catalogue of colour consequences (no enterprise data), and the county's articles and exams (their pages
# show, and their actions touch, only the user's own jurisdiction: read rates, results, pushes, retakes).
NOT_JURISDICTION_BOUND = PUBLIC | {"api-ecocode-consequence-detail", "outreach:article_detail",
                                   "outreach:article_push", "outreach:exam_results", "outreach:exam_retake",
                                   "outreach:exam_start", "api-exam-detail", "api-exam-start"}
OBJECT_PARAMS = {"pk", "enterprise", "client_uuid", "object_id", "id", "token", "access_token"}
REFUSED = {401, 403, 404, 405}
LOGOUT = {"logout", "admin:logout", "api-logout"}  # a POST would end the walk's session


def _walk(client):
    """(route, method, url, response) for every route: GET, and POST when GET is not allowed."""
    for route in routes():
        if route.pattern == MEDIA:
            continue
        url = fill(route, client.world)
        response = client.get(url)
        yield route, "GET", url, response
        if response.status_code == 405 and route.name not in LOGOUT:
            yield route, "POST", url, client.post(url, {})


def _to_login(response) -> bool:
    return response.status_code == 302 and "login" in response["Location"]


def _client(world, role=None, staff=False):
    client = Client()
    if role:
        user = world.users[role]
        if staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        client.force_login(user)
    client.world = world
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_the_walk_covers_every_pattern(county):
    all_routes = routes()
    assert len(all_routes) > 300
    for route in all_routes:
        if route.pattern != MEDIA:
            assert fill(route, county).startswith("/")  # every parameter has a value


def test_anonymous_reaches_only_the_public_allow_list(county):
    problems = []
    for route, method, url, response in _walk(_client(county)):
        code = response.status_code
        if code >= 500:
            problems.append((method, url, code))
        elif route.name in PUBLIC or route.name == "home":
            continue
        elif code not in REFUSED and not _to_login(response):
            problems.append((method, url, code))
    assert not problems


@pytest.mark.parametrize("role", ["township_a", "grid_a", "ent_a"])
def test_a_restricted_role_never_reaches_township_b(county, role):
    problems, answered = [], 0
    for route, method, url, response in _walk(_client(county, role)):
        code = response.status_code
        answered += code == 200
        if code >= 500:
            problems.append((method, url, code))
        elif route.name in PUBLIC:
            continue
        elif route.admin:
            if not (_to_login(response) or code in REFUSED):  # not staff: no admin at all
                problems.append((method, url, code))
        elif route.name in NOT_JURISDICTION_BOUND:
            continue
        elif OBJECT_PARAMS & set(route.params) and code not in REFUSED and code != 302:
            problems.append((method, url, code))            # B's object answered
        elif code == 200 and (found := [c for c in county.canaries if c in _body(response)]):
            problems.append((method, url, f"shows {found}"))  # a list or page shows B's data
    assert not problems
    assert answered > 25  # the role's own pages and lists did answer (the walk was not all redirects)


@pytest.mark.parametrize("role", ["bureau", "enforcement"])
def test_county_wide_roles_reach_no_admin_without_staff_and_nothing_fails(county, role):
    problems = []
    for route, method, url, response in _walk(_client(county, role)):
        code = response.status_code
        if code >= 500 or (route.admin and route.name not in PUBLIC
                           and not (_to_login(response) or code in REFUSED)):
            problems.append((method, url, code))
    assert not problems


def test_bureau_only_actions_refuse_enforcement_officers(county):
    client = _client(county, "enforcement", staff=True)
    assert client.post(f"/ecocode/enterprise/{county.ent_b.pk}/rescore/").status_code == 403
    assert client.get("/admin/audit/auditentry/").status_code == 403
    bureau = _client(county, "bureau", staff=True)
    assert bureau.get("/admin/audit/auditentry/").status_code == 200


def test_the_public_api_schema_holds_no_data(county):
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    body = _body(response)
    assert "/api/v1/work-orders/" in body
    assert not [c for c in county.canaries if c in body]
    assert Client().get("/api/v1/work-orders/").status_code == 401
