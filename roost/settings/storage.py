"""Where uploaded media is kept: local disk (the default) or S3-compatible object storage.

ROOST_STORAGE=local keeps files under var/media on this machine: fine for one machine.
ROOST_STORAGE=s3 keeps them in a bucket (AWS S3, MinIO, Ceph, Garage, R2…), so several web
servers and workers see the same files. Either way the files are never served from a public
address: Roost streams them through its access-checked view (docs/operations.md, "Media
storage"), so the bucket stays private and needs no CORS or public policy.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from roost.settings.base import VAR_DIR
from roost.settings.env import env_str

MEDIA_URL = "/media/"  # unused for links: media goes through publishing's media views
MEDIA_ROOT = VAR_DIR / "media"

ROOST_STORAGE = env_str("ROOST_STORAGE", "local").strip().lower()


def s3_options() -> dict[str, Any]:
    """django-storages' S3Storage options from the environment (ROOST_S3_*)."""
    bucket = env_str("ROOST_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured(
            "ROOST_STORAGE=s3 needs ROOST_S3_BUCKET (and usually ROOST_S3_ENDPOINT_URL, "
            "ROOST_S3_ACCESS_KEY_ID, ROOST_S3_SECRET_ACCESS_KEY, ROOST_S3_REGION)."
        )
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Empty: the AWS default endpoint for the region.
        "endpoint_url": env_str("ROOST_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": env_str("ROOST_S3_REGION", "").strip() or None,
        # Empty keys: boto3's own chain (instance role, AWS_* variables, ~/.aws).
        "access_key": env_str("ROOST_S3_ACCESS_KEY_ID", "").strip() or None,
        "secret_key": env_str("ROOST_S3_SECRET_ACCESS_KEY", "").strip() or None,
        # A folder inside the bucket, when the bucket is shared.
        "location": env_str("ROOST_S3_PREFIX", "").strip().strip("/"),
        # "path" for most self-hosted servers (MinIO, Garage); "virtual" for AWS.
        "addressing_style": env_str("ROOST_S3_ADDRESSING_STYLE", "").strip() or None,
        # Objects stay private (the bucket's own policy); names are random, never reused.
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
    }
    return options


if ROOST_STORAGE == "local":
    _default: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif ROOST_STORAGE == "s3":
    _default = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options()}
else:
    raise ImproperlyConfigured(
        f"ROOST_STORAGE={ROOST_STORAGE!r} is not a storage Roost knows: use 'local' (files "
        "under var/media, the default) or 's3' (an S3-compatible bucket, ROOST_S3_*)."
    )

STORAGES = {
    "default": _default,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
