"""Bad uploads on the public complaint forms (QR page of the eco-code, /dispatch/complain/) and on the
evidence check behind the feedback attachments (pages and API): wrong types, an .exe named .jpg,
oversize files, path tricks in file names. Always a 4xx (or the file stored under a safe name inside
MEDIA_ROOT), never a file outside MEDIA_ROOT."""
import io
import itertools
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dispatch.models import Complaint
from dispatch.services import evidence
from ecocode.services.scoring import ensure_code
from tests import factories

pytestmark = pytest.mark.django_db
_ip = itertools.count(1)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
TRICKS = ["../../etc/passwd", "../../../../tmp/evil.jpg", "/etc/cron.d/x.jpg", "..\\..\\win.ini.jpg",
          "a/../../b.png", "%2e%2e%2fevil.png", "evil\x00.png", "....//....//evil.png"]


def png(size=(4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def files_outside(root: Path, media: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and media not in p.parents}


@pytest.fixture
def ent():
    return factories.enterprise()


def post_form(client, url, data):
    return client.post(url, data, REMOTE_ADDR=f"10.9.{next(_ip) // 250}.{next(_ip) % 250}")


def forms(ent):
    code = ensure_code(ent)
    return {
        "qr": (f"/ecocode/p/{code.token}/", {"text": "河里有异味，颜色发黑"}),
        "web": ("/dispatch/complain/", {"text": "河里有异味，颜色发黑", "township": ent.township_id}),
    }


@pytest.mark.parametrize("form", ["qr", "web"])
@pytest.mark.parametrize("name,content", [
    ("photo.jpg", EXE), ("photo.png", b"<?php system($_GET['c']); ?>"), ("photo.svg", b"<svg onload=alert(1)>"),
    ("photo.png", b""), ("photo.png", png()[:40]),
])
def test_a_file_that_is_not_a_photo_is_a_400(client, ent, settings, tmp_path, form, name, content):
    url, data = forms(ent)[form]
    response = post_form(client, url, {**data, "photo": SimpleUploadedFile(name, content, "image/jpeg")})
    assert response.status_code == 400
    assert not Complaint.objects.exclude(photo="").exists()
    assert not files_outside(tmp_path, Path(settings.MEDIA_ROOT))


@pytest.mark.parametrize("form", ["qr", "web"])
def test_an_oversize_photo_is_refused(client, ent, settings, tmp_path, form):
    url, data = forms(ent)[form]
    big = png() + b"\x00" * (11 * 1024 * 1024)  # a valid PNG with 11 MB of trailing bytes
    response = post_form(client, url, {**data, "photo": SimpleUploadedFile("big.png", big, "image/png")})
    assert response.status_code in (400, 413)
    assert not Complaint.objects.exclude(photo="").exists()
    assert not files_outside(tmp_path, Path(settings.MEDIA_ROOT))


@pytest.mark.parametrize("form", ["qr", "web"])
@pytest.mark.parametrize("name", TRICKS)
def test_path_tricks_in_file_names_stay_inside_media_root(client, ent, settings, tmp_path, form, name):
    url, data = forms(ent)[form]
    response = post_form(client, url, {**data, "photo": SimpleUploadedFile(name, png(), "image/png")})
    assert response.status_code in (200, 302, 400)
    media = Path(settings.MEDIA_ROOT).resolve()
    for complaint in Complaint.objects.exclude(photo=""):
        stored = Path(complaint.photo.path).resolve()
        assert media in stored.parents and stored.is_file()
        assert ".." not in complaint.photo.name and "\x00" not in complaint.photo.name
    assert not files_outside(tmp_path, Path(settings.MEDIA_ROOT))
    assert not Path("/tmp/evil.jpg").exists()


@pytest.mark.parametrize("name,content", [
    ("evidence.jpg", EXE), ("evidence.mp4", b"not a video at all"), ("x.png", b""), ("x.gif", b"GIF89a" + b"\x00" * 20),
])
def test_evidence_is_judged_by_its_bytes(name, content):
    with pytest.raises(evidence.EvidenceError) as refused:
        evidence.sniff(SimpleUploadedFile(name, content, "image/jpeg"))
    assert refused.value.status_code == 400


def test_an_oversize_evidence_photo_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_IMAGE_BYTES", 1024)
    with pytest.raises(evidence.EvidenceError):
        evidence.sniff(SimpleUploadedFile("x.png", png((200, 200)) + b"\x00" * 2048, "image/png"))
    assert evidence.sniff(SimpleUploadedFile("../../x.exe", png(), "application/octet-stream")) == "image/png"
