"""A cap on uploaded files, enforced while the request body streams in.

Django writes an upload to memory or a temporary file before any view sees it. This
handler, first in FILE_UPLOAD_HANDLERS, stops reading as soon as a file passes
ROOST_UPLOAD_MAX_BYTES (or the request declares a Content-Length that cannot fit), so
nothing past the limit is stored anywhere. The view then asks `refused_upload(request)`
and shows the refusal in words.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the form's other fields and the multipart framing around the file.
FRAMING_ALLOWANCE = 1024 * 1024
# An honest oversized upload up to this size is read to its end (and thrown away) so the
# browser receives the refusal page; past it, reading stops and the connection is dropped.
DRAIN_LIMIT = 64 * 1024 * 1024
REFUSED = "roost_upload_refused"


def upload_limit(request: HttpRequest | None) -> int:
    """The cap for this request: ROOST_UPLOAD_MAX_BYTES, or a larger one that
    ROOST_UPLOAD_LARGE_PATHS grants to a path (e.g. the paid CSV imports)."""
    path = getattr(request, "path_info", "") or ""
    for pattern, limit in getattr(settings, "ROOST_UPLOAD_LARGE_PATHS", ()):
        if re.match(pattern, path):
            return int(limit)
    return int(settings.ROOST_UPLOAD_MAX_BYTES)


class UploadLimitHandler(FileUploadHandler):
    """Stop an upload the moment it is too large; the files before it are kept."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.request_length = content_length
        self.limit = upload_limit(self.request)
        self.over = content_length > self.limit + FRAMING_ALLOWANCE

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if getattr(self, "over", False):
            # The fields before the file (the CSRF token among them) are already parsed.
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > getattr(self, "limit", settings.ROOST_UPLOAD_MAX_BYTES):
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, REFUSED, self.file_name or "")
        length = getattr(self, "request_length", 0)
        raise StopUpload(connection_reset=not 0 < length <= DRAIN_LIMIT)


def refused_upload(request: HttpRequest) -> str | None:
    """The name of the file the upload limit stopped, if it stopped one."""
    request.POST  # noqa: B018 - parsing the body is what runs the handler
    return getattr(request, REFUSED, None)
