"""The UI speaks zh-Hans by default, whatever the browser asks, and English on request; every page of
every role, rendered on demo-like data, shows no English, raw codes, raw stored values, Python reprs or
unrounded floats."""
import re
from html import unescape

import pytest
from django.conf import settings

from tests.api.conftest import _fast_passwords_and_fresh_throttles, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_default_is_simplified_chinese_even_for_english_browsers(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_language_cookie_switches_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/admin/login/")
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


def test_unknown_language_cookie_falls_back_to_default(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/admin/login/")["Content-Language"] == "zh-hans"


# --- every page of every role, rendered in zh-Hans, on demo-like data ------------------------------------

CODE = re.compile(r"\b[aweL]\d{5}\b")                       # HJ 212 codes where a name belongs
REPR = re.compile(r"\[\s*'[^']*'\s*(,\s*'[^']*'\s*)*\]|\{'\w+':")  # Python lists / dicts shown as text
LONG_FLOAT = re.compile(r"\d+\.\d{5,}")                        # values not rounded to their precision
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,})+\b")  # two English words or more
WORD = re.compile(r"(?<![\w./:-])[a-z_]{3,}(?![\w./:-])")
#: Latin words a zh-Hans page legitimately shows: units, standards and product names.
ALLOWED = {"mg", "dB", "kWh", "min", "PM", "HJ", "GB", "QR", "CSV", "Excel", "API", "JSON", "ID", "kPa", "pH", "COD"}


def _visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    return unescape(text)


def _choice_values() -> set[str]:
    """The stored values of every model choice (states, kinds, rules...): never shown raw."""
    from django.apps import apps

    values = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z_]{3,}", value):
                    values.add(value)
    return values


def leftovers(html: str, raw_values: set[str]) -> list[str]:
    text = _visible_text(html)
    found = [m.group(0) for m in CODE.finditer(text)] + [m.group(0) for m in REPR.finditer(text)]
    found += [m.group(0) for m in LONG_FLOAT.finditer(text)]
    found += [m.group(0) for m in ENGLISH.finditer(text) if not set(m.group(0).replace(",", " ").split()) <= ALLOWED]
    found += [m.group(0) for m in WORD.finditer(text) if m.group(0) in raw_values]
    return found


def _pages(world) -> dict[str, list[str]]:
    """Every page each role opens in its day's work (lists, details, the enterprise's own pages)."""
    w = world
    alert, order, ent = w.alert_a, w.order_a, w.ent_a
    staff = ["/dashboard/", "/dashboard/risk/", "/dashboard/kpis/", "/dashboard/ranking/", "/dashboard/tracing/",
             f"/dashboard/outlets/{w.out_a.pk}/", "/alerts/", f"/alerts/{alert.pk}/",
             "/dispatch/", f"/dispatch/orders/{order.pk}/", "/dispatch/complaints/", "/dispatch/campaigns/",
             f"/enforcement/enterprises/{ent.pk}/", f"/ecocode/enterprise/{ent.pk}/", "/m/enforcement/",
             "/m/township/"]
    return {
        "bureau": staff,
        "township_a": [p for p in staff if not p.startswith("/m/enforcement")],
        "grid_a": ["/m/township/", "/dispatch/"],
        "enforcement": staff,
        "ent_a": ["/ecocode/mine/", "/m/enterprise/", f"/alerts/{alert.pk}/"],
        None: [f"/ecocode/p/{ent.eco_code.token}/", "/accounts/login/"],
    }


def test_every_page_of_every_role_speaks_zh_hans(world, client):
    from django.urls import Resolver404, resolve

    raw_values = _choice_values()
    problems, seen = {}, 0
    for role, paths in _pages(world).items():
        client.logout()
        if role:
            client.force_login(world.users[role])
        for path in paths:
            try:
                resolve(path)
            except Resolver404:
                problems[f"{role} {path}"] = ["no such page"]
                continue
            response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
            if response.status_code in (302, 403, 404):
                continue  # not this role's page
            assert response.status_code == 200, (role, path, response.status_code)
            seen += 1
            found = leftovers(response.content.decode(), raw_values)
            if found:
                problems[f"{role} {path}"] = sorted(set(found))[:12]
    assert seen >= 25
    assert problems == {}


def test_the_check_catches_what_it_is_for():
    raw = {"open", "exceedance"}
    page = ("<p>3 warning(s) ['exceedance']</p><td>a34013</td><td>13.365333333333334</td><td>open</td>"
            "<script>var x = 'Not shown';</script><td>13.4 mg/m³ 颗粒物</td>")
    assert set(leftovers(page, raw)) == {"['exceedance']", "a34013", "13.365333333333334", "open", "exceedance"}
    assert leftovers("<p>No readings in this period.</p>", raw) == ["No readings in this period"]
    assert leftovers("<td>13.4 mg/m³ 颗粒物 PM2.5</td><script>var open = 'Not shown';</script>", raw) == []
