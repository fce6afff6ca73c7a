"""Images everywhere: thumbnails made once and served through the access-checked view, and
media kept in S3-compatible object storage (a real local server: moto in server mode)."""

from __future__ import annotations

import importlib
import socket
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from roost.conftest import World
from roost.publishing.models import MediaAsset
from roost.publishing.services import media as media_services
from roost.publishing.services.media import thumbnail_name
from roost.settings import storage as storage_settings

MEDIA = "/w/alpha/media/"


def image(fmt: str, width: int, height: int, color: tuple[int, ...] = (200, 30, 30)) -> bytes:
    buffer = BytesIO()
    mode = "RGBA" if len(color) == 4 else "RGB"
    Image.new(mode, (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def upload(client: Client, name: str, content: bytes, alt: str = "") -> MediaAsset:
    response = client.post(
        f"{MEDIA}upload/", {"file": SimpleUploadedFile(name, content), "alt_text": alt}
    )
    assert response.status_code == 302, response.content[:500]
    return MediaAsset.objects.latest("pk")


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for("social_media_manager")


# --- thumbnails ---------------------------------------------------------------------------


def test_file_and_thumbnail_only_for_members_who_see_content(world: World, manager: Client) -> None:
    asset = upload(manager, "latte.jpg", image("JPEG", 1200, 800), "A latte")
    for kind in ("file", "thumb"):
        url = f"{MEDIA}{asset.pk}/{kind}/"
        response = world.client_for("owner").get(url)
        assert response.status_code == 200, kind
        assert body_of(response)[:4] in (b"\xff\xd8\xff\xe0", b"RIFF"), kind
        # A role without view_content: refused; another workspace's owner: not found.
        denied = world.client_for("customer_care").get(url)
        assert denied.status_code == 403, kind
        outsider = Client()
        outsider.force_login(world.b_owner.user)
        assert outsider.get(url).status_code == 404, kind
        assert outsider.get(f"/w/{world.b.slug}/media/{asset.pk}/{kind}/").status_code == 404


def test_the_thumbnail_is_a_small_webp_with_the_pages_declared_size(
    world: World, manager: Client
) -> None:
    asset = upload(manager, "wide.png", image("PNG", 1000, 500, (0, 120, 0, 128)))
    response = manager.get(f"{MEDIA}{asset.pk}/thumb/")
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"] == 'inline; filename="wide-thumb.webp"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    with Image.open(BytesIO(body_of(response))) as thumb:
        assert thumb.size == (320, 160) == asset.thumb_size
        assert thumb.mode == "RGBA"  # transparency kept
    assert (asset.thumb_width, asset.thumb_height) == (320, 160)
    html = manager.get(MEDIA).content.decode()
    assert (
        f'<img src="{MEDIA}{asset.pk}/thumb/" alt="" width="320" height="160" loading="lazy"'
        in html
    )


def test_a_thumbnail_is_made_once_and_kept(
    world: World, manager: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    real = media_services.render_thumbnail

    def counting(data: bytes) -> bytes:
        made.append(len(data))
        return real(data)

    monkeypatch.setattr(media_services, "render_thumbnail", counting)
    asset = upload(manager, "one.gif", image("GIF", 400, 400))
    assert len(made) == 1  # at upload
    assert default_storage.exists(thumbnail_name(asset))
    for _ in range(3):
        assert manager.get(f"{MEDIA}{asset.pk}/thumb/").status_code == 200
    assert len(made) == 1

    # An image uploaded before thumbnails existed gets one on first need, then keeps it.
    default_storage.delete(thumbnail_name(asset))
    first = body_of(manager.get(f"{MEDIA}{asset.pk}/thumb/"))
    second = body_of(manager.get(f"{MEDIA}{asset.pk}/thumb/"))
    assert len(made) == 2
    assert first == second and first[:4] == b"RIFF"
    assert default_storage.exists(thumbnail_name(asset))


def test_without_a_thumbnail_the_image_itself_is_served(
    world: World, manager: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = upload(manager, "pic.png", image("PNG", 40, 40))
    default_storage.delete(thumbnail_name(asset))

    def broken(data: bytes) -> bytes:
        raise OSError("no encoder")

    monkeypatch.setattr(media_services, "render_thumbnail", broken)
    response = manager.get(f"{MEDIA}{asset.pk}/thumb/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert body_of(response) == image("PNG", 40, 40)
    assert not default_storage.exists(thumbnail_name(asset))


# --- S3-compatible storage ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server on this machine (moto's server mode), for this module."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Roost configured as an operator would (ROOST_STORAGE=s3 and ROOST_S3_*), with a
    fresh bucket; returns a boto3 client to look inside it."""
    import boto3

    bucket = f"roost-{_free_port()}"
    env = {
        "ROOST_STORAGE": "s3",
        "ROOST_S3_BUCKET": bucket,
        "ROOST_S3_ENDPOINT_URL": s3_endpoint,
        "ROOST_S3_ACCESS_KEY_ID": "roost-test",
        "ROOST_S3_SECRET_ACCESS_KEY": "roost-test-secret",
        "ROOST_S3_REGION": "eu-central-1",
        "ROOST_S3_ADDRESSING_STYLE": "path",
        "ROOST_S3_PREFIX": "roost/",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="roost-test",
        aws_secret_access_key="roost-test-secret",
        region_name="eu-central-1",
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    configured = importlib.reload(storage_settings)
    try:
        settings.STORAGES = {**settings.STORAGES, "default": configured.STORAGES["default"]}
        yield client, bucket
    finally:
        for key in env:
            monkeypatch.delenv(key)
        importlib.reload(storage_settings)


def test_s3_round_trip_through_the_app(world: World, manager: Client, s3_storage: Any) -> None:
    client, bucket = s3_storage
    assert default_storage.__class__.__name__ == "S3Storage"
    content = image("JPEG", 900, 600)
    asset = upload(manager, "beans.jpg", content, "Coffee beans")

    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert keys == {f"roost/{asset.file.name}", f"roost/{thumbnail_name(asset)}"}
    stored = client.get_object(Bucket=bucket, Key=f"roost/{asset.file.name}")["Body"].read()
    assert stored == content

    # Served back through the access-checked view (streamed: the bucket stays private).
    response = manager.get(f"{MEDIA}{asset.pk}/file/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert body_of(response) == content
    response = manager.get(f"{MEDIA}{asset.pk}/thumb/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/webp")
    with Image.open(BytesIO(body_of(response))) as thumb:
        assert thumb.size == (320, 213)
    assert world.client_for("customer_care").get(f"{MEDIA}{asset.pk}/thumb/").status_code == 403

    # A thumbnail missing from the bucket is made again, once; a missing file is a 404.
    client.delete_object(Bucket=bucket, Key=f"roost/{thumbnail_name(asset)}")
    assert manager.get(f"{MEDIA}{asset.pk}/thumb/").status_code == 200
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert f"roost/{thumbnail_name(asset)}" in keys
    client.delete_object(Bucket=bucket, Key=f"roost/{asset.file.name}")
    assert manager.get(f"{MEDIA}{asset.pk}/file/").status_code == 404


def test_storage_settings_refuse_what_they_cannot_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOST_STORAGE", "s3")
    monkeypatch.delenv("ROOST_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="ROOST_S3_BUCKET"):
        importlib.reload(storage_settings)
    monkeypatch.setenv("ROOST_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="'local'"):
        importlib.reload(storage_settings)
    monkeypatch.delenv("ROOST_STORAGE")
    local = importlib.reload(storage_settings)
    assert local.STORAGES["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
