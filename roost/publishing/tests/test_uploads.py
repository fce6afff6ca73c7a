"""Uploads are named by what they are, refused in words when Pillow will not read them or
they are too large, and served back only to members, through an access-checked view."""

from __future__ import annotations

import contextlib
import re
import struct
import zlib
from io import BytesIO
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.test import Client, RequestFactory
from PIL import Image

from roost.conftest import World, token_for
from roost.core.uploads import refused_upload
from roost.publishing.models import MediaAsset
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.media import thumbnail_name
from roost.workspaces.models import AuditEntry

MEDIA = "/w/alpha/media/"
API_MEDIA = "/api/v1/workspaces/alpha/media"
HTML = b"<html><script>alert(document.domain)</script></html>"
LIMIT = 10 * 1024 * 1024


def image(fmt: str, width: int = 20, height: int = 20) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares width x height: a decompression
    bomb's shape (the pixel data is never there)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def stored() -> set[str]:
    """Every file in the media storage (in memory under test settings)."""
    found: set[str] = set()

    def walk(path: str) -> None:
        dirs, files = default_storage.listdir(path)
        found.update(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    with contextlib.suppress(FileNotFoundError):  # nothing stored yet
        walk("media")
    return found


def state() -> tuple[int, int, set[str]]:
    """Media rows, audit entries and stored files: what a refused upload must not change."""
    return MediaAsset.objects.count(), AuditEntry.objects.count(), stored()


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def field_error(response: Any) -> str:
    found = re.search(r'id="id_file-error">(.*?)</p>', response.content.decode())
    return found.group(1) if found else ""


def api_errors(response: Any) -> list[tuple[str, str]]:
    return [(i["loc"][-1], i["msg"]) for i in response.json()["detail"]]


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for("social_media_manager")


@pytest.fixture
def token(world: World) -> str:
    return token_for(world.members["social_media_manager"], ["read", "posts:write"])


def upload_web(client: Client, name: str, content: bytes) -> Any:
    return client.post(f"{MEDIA}upload/", {"file": SimpleUploadedFile(name, content)})


def upload_api(token: str, name: str, content: bytes) -> Any:
    return Client().post(
        API_MEDIA,
        {"file": SimpleUploadedFile(name, content)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# --- stored by what the bytes are ---------------------------------------------------


def test_a_gif_html_polyglot_named_html_is_stored_as_a_gif(world: World, manager: Client) -> None:
    content = image("GIF") + HTML
    response = upload_web(manager, "poly.html", content)
    assert response.status_code == 302
    asset = MediaAsset.objects.get(workspace=world.a)
    assert re.fullmatch(rf"media/{world.a.pk}/[0-9a-f]{{32}}\.gif", asset.file.name)
    assert (asset.original_name, asset.mime_type, asset.size) == (
        "poly.html",
        "image/gif",
        len(content),
    )
    with asset.file.open("rb") as handle:
        assert handle.read() == content


@pytest.mark.parametrize(
    ("name", "fmt", "ext", "mime_type"),
    [
        ("pic.png", "GIF", "gif", "image/gif"),
        ("photo.gif", "JPEG", "jpg", "image/jpeg"),
        ("../../evil.svg", "PNG", "png", "image/png"),
        ("no-extension", "WEBP", "webp", "image/webp"),
    ],
)
def test_the_extension_follows_the_sniffed_type_never_the_name(
    world: World, token: str, name: str, fmt: str, ext: str, mime_type: str
) -> None:
    response = upload_api(token, name, image(fmt))
    assert response.status_code == 201, response.content
    assert response.json()["mime_type"] == mime_type
    asset = MediaAsset.objects.get(pk=response.json()["id"])
    assert re.fullmatch(rf"media/{world.a.pk}/[0-9a-f]{{32}}\.{ext}", asset.file.name)
    # Django keeps only the last part of a path-like name.
    assert (asset.original_name, asset.mime_type) == (name.rsplit("/", 1)[-1], mime_type)


# --- every Pillow refusal is a 422 in words -----------------------------------------

BOMB_MESSAGE = (
    "{name} declares too many pixels to open safely; images must be between 16 and 8000 "
    "pixels on each side."
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # Past twice Pillow's limit: DecompressionBombError at open.
        ("bomb.png", png_declaring(20000, 20000), BOMB_MESSAGE),
        # Past Pillow's limit: DecompressionBombWarning, made an error during the check.
        ("warn.png", png_declaring(10000, 10000), BOMB_MESSAGE),
        (
            "wide.png",
            png_declaring(9000, 20),
            "{name} is 9000 x 20 pixels; images must be between 16 and 8000 pixels on each side.",
        ),
        (
            "cut.jpg",
            image("JPEG", 64, 64)[:-40],
            "{name} is not an image Roost can publish (JPEG, PNG, GIF or WebP).",
        ),
        (
            "cut.gif",
            image("GIF", 64, 64)[:-30],
            "{name} is not an image Roost can publish (JPEG, PNG, GIF or WebP).",
        ),
        (
            "cut.png",
            image("PNG", 64, 64)[:-20],
            "{name} is not an image Roost can publish (JPEG, PNG, GIF or WebP).",
        ),
        (
            "page.html",
            HTML,
            "{name} is not an image Roost can publish (JPEG, PNG, GIF or WebP).",
        ),
        ("pic.bmp", image("BMP"), "{name} is a BMP image; use JPEG, PNG, GIF or WebP."),
    ],
)
def test_pillow_refusals_are_422_in_words_web_and_api(
    world: World, manager: Client, token: str, name: str, content: bytes, message: str
) -> None:
    before = state()
    response = upload_web(manager, name, content)
    assert response.status_code == 422
    assert field_error(response) == message.format(name=name)
    response = upload_api(token, name, content)
    assert response.status_code == 422
    assert api_errors(response) == [("file", message.format(name=name))]
    assert state() == before


# --- bodies past the limit are cut off while they stream in -------------------------


@pytest.mark.parametrize(
    "size",
    [
        LIMIT + 1,  # fits the request allowance: stopped by the byte count while streaming
        LIMIT + 2 * 1024 * 1024,  # Content-Length alone says no: stopped before the file
    ],
)
def test_an_upload_past_10_mb_is_refused_and_nothing_is_kept(
    world: World, manager: Client, token: str, size: int
) -> None:
    content = image("PNG") + b"\0" * (size - len(image("PNG")))
    before = state()
    response = upload_web(manager, "huge.png", content)
    assert response.status_code == 413
    assert field_error(response) == "huge.png is larger than 10 MB, the limit."
    response = upload_api(token, "huge.png", content)
    assert response.status_code == 413
    assert api_errors(response) == [("file", "huge.png is larger than 10 MB, the limit.")]
    assert state() == before


class ClaimedBody:
    """A request body that is as long as it claims; it counts what the server read."""

    def __init__(self, head: bytes) -> None:
        self.head, self.read_bytes = head, 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0  # read in chunks, never "everything"
        part = self.head[:size]
        self.head = self.head[len(part) :]
        part += b"x" * (size - len(part))
        self.read_bytes += len(part)
        return part

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)  # no newline in the filler: a "line" is all that is asked


@pytest.mark.parametrize(
    ("declared", "drained"),
    [
        (1 << 30, False),  # a gigabyte: reading stops at the file, the connection is dropped
        (12 * 1024 * 1024, True),  # a little over: read and thrown away, so the page arrives
    ],
)
def test_the_limit_stops_reading_a_body_that_declares_too_much(
    declared: int, drained: bool
) -> None:
    boundary = "roostboundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\ntok\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="huge.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    body = ClaimedBody(head)
    request = RequestFactory().generic(
        "POST", "/", data=b"-", content_type=f"multipart/form-data; boundary={boundary}"
    )
    request.META["CONTENT_LENGTH"] = str(declared)
    request._stream = LimitedStream(body, declared)  # type: ignore[attr-defined]

    assert refused_upload(request) == "huge.png"
    assert request.POST["csrfmiddlewaretoken"] == "tok"  # the fields before the file
    assert dict(request.FILES) == {}
    if drained:
        assert body.read_bytes == declared
    else:
        assert body.read_bytes < 256 * 1024  # a chunk or so: the fields before the file


def test_a_file_of_exactly_10_mb_passes_the_stream_limit(world: World, token: str) -> None:
    """The cut-off is past the limit, not at it: the service then judges the image."""
    content = image("PNG", 32, 32)
    content += b"\0" * (LIMIT - len(content))  # trailing bytes after IEND are ignored
    response = upload_api(token, "full.png", content)
    assert response.status_code == 201, response.content
    assert response.json()["size"] == LIMIT


# --- served by Roost, to members only -----------------------------------------------


def test_the_file_view_serves_the_image_with_fenced_headers(world: World, manager: Client) -> None:
    content = image("GIF") + HTML
    assert upload_web(manager, "Poly Glot é.html", content).status_code == 302
    asset = MediaAsset.objects.get(workspace=world.a)
    url = f"{MEDIA}{asset.pk}/file/"

    for role in ("social_media_manager", "analyst", "content_creator", "owner"):
        response = world.client_for(role).get(url)
        assert response.status_code == 200, role
        assert body_of(response) == content
        assert response["Content-Type"] == "image/gif"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == 'inline; filename="Poly-Glot.gif"'
        assert (
            response["Content-Security-Policy"]
            == "default-src 'none'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; sandbox"
        )
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["Content-Length"] == str(len(content))

    # Roles that do not see content, outsiders, strangers, other workspaces' ids.
    assert world.client_for("customer_care").get(url).status_code == 403
    outsider = Client()
    outsider.force_login(world.b_owner.user)
    assert outsider.get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"
    b_asset = MediaAsset.objects.create(
        workspace=world.b,
        original_name="b.gif",
        mime_type="image/gif",
        width=20,
        height=20,
        size=1,
    )
    assert manager.get(f"{MEDIA}{b_asset.pk}/file/").status_code == 404
    assert manager.post(url).status_code == 405


def test_pages_show_media_through_the_file_view(world: World, manager: Client) -> None:
    assert upload_web(manager, "pixel.png", image("PNG", 32, 20)).status_code == 302
    asset = MediaAsset.objects.get(workspace=world.a)
    src = f"/w/alpha/media/{asset.pk}/thumb/"
    post = post_compose(
        actor=world.members["social_media_manager"],
        data=PostInput(
            text="With a picture", channel_ids=[world.a_channel.pk], media_ids=[asset.pk]
        ),
    )
    for page in (MEDIA, "/w/alpha/compose/", f"/w/alpha/posts/{post.pk}/"):
        html = manager.get(page).content.decode()
        assert re.findall(r'<img src="([^"]+)"', html) == [src], page
        assert 'width="32" height="20"' in html, page
        assert "/media/media/" not in html
    # Each <img> is a small WebP of the image, served through the access-checked view…
    response = manager.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    with Image.open(BytesIO(body_of(response))) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (32, 20))
    # … and the library and post page link to the image itself.
    for page in (MEDIA, f"/w/alpha/posts/{post.pk}/"):
        assert f'<a href="/w/alpha/media/{asset.pk}/file/">' in manager.get(page).content.decode()
    response = manager.get(f"/w/alpha/media/{asset.pk}/file/")
    assert response["Content-Type"] == "image/png"
    assert body_of(response) == image("PNG", 32, 20)


def test_local_disk_storage_keeps_and_serves_the_file(
    world: World, manager: Client, settings: Any, tmp_path: Any
) -> None:
    """As `make run` stores media: files on disk under MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    content = image("GIF") + HTML
    assert upload_web(manager, "poly.html", content).status_code == 302
    asset = MediaAsset.objects.get(workspace=world.a)
    on_disk = {p.relative_to(tmp_path).as_posix(): p for p in tmp_path.rglob("*.*")}
    assert sorted(on_disk) == [asset.file.name, thumbnail_name(asset)]
    assert on_disk[asset.file.name].suffix == ".gif"
    assert on_disk[asset.file.name].read_bytes() == content
    response = manager.get(f"{MEDIA}{asset.pk}/file/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/gif")
    assert body_of(response) == content
