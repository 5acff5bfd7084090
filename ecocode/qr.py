"""QR codes of the public page: PNG and SVG of ``PUBLIC_BASE_URL/ecocode/p/<token>/``."""
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse

from .models import EcoCode


def public_url(code: EcoCode) -> str:
    return settings.PUBLIC_BASE_URL + reverse("ecocode:public", args=[code.token])


def _make(data: str, **kwargs):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4, **kwargs)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def png(data: str) -> bytes:
    buf = io.BytesIO()
    _make(data).make_image().save(buf, format="PNG")
    return buf.getvalue()


def svg(data: str) -> bytes:
    buf = io.BytesIO()
    _make(data, image_factory=qrcode.image.svg.SvgPathImage).make_image().save(buf)
    return buf.getvalue()
