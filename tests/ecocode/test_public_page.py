"""The public page behind the QR code: what it shows, what it never shows, and its complaint form."""
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from alerts.models import Alert
from dispatch.models import Complaint
from ecocode.services import scoring
from enterprises.models import TreatmentFacility
from monitoring.models import Aggregate, Device
from tests import factories as f

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(now):
    ent = f.enterprise(legal_representative="李四法人", address="梧桐街道某路88号", contact_name="王五联系人",
                       contact_phone="13912345678", contact_email="secret-contact@example.com")
    out = f.outlet(f.permit(ent), "DW001", "water", {"w01018": 100, "w21003": 15})
    TreatmentFacility.objects.create(permit=out.permit, outlet=out, name="生化处理站", process="A/O")
    Device.objects.create(mn="MN-PUBLIC-1", outlet=out, last_seen_at=NOW - dt.timedelta(minutes=10))
    Aggregate.objects.create(outlet=out, pollutant_id=out.limits.get(pollutant__code="w01018").pollutant_id,
                             period="hour", start=NOW - dt.timedelta(hours=1), count=60, valid_count=60, sum=7350,
                             avg=122.5, min=110, max=130, updated_at=NOW)
    f.decided_case(ent, number="桐环罚〔2026〕77号", decided_on=dt.date(2026, 6, 1), amount=50000,
                   reason="excess_emission", facts="内部备注：复查未到位")
    Alert.objects.create(outlet=out, enterprise=ent, rule="flat_line", opened_at=NOW - dt.timedelta(days=2),
                         last_seen_at=NOW - dt.timedelta(days=2))      # S32: at best orange
    scoring.score_enterprise(ent)
    ent.eco_code.refresh_from_db()
    cache.clear()
    return ent, f"/ecocode/p/{ent.eco_code.token}/"


def test_shows_name_colour_and_emissions_against_limits(site):
    ent, url = site
    page = Client().get(url).content.decode()
    assert ent.name in page and ent.credit_code in page
    assert "badge orange" in page                       # capped by the suspected-falsification warning
    assert "122.5 mg/L" in page and "over" in page     # COD hourly average (N5.1: one decimal), over 100
    assert "氨氮" in page                                # NH3-N: limit shown, no data yet
    assert "生化处理站" in page


def test_never_shows_private_fields(site):
    ent, url = site
    page = Client().get(url).content.decode()
    for private in ("李四法人", "梧桐街道某路88号", "王五联系人", "13912345678", "secret-contact@example.com",
                    "内部备注", "桐环罚", "M33", "MN-PUBLIC-1"):
        assert private not in page, private


def test_unknown_token_is_404(site):
    assert Client().get("/ecocode/p/not-a-token/").status_code == 404


def _image(fmt="PNG", size=(40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "gray").save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("data, field", [
    ({"text": ""}, "text"),
    ({"text": "脏"}, "text"),
    ({"text": "烟" * 1001}, "text"),
    ({"text": "排放黑烟很严重", "contact": "x" * 101}, "contact"),
    ({"text": "排放黑烟很严重", "photo": SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")}, "photo"),
    ({"text": "排放黑烟很严重", "photo": SimpleUploadedFile("a.gif", _image("GIF"), "image/gif")}, "photo"),
])
def test_bad_complaints_get_a_clear_error_and_store_nothing(site, data, field):
    ent, url = site
    response = Client(REMOTE_ADDR="10.1.0.1").post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert 'class="errorlist"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_photo_over_5_mb_is_refused(site):
    ent, url = site
    big = _image("PNG") + b"\0" * (5 * 1024 * 1024)
    response = Client(REMOTE_ADDR="10.1.0.2").post(url, {"text": "排放黑烟很严重",
                                                         "photo": SimpleUploadedFile("a.png", big, "image/png")})
    assert response.status_code == 400 and "5 MB" in str(response.context["form"].errors["photo"])


def test_a_good_complaint_is_filed_for_dispatch(site):
    ent, url = site
    response = Client(REMOTE_ADDR="10.1.0.3").post(url, {
        "text": "  夜里排放口冒黑烟，气味刺鼻  ", "contact": "13700000000",
        "photo": SimpleUploadedFile("smoke.jpg", _image("JPEG"), "image/jpeg")})
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert (complaint.enterprise, complaint.channel, complaint.text, complaint.contact) == (
        ent, "qr", "夜里排放口冒黑烟，气味刺鼻", "13700000000")
    assert complaint.photo.name and complaint.work_order.source == "complaint"
    assert f"/dispatch/c/{complaint.access_token}/" in response.content.decode()


def test_complaints_are_rate_limited_per_ip(site):
    ent, url = site
    client = Client(REMOTE_ADDR="10.1.0.4")
    codes = [client.post(url, {"text": f"第{n}次投诉：有异味"}).status_code for n in range(6)]
    assert codes == [200] * 5 + [429]
    assert Complaint.objects.count() == 5
    assert Client(REMOTE_ADDR="10.1.0.5").post(url, {"text": "另一位市民：有异味"}).status_code == 200


def test_csrf_is_enforced(site):
    ent, url = site
    response = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.1.0.6").post(url, {"text": "排放黑烟很严重"})
    assert response.status_code == 403
    assert not Complaint.objects.exists()
