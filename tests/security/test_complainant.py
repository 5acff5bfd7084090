"""Complainants are protected, tried as the accused would: a citizen files a complaint with a phone photo
carrying GPS and the phone model, named after themselves, and a phone number; the accused enterprise opens
its work order and downloads the photo. It sees what was complained about, but no metadata, no original
name, no contact. Grid officers see a contact only on complaints they handle; the enterprise does not see
``case_lead`` on its inspections."""
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from core import clock
from dispatch.models import Complaint, Round
from dispatch.services import checklists
from tests.api.conftest import T0, client_for

PHONE = "13900001234"
ORIGINAL_NAME = "张三_13900001234_IMG_0042.jpg"


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera model, a date and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X9"
    exif[0x0132] = "2026:03:02 08:55:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 30.0, 1.0)})
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 30)).save(buf, "JPEG", exif=exif, comment=b"owner 13900001234")
    assert Image.open(io.BytesIO(buf.getvalue())).getexif().get_ifd(0x8825)  # the fixture really has GPS
    return buf.getvalue()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def complaint(world):
    original = phone_photo()
    with clock.frozen(T0):
        response = Client(REMOTE_ADDR="10.3.0.1").post(
            reverse("dispatch:complain") + f"?enterprise={world.ent_a.credit_code}",
            {"township": world.town_a.pk, "text": "厂区夜间排放刺鼻气体", "contact": PHONE,
             "enterprise": world.ent_a.credit_code,
             "photo": SimpleUploadedFile(ORIGINAL_NAME, original, content_type="image/jpeg")})
    assert response.status_code == 302, response.content.decode()[:500]
    world.complaint = Complaint.objects.select_related("work_order").latest("id")
    world.original = original
    return world


def test_the_photo_is_stored_reencoded_under_a_generated_name(complaint):
    c = complaint.complaint
    assert "张三" not in c.photo.name and PHONE not in c.photo.name and "IMG_0042" not in c.photo.name
    assert uuid.UUID(c.photo.name.rsplit("/", 1)[1].split(".")[0])
    assert PHONE not in str(c.work_order.evidence)


def test_the_accused_sees_what_but_not_who(complaint):
    w = complaint
    accused = login(w.users["ent_a"])
    page = accused.get(reverse("dispatch:order_detail", args=[w.complaint.work_order_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "厂区夜间排放刺鼻气体" in html
    assert PHONE not in html and "张三" not in html and "IMG_0042" not in html
    photo = accused.get(reverse("dispatch:complaint_photo", args=[w.complaint.pk]))
    assert photo.status_code == 200
    data = b"".join(photo.streaming_content)
    assert data != w.original
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"PhoneModel" not in data and PHONE.encode() not in data and b"GPS" not in data
    assert "张三" not in photo.get("Content-Disposition", "")
    api = client_for(w.users["ent_a"])
    assert api.get("/api/v1/complaints/").status_code == 403
    order = api.get(f"/api/v1/work-orders/{w.complaint.work_order_id}/")
    assert order.status_code == 200 and PHONE not in order.content.decode()


def test_contacts_only_for_the_bureau_and_the_handler(complaint):
    w = complaint
    contact_of = {}
    for name in ("bureau", "township_a", "grid_a", "enforcement"):
        rows = client_for(w.users[name]).get("/api/v1/complaints/").json()["results"]
        contact_of[name] = {r["id"]: r["contact"] for r in rows}.get(w.complaint.pk)
    # the order of enterprise A (no grid) goes to township A: its officers handle it, the grid does not
    assert contact_of["bureau"] == PHONE and contact_of["township_a"] == PHONE
    assert contact_of["grid_a"] in (None, "") and contact_of["enforcement"] == ""


def test_the_enterprise_does_not_see_case_lead(world):
    with clock.frozen(T0):
        checklist = checklists.checklist_build(permit=world.out_a.permit)
        Round.objects.create(kind="inspection", enterprise=world.ent_a, township=world.town_a, checklist=checklist,
                             client_uuid=uuid.uuid4(), submitted_at=T0, performed_by=world.users["enforcement"],
                             case_lead=True)
    rows = client_for(world.users["ent_a"]).get("/api/v1/rounds/").json()["results"]
    assert rows and all("case_lead" not in r for r in rows)
    filtered = client_for(world.users["ent_a"]).get("/api/v1/rounds/?case_lead=false").json()["results"]
    assert len(filtered) == len(rows)  # filtering does not reveal it either
    staff = client_for(world.users["enforcement"]).get("/api/v1/rounds/?case_lead=true").json()["results"]
    assert [r["case_lead"] for r in staff] == [True]
