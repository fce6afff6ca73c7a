"""Paid media imports: the largest CSV export an import takes (docs/paid-import.md)."""

from roost.settings.env import env_int

ROOST_PAID_IMPORT_MAX_MB = env_int("ROOST_PAID_IMPORT_MAX_MB", 100)
# The upload handler (roost/core/uploads.py) lets these paths take files up to the import
# cap instead of ROOST_UPLOAD_MAX_BYTES (the media library's 10 MB).
ROOST_UPLOAD_LARGE_PATHS = [
    (r"^/w/[^/]+/paid/imports/new/$", ROOST_PAID_IMPORT_MAX_MB * 1024 * 1024),
    (
        r"^/api/v1/workspaces/[^/]+/paid/accounts/\d+/imports$",
        ROOST_PAID_IMPORT_MAX_MB * 1024 * 1024,
    ),
]
