"""Uploaded photos and videos, made safe to keep: generated file names, decompression bombs refused,
complaint photos re-encoded without their metadata (EXIF with GPS and phone model, XMP, PNG text), and
videos checked by walking their ISO base media file format (MP4/MOV) boxes instead of trusting 4 bytes."""
import io
import struct
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; a 30000×30000 PNG is a decompression bomb
REENCODE_MAX_SIDE = 4096


class BadMedia(ValueError):
    """A file that is not the photo or video it claims to be; the message says why (for a 400)."""


def generated_name(extension: str) -> str:
    """A random stored name: the client's file name (which may carry a person's name) is never kept."""
    return f"{uuid.uuid4().hex}.{extension}"


def _too_many_pixels() -> BadMedia:
    return BadMedia(_("The image has too many pixels (at most %(mp)d megapixels).")
                    % {"mp": MAX_PIXELS // 1_000_000})


def open_image(upload) -> Image.Image:
    """Open an uploaded image lazily (header only) and refuse a decompression bomb before decoding."""
    upload.seek(0)
    try:
        image = Image.open(upload)
    except Image.DecompressionBombError:  # Pillow's own limit (twice MAX_IMAGE_PIXELS), checked on open
        raise _too_many_pixels() from None
    except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadMedia(_("Only photos (JPEG, PNG, WebP) and videos (MP4, MOV) are accepted.")) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    return image


def check_photo(upload) -> None:
    """For a form's ``clean_photo``: a ``ValidationError`` (the form shows it) for a decompression bomb."""
    try:
        with open_image(upload):  # the context exit leaves the caller's file open, close() would not
            pass
    except BadMedia as exc:
        raise ValidationError(str(exc)) from None
    finally:
        upload.seek(0)


def reencode_photo(upload) -> ContentFile:
    """A fresh JPEG of ``upload`` turned upright, with no metadata at all, under a generated name."""
    image = open_image(upload)
    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((REENCODE_MAX_SIDE, REENCODE_MAX_SIDE))
        image = image.convert("RGB")
        image.info.clear()  # Pillow would write an inherited comment, EXIF or ICC profile back
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadMedia(_("The photo could not be read.")) from None
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=b"")  # nothing of the original's metadata is kept
    upload.seek(0)
    return ContentFile(out.getvalue(), name=generated_name("jpg"))


def video_brand(upload, size: int) -> bytes:
    """The major brand of an ISO-BMFF video, after walking its top-level boxes: the first is ``ftyp``,
    every box has a plausible size within the file, and a ``moov`` box (the movie) is present."""
    upload.seek(0)
    offset, brand, seen = 0, None, set()
    try:
        while offset < size:
            upload.seek(offset)
            header = upload.read(16)
            if len(header) < 8:
                raise BadMedia(_("The video is truncated."))
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1:
                if len(header) < 16:
                    raise BadMedia(_("The video is truncated."))
                box_size = struct.unpack(">Q", header[8:16])[0]
                minimum = 16
            elif box_size == 0:  # the last box runs to the end of the file
                box_size = size - offset
                minimum = 8
            else:
                minimum = 8
            # a box type is four printable characters (ftyp, moov, mdat, free, wide, uuid, ...)
            if not all(0x20 <= c <= 0x7E for c in box_type) or box_size < minimum or offset + box_size > size:
                raise BadMedia(_("This is not an MP4 or MOV video."))
            if not seen:
                if box_type != b"ftyp" or box_size < 16:
                    raise BadMedia(_("This is not an MP4 or MOV video."))
                brand = header[8:12]
            seen.add(box_type)
            offset += box_size
    finally:
        upload.seek(0)
    if b"moov" not in seen:
        raise BadMedia(_("The video has no movie box (moov): it cannot be played."))
    return brand
