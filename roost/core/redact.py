"""URLs for logs: no user name, password or query, which may carry credentials.

Kept free of heavy imports: the logging configuration loads it in every process.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit


def redact_url(url: str) -> str:
    """The URL as it may be logged: scheme, host, port and path; no userinfo, no query."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<an unreadable address>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path}"


def _redacted(value: object) -> object:
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(("http://", "https://")):
        return redact_url(text)
    if text.startswith("/") and "?" in text:
        # urllib3 logs the path and query without the host.
        return text.split("?", 1)[0]
    return value


class RedactUrls(logging.Filter):
    """Rewrites URL arguments of a log record (httpx's "HTTP Request: POST <url>" line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        return True
