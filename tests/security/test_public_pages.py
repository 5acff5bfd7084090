"""Public pages: the complaint status page never shows private data (complainant's contact, officers,
internal notes, enterprise contacts, penalty notes); the QR page and both complaint forms are rate-limited
per client IP; uploaded files are not served to anyone who guesses a path."""
import datetime as dt
import importlib
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import clear_url_caches

from core import clock
from dispatch import services
from ecocode import views as public
from tests.api.conftest import T0

pytestmark = pytest.mark.django_db


def test_the_complaint_status_page_shows_no_private_data(county):
    complaint = county.complaint_b
    officer = county.users["township_b"]
    officer.first_name, officer.last_name, officer.phone = "赵", "官员", "13700001111"
    officer.save()
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        order = complaint.work_order
        services.work_order_act(order_id=order.pk, action="accept", user=officer, note="内部备注：投诉人是邻厂老板")
        services.work_order_act(order_id=order.pk, action="start", user=officer)
        services.feedback_submit(order_id=order.pk, user=officer, text="现场核查记录：联系人张三配合")
    ent = county.ent_b
    response = Client().get(f"/dispatch/c/{complaint.access_token}/")
    page = response.content.decode()
    assert response.status_code == 200 and "乙企业异味" in page        # the complainant's own text
    assert response["X-Robots-Tag"] == "noindex" and response["Referrer-Policy"] == "no-referrer"
    private = [complaint.contact, officer.username, officer.first_name + officer.last_name, officer.phone,
               "内部备注", "现场核查记录", ent.contact_name, ent.contact_phone, ent.contact_email,
               ent.legal_representative, "内部备注乙", "乙罚〔2026〕1号", county.team.name]
    assert not [p for p in private if p and p in page]


def test_the_qr_page_shows_no_private_data(county):
    ent = county.ent_b
    page = Client().get(f"/ecocode/p/{ent.eco_code.token}/").content.decode()
    assert ent.name in page
    private = [ent.contact_name, ent.contact_phone, ent.contact_email, "内部备注乙", "乙罚〔2026〕1号",
               county.out_b.devices.get().mn, "乙企业异味", "13911112222"]
    assert not [p for p in private if p and p in page]


def test_qr_page_views_are_limited_per_ip_and_minute(county):
    cache.clear()
    assert public.VIEWS_PER_MINUTE == 120
    url = f"/ecocode/p/{county.ent_b.eco_code.token}/"
    crowd, scraper = Client(REMOTE_ADDR="10.7.0.1"), Client(REMOTE_ADDR="10.7.0.2")
    with clock.frozen(T0) as advance:
        codes = [scraper.get(url if n % 2 else "/ecocode/p/guessed-token/").status_code for n in range(121)]
        assert codes[:120].count(200) == 60 and codes[:120].count(404) == 60  # guesses count too
        refused = scraper.get(url)
        assert (codes[120], refused.status_code, refused["Retry-After"]) == (429, 429, "60")
        assert crowd.get(url).status_code == 200                         # another address is not affected
        advance(dt.timedelta(minutes=1))
        assert scraper.get(url).status_code == 200                       # the next minute starts afresh


@pytest.mark.parametrize("url", ["/dispatch/complain/", "qr"])
def test_both_complaint_forms_are_limited_per_ip(county, url):
    cache.clear()
    if url == "qr":
        url = f"/ecocode/p/{county.ent_b.eco_code.token}/"
    client = Client(REMOTE_ADDR="10.7.1.1")
    data = {"text": "夜间排放异味严重", "township": county.town_b.pk}
    codes = [client.post(url, data).status_code for _ in range(6)]
    assert codes[5] == 429 and 429 not in codes[:5]


def test_uploaded_evidence_is_not_served_to_anonymous_users(settings):
    """Even as ``make run`` serves the site (DEBUG on when the URLs load; the tests otherwise load them with
    DEBUG off), /media/ serves no upload: files go out only through dispatch's jurisdiction-checked views."""
    import config.urls

    name = f"evidence/security-test-{uuid.uuid4().hex}.jpg"  # as dispatch.services.evidence stores a photo
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8 photo with GPS")
    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        assert Client().get(f"/media/{name}").status_code in (302, 401, 403, 404)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
