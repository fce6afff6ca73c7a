"""Request body and upload limits (see roost/core/uploads.py and docs/security.md)."""

# The largest file Roost accepts (the media library's limit). The upload handler stops
# reading a file past it, so nothing larger is written to memory or disk.
ROOST_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "roost.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files up to this size stay in memory while a request is handled; larger go to a
# temporary file (removed when the request ends).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Everything that is not a file (form fields, JSON API bodies) is refused past this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
