"""Uploading an image from compose: the media library's own checks, the picker entry back
(ticked, with its alt text), a refusal in words, and nothing half-saved."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from roost.conftest import B_MARKER, World
from roost.publishing.models import MediaAsset, Post
from roost.publishing.services.media import media_upload
from roost.workspaces.models import AuditEntry

UPLOAD = "/w/alpha/compose/upload/"


def png(width: int = 32, height: int = 20) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 160, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(world: World, name: str) -> MediaAsset:
    """An image in workspace A's library, through the real service."""
    return media_upload(
        actor=world.members["social_media_manager"],
        upload=SimpleUploadedFile(name, png()),
    )


def counts() -> dict[str, int]:
    return {
        "media": MediaAsset.objects.count(),
        "posts": Post.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for("social_media_manager")


def test_an_upload_comes_back_as_a_ticked_picker_entry(world: World, manager: Client) -> None:
    before = counts()
    response = manager.post(
        UPLOAD,
        {"file": SimpleUploadedFile("latte.png", png()), "alt_text": " A latte <art> "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    asset = MediaAsset.objects.get(workspace=world.a)
    assert (asset.original_name, asset.mime_type, asset.alt_text) == (
        "latte.png",
        "image/png",
        "A latte <art>",
    )
    html = response.content.decode().strip()
    assert html.startswith('<div class="media-pick" data-testid="media-pick">')
    assert f'<input type="checkbox" name="media" value="{asset.pk}" checked>' in html
    assert f'<img src="/w/alpha/media/{asset.pk}/thumb/" alt="A latte &lt;art&gt;"' in html
    assert f'name="alt_{asset.pk}" value="A latte &lt;art&gt;"' in html
    # Kept in the library (audited), and no post was made or changed.
    assert counts() == {**before, "media": before["media"] + 1, "audit": before["audit"] + 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"file": SimpleUploadedFile("notes.png", b"Meeting notes, not a picture.\n")},
            "notes.png is not an image Roost can publish (JPEG, PNG, GIF or WebP).",
        ),
        (
            {"file": SimpleUploadedFile("tiny.png", png(4, 4))},
            "tiny.png is 4 x 4 pixels; images must be between 16 and 8000 pixels on each side.",
        ),
        ({"alt_text": "nothing attached"}, "Choose an image to upload."),
    ],
)
def test_a_bad_file_is_refused_in_words_and_nothing_is_kept(
    world: World, manager: Client, data: dict[str, Any], message: str
) -> None:
    before = counts()
    response = manager.post(UPLOAD, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#upload-errors"
    assert response.content.decode() == (
        '<div id="upload-errors" aria-live="assertive" data-testid="upload-errors">'
        f'<p class="error" role="alert">{message}</p></div>'
    )
    assert counts() == before


def test_a_file_past_the_limit_is_refused(world: World, manager: Client, settings: Any) -> None:
    settings.ROOST_UPLOAD_MAX_BYTES = 1000
    before = counts()
    response = manager.post(
        UPLOAD, {"file": SimpleUploadedFile("big.png", b"\0" * 5000)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "big.png is larger than 10 MB, the limit." in response.content.decode()
    assert counts() == before


def test_uploads_are_refused_to_other_workspaces_and_roles(world: World, manager: Client) -> None:
    before = counts()
    response = manager.post(
        "/w/beta/compose/upload/", {"file": SimpleUploadedFile("latte.png", png())}
    )
    assert response.status_code == 404
    assert B_MARKER not in response.content.decode()
    response = world.client_for("analyst").post(
        UPLOAD, {"file": SimpleUploadedFile("latte.png", png())}
    )
    assert response.status_code == 403
    assert manager.get(UPLOAD).status_code == 405
    assert counts() == before
