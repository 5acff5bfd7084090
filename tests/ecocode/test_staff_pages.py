"""Staff and enterprise pages: jurisdiction, the QR codes (decoded) and the poster."""
import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from PIL import Image

from ecocode.models import CatalogueVersion, EcoCode
from ecocode.services import scoring
from tests import factories as f

from .helpers import on_time_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(now):
    home, other = f.township(), f.township()
    ent = f.enterprise(home)
    on_time_report(f.permit(ent))
    scoring.score_enterprise(ent)
    return ent, home, other


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_qr_png_decodes_to_the_public_url(county):
    ent, *_ = county
    response = client_for(f.bureau_user()).get(f"/ecocode/enterprise/{ent.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    token = EcoCode.objects.get(enterprise=ent).token
    assert result.text == f"{settings.PUBLIC_BASE_URL}/ecocode/p/{token}/"
    assert len(token) >= 22                                              # 128 random bits
    assert Client().get(result.text.removeprefix(settings.PUBLIC_BASE_URL)).status_code == 200


def test_qr_svg_is_an_svg_image(county):
    ent, *_ = county
    response = client_for(f.bureau_user()).get(f"/ecocode/enterprise/{ent.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(response.content).tag.endswith("svg")


def test_every_enterprise_gets_its_own_token(county):
    ent, home, _ = county
    other = f.enterprise(home)
    client_for(f.bureau_user()).get(f"/ecocode/enterprise/{other.pk}/qr.png")   # unscored: token made on demand
    tokens = set(EcoCode.objects.values_list("token", flat=True))
    assert len(tokens) == 2


def test_poster_for_staff(county):
    ent, home, _ = county
    page = client_for(f.user("township", township=home)).get(f"/ecocode/enterprise/{ent.pk}/poster/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ent.name in html and "badge green" in html and f"/ecocode/enterprise/{ent.pk}/qr.svg" in html
    assert client_for(f.user("enterprise", enterprise=ent)).get(
        f"/ecocode/enterprise/{ent.pk}/poster/").status_code == 403


@pytest.mark.parametrize("suffix", ["", "qr.png", "qr.svg", "poster/"])
def test_jurisdiction(county, suffix):
    ent, home, other = county
    url = f"/ecocode/enterprise/{ent.pk}/{suffix}"
    assert client_for(f.user("township", township=other)).get(url).status_code == 403
    assert client_for(f.user("enterprise", enterprise=f.enterprise(home))).get(url).status_code == 403
    assert client_for(f.user("township", township=home)).get(url).status_code == 200
    assert Client().get(url).status_code == 302                                # to the login page


def test_detail_explains_the_score(county):
    ent, home, _ = county
    page = client_for(f.user("enforcement")).get(f"/ecocode/enterprise/{ent.pk}/").content.decode()
    version = CatalogueVersion.objects.order_by("-number").first().number
    assert "100.00" in page and f"v{version}" in page


def test_enterprise_sees_its_own(county):
    ent, *_ = county
    c = client_for(f.user("enterprise", enterprise=ent))
    response = c.get("/ecocode/mine/")
    assert response.status_code == 302 and response["Location"] == f"/ecocode/enterprise/{ent.pk}/"
    assert c.get(response["Location"]).status_code == 200


def test_rescore_is_for_bureau_staff(county):
    ent, home, _ = county
    url = f"/ecocode/enterprise/{ent.pk}/rescore/"
    assert client_for(f.user("township", township=home)).post(url).status_code == 403
    assert client_for(f.bureau_user()).post(url).status_code == 302
    assert ent.eco_scores.count() == 2
