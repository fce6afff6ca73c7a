"""The media library: uploads are checked by type, size and dimensions before they are kept."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from roost.core.exceptions import ValidationFailed
from roost.publishing.models import MediaAsset
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 8000
MIN_SIDE = 16


def media_upload(*, actor: Membership, upload: UploadedFile, alt_text: str = "") -> MediaAsset:
    """Keep an image in the library if it is a real JPEG/PNG/GIF/WebP of sensible size."""
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
    data = upload.read()
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
        with Image.open(BytesIO(data)) as image:
            kind, width, height = image.format, image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationFailed(
            {
                "file": [
                    _("%(name)s is not an image Roost can publish (JPEG, PNG, GIF or WebP).")
                    % {"name": name}
                ]
            }
        ) from None
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
    upload.seek(0)
    with transaction.atomic():
        asset = MediaAsset(
            workspace=actor.workspace,
            original_name=name[:255],
            mime_type=TYPES[kind],
            width=width,
            height=height,
            size=len(data),
            alt_text=alt_text.strip(),
            uploaded_by=actor.user,
        )
        asset.file.save(name, upload, save=False)
        asset.save()
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
