"""The media library: uploads are checked by type, size and dimensions before they are kept."""

from __future__ import annotations

import logging
import warnings
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from roost.core.exceptions import ValidationFailed
from roost.publishing.models import MEDIA_EXTENSIONS, THUMB_SIDE, MediaAsset
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 8000
MIN_SIDE = 16

logger = logging.getLogger(__name__)


def too_large(name: str) -> ValidationFailed:
    """The refusal for a file past the size limit, also when its size is not known yet."""
    return ValidationFailed(
        {"file": [_("%(name)s is larger than 10 MB, the limit.") % {"name": name or _("The file")}]}
    )


def _check_kind_and_sides(name: str, kind: str, width: int, height: int) -> None:
    if kind not in TYPES:
        raise ValidationFailed(
            {
                "file": [
                    _("%(name)s is a %(kind)s image; use JPEG, PNG, GIF or WebP.")
                    % {"name": name, "kind": kind}
                ]
            }
        )
    if max(width, height) > MAX_SIDE or min(width, height) < MIN_SIDE:
        raise ValidationFailed(
            {
                "file": [
                    _(
                        "%(name)s is %(w)s x %(h)s pixels; images must be between "
                        "%(min)s and %(max)s pixels on each side."
                    )
                    % {"name": name, "w": width, "h": height, "min": MIN_SIDE, "max": MAX_SIDE}
                ]
            }
        )


def _not_an_image(name: str) -> ValidationFailed:
    return ValidationFailed(
        {
            "file": [
                _("%(name)s is not an image Roost can publish (JPEG, PNG, GIF or WebP).")
                % {"name": name}
            ]
        }
    )


def _inspect(name: str, data: bytes) -> tuple[str, int, int]:
    """The format Pillow detects in the bytes and the image's size; any refusal in words.

    Pillow reads untrusted bytes here, so anything it raises (OSError, SyntaxError,
    EOFError, struct.error, ValueError…) means "not an image Roost can use", never a 500.
    Nothing is decoded before the declared size is known to be sensible.
    """
    with warnings.catch_warnings():
        # Pillow warns at open (and past twice its limit, raises) for a declared size that
        # could be a decompression bomb; both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data)) as image:
                kind, width, height = image.format or "", image.width, image.height
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationFailed(
                {
                    "file": [
                        _(
                            "%(name)s declares too many pixels to open safely; images must "
                            "be between %(min)s and %(max)s pixels on each side."
                        )
                        % {"name": name, "min": MIN_SIDE, "max": MAX_SIDE}
                    ]
                }
            ) from None
        except Exception:
            raise _not_an_image(name) from None
        _check_kind_and_sides(name, kind, width, height)
        try:
            with Image.open(BytesIO(data)) as image:
                image.verify()
            # Decode once (a JPEG at an eighth of its size) so a truncated file is refused
            # now, not by a network at publishing time.
            with Image.open(BytesIO(data)) as image:
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
        except Exception:
            raise _not_an_image(name) from None
    return kind, width, height


def media_upload(*, actor: Membership, upload: UploadedFile, alt_text: str = "") -> MediaAsset:
    """Keep an image in the library if it is a real JPEG/PNG/GIF/WebP of sensible size.

    The stored file is named by what the bytes are, never by the name the client sent: a
    GIF called `poly.html` is kept as `<random>.gif` with type image/gif.
    """
    require(actor, Perm.COMPOSE)
    name = upload.name or "image"
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationFailed(
            {
                "file": [
                    _("%(name)s is %(mb).1f MB; the limit is 10 MB.")
                    % {"name": name, "mb": upload.size / 1048576}
                ]
            }
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large(name)
    kind, width, height = _inspect(name, data)
    mime_type = TYPES[kind]
    with transaction.atomic():
        asset = MediaAsset(
            workspace=actor.workspace,
            original_name=name[:255],
            mime_type=mime_type,
            width=width,
            height=height,
            size=len(data),
            alt_text=alt_text.strip(),
            uploaded_by=actor.user,
        )
        asset.file.save(f"upload.{MEDIA_EXTENSIONS[mime_type]}", ContentFile(data), save=False)
        asset.save()
        _store_thumbnail(asset, data)
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="media.uploaded",
            target=asset,
            name=name,
        )
    return asset


@transaction.atomic
def media_set_alt_text(*, actor: Membership, asset: MediaAsset, alt_text: str) -> MediaAsset:
    require(actor, Perm.COMPOSE)
    asset.alt_text = alt_text.strip()
    asset.save(update_fields=["alt_text"])
    return asset


# --- thumbnails ---------------------------------------------------------------------------


def thumbnail_name(asset: MediaAsset) -> str:
    """Where the asset's thumbnail is kept: named after its file, so no column records it."""
    stem = (asset.file.name or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"thumbs/{asset.workspace_id}/{stem}.webp"


def render_thumbnail(data: bytes) -> bytes:
    """A WebP of the image (its first frame) fitting in THUMB_SIDE, turned upright by its
    EXIF orientation. Only called on bytes media_upload already accepted."""
    with Image.open(BytesIO(data)) as image:
        image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))  # JPEG: decode at a fraction of the size
        upright = ImageOps.exif_transpose(image)
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        small = upright.convert("RGBA" if has_alpha else "RGB")
        small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        out = BytesIO()
        small.save(out, format="WEBP", quality=80, method=4)
    return out.getvalue()


def _store_thumbnail(asset: MediaAsset, data: bytes) -> str | None:
    """Make and keep the asset's thumbnail; None (and a log line) if Pillow cannot."""
    name = thumbnail_name(asset)
    try:
        thumb = render_thumbnail(data)
    except Exception:
        logger.warning("media %s: no thumbnail could be made", asset.pk, exc_info=True)
        return None
    storage = asset.file.storage
    saved = storage.save(name, ContentFile(thumb))
    if saved != name:  # another request made it meanwhile: theirs is the same image
        storage.delete(saved)
    return name


def media_thumbnail(*, asset: MediaAsset) -> str | None:
    """The name of the asset's thumbnail in storage: made once (at upload, or here on first
    need for older uploads), then kept. None when no thumbnail can be made: show the file.

    The caller has already checked that the person may see the asset.
    """
    name = thumbnail_name(asset)
    storage = asset.file.storage
    if storage.exists(name):
        return name
    try:
        with asset.file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None  # the row outlived its file
    return _store_thumbnail(asset, data)
