"""Appeal photos: images only, checked by their content (not their name), at most 5 of at
most 5 MB each, re-encoded as JPEG so nothing but pixels is kept (no EXIF location, no script)."""

import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from twoway.core.errors import DomainError

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
LONG_EDGE = 2048
ALLOWED = {"JPEG", "PNG", "GIF", "WEBP", "BMP", "MPO"}


@dataclass
class CleanPhoto:
    data: bytes
    sha256: str
    width: int
    height: int

    def save_to(self, appeal):
        from .models import Photo

        photo = Photo(appeal=appeal, sha256=self.sha256, width=self.width, height=self.height)
        photo.image.save(f"{self.sha256[:16]}.jpg", ContentFile(self.data), save=False)
        photo.save()
        return photo


def clean_photos(files) -> list[CleanPhoto]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise DomainError("too_many_photos", _("Photos: at most %(n)s photos.") % {"n": MAX_PHOTOS}, "photos")
    return [clean_photo(f, i + 1) for i, f in enumerate(files)]


def clean_photo(upload, number: int = 1) -> CleanPhoto:
    name = getattr(upload, "name", "") or str(number)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise DomainError("photo_too_large", _("Photos: %(name)s is larger than 5 MB.") % {"name": name}, "photos")
    raw = upload.read()
    if len(raw) > MAX_BYTES:
        raise DomainError("photo_too_large", _("Photos: %(name)s is larger than 5 MB.") % {"name": name}, "photos")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ALLOWED:
                raise UnidentifiedImageError
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((LONG_EDGE, LONG_EDGE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise DomainError(
            "not_an_image", _("Photos: %(name)s is not a picture we can read.") % {"name": name}, "photos"
        ) from None
    data = out.getvalue()
    return CleanPhoto(data=data, sha256=hashlib.sha256(data).hexdigest(), width=width, height=height)
