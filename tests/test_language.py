"""The UI speaks zh-Hans by default, whatever the browser asks, and English on request; every page of
every role, rendered on demo-like data, shows no English, raw codes, raw stored values, Python reprs or
unrounded floats — the mobile pages too, as their scripts render them from the REST API in a real
headless browser (lists, the eco-code's reasons, warnings, orders with their forms, checklist rounds)."""
import os
import re
from html import unescape

import pytest
from django.conf import settings

from tests.api.conftest import _fast_passwords_and_fresh_throttles, world  # noqa: F401 (fixtures)
from tests.api.test_mobile import CHROMIUM, browser  # noqa: F401 (fixture)

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
    return text_leftovers(_visible_text(html), raw_values)


def text_leftovers(text: str, raw_values: set[str]) -> list[str]:
    """What in a page's visible text is English, a raw code or value, a repr or an unrounded float."""
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
             "/m/township/", "/notifications/preferences/"]
    return {
        "bureau": staff,
        "township_a": [p for p in staff if not p.startswith("/m/enforcement")],
        "grid_a": ["/m/township/", "/dispatch/", "/notifications/preferences/"],
        "enforcement": staff,
        "ent_a": ["/ecocode/mine/", "/m/enterprise/", f"/alerts/{alert.pk}/", "/notifications/preferences/"],
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


# --- the mobile pages as their scripts render them from the API, in a real headless browser -------------

def _mobile_views(world):
    """Each mobile page as its users see it, with what it must have fetched and rendered before the check."""
    w = world
    order_a, team = f"#orders li[data-order='{w.order_a.pk}']", f"#review li[data-order='{w.order_team.pk}']"
    return [
        ("enterprise", "ent_a", ["#ecocode ul.reasons li", f"#alerts li[data-alert='{w.alert_a.pk}']",
                                 f"#notices li[data-notice='{w.notice_a.pk}']", order_a],
         f"#notices li[data-notice='{w.notice_a.pk}'] button"),
        ("township", "township_a", [f"{order_a} form.feedback", "#enterprise option:nth-child(2)"], None),
        ("township", "grid_a", ["#orders li", "#enterprise option:nth-child(2)"], None),
        ("enforcement", "enforcement", ["#orders li", "#enterprise option:nth-child(2)"], None),
        ("enforcement", "bureau", [f"{team} button[data-action=approve]", "#enterprise option:nth-child(2)"], None),
    ]


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium not installed")
def test_the_mobile_pages_rendered_from_the_api_speak_zh_hans(world, live_server, browser):
    from dispatch import services
    from ecocode.services import scoring
    from tests.api.test_mobile import ARTIFACTS, fill_round, open_page

    scoring.run(trigger="on_demand", enterprise_ids=[world.ent_a.pk])  # the eco-code's reasons to show
    for order, who in ((world.order_a, world.users["township_a"]), (world.order_team, world.users["enforcement"])):
        for step in ("accept", "start"):
            services.work_order_act(order_id=order.pk, action=step, user=who)
    services.feedback_submit(order_id=world.order_team.pk, user=world.users["enforcement"], text="已责令整改")
    raw_values, problems, w = _choice_values(), {}, world
    for client, role, ready, opens_round in _mobile_views(world):
        page, errors = open_page(browser, live_server, client, world.users[role])
        for selector in ready:
            page.wait_for_selector(selector, state="attached")
        if opens_round:
            page.click(opens_round)
        else:  # a patrol or inspection of the first enterprise of the picker
            page.select_option("#enterprise", index=1)
            page.click("#start-round")
        page.wait_for_selector("#round .line")
        page.check("#round .line input[value=pass]")
        page.wait_for_selector("#round .line.answered")
        text = page.inner_text("body")
        shown = {"ent_a": [w.order_a.title, "化学需氧量", "扣分原因"],
                 "township_a": [w.order_a.title, "拍照或选择照片"], "bureau": [w.order_team.title]}.get(role, [])
        assert all(words in text for words in shown), (role, shown)  # the check reads what the scripts fetched
        page.screenshot(path=str(ARTIFACTS / f"language-mobile-{role}.png"), full_page=True)
        found = text_leftovers(text, raw_values)
        if found or errors:
            problems[f"{role} /m/{client}/"] = sorted(set(found))[:12] + errors
        if opens_round:
            fill_round(page)
            page.wait_for_selector(f"#notices li[data-notice='{world.notice_a.pk}']", state="detached")
            found = text_leftovers(page.inner_text("body"), raw_values)  # after the submit: the flash, the lists
            if found:
                problems[f"{role} /m/{client}/ submitted"] = sorted(set(found))[:12]
        page.context.close()
    assert problems == {}
