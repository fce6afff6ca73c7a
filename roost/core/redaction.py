"""Secrets kept out of log lines.

Some links are bearer secrets in their path (an invite, an outside approver's review
link, a password reset, a calendar feed): whoever reads an access log line holding one can
use it. `redact` blanks those path parts, and any of Roost's own token formats, in any text.
Logging goes through `RedactSecrets` (settings LOGGING) and gunicorn's access log through
`roost.core.gunicorn_logging.RedactingLogger`.
"""

from __future__ import annotations

import logging
import re

REDACTED = "…"

# Every route whose path carries a secret, by URL name, with what finds that part in any
# text (a request line, a Referer, a full URL in a message). Adding a token route means
# adding it here; roost/core/tests/test_redaction.py walks the URLconf to make sure.
_SEGMENT = r"[^/?#\s\"'<>]+"
SECRET_ROUTES: dict[str, re.Pattern[str]] = {
    "accounts:invite": re.compile(rf"(/invite/){_SEGMENT}"),
    "accounts:password_reset_confirm": re.compile(
        rf"(/password-reset/)(?!sent/|done/){_SEGMENT}/{_SEGMENT}"
    ),
    "approvals:link": re.compile(rf"(/review/){_SEGMENT}"),
    "calendar:ics": re.compile(rf"(/ics/){_SEGMENT}"),
    "analytics:share": re.compile(rf"(/r/){_SEGMENT}"),
    "team:assess_start": re.compile(rf"(/assess/){_SEGMENT}"),
}

# Roost's own secrets anywhere: invites (inv_), review links (apl_), calendar feeds (cal_),
# report links (rpt_), API tokens (roost_), webhook signing secrets (whsec_), Sandbox
# account tokens (sbx_, sim_), a candidate's exercise link (asm_).
SECRET_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_])(inv|apl|cal|rpt|roost|whsec|sbx|sim|asm)_[A-Za-z0-9_-]{20,}"
)


def redact(text: str) -> str:
    """`text` with every secret path part and token replaced by …"""
    for pattern in SECRET_ROUTES.values():
        text = pattern.sub(
            lambda m: m.group(1) + _redacted_path(m.group(0)[len(m.group(1)) :]), text
        )
    return SECRET_TOKEN.sub(lambda m: f"{m.group(1)}_{REDACTED}", text)


def _redacted_path(secret_part: str) -> str:
    # Keep the shape (how many segments, a .ics suffix) so the line still says which page.
    suffix = ".ics" if secret_part.endswith(".ics") else ""
    return "/".join(REDACTED for _ in secret_part.split("/")) + suffix


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and traceback with their secrets blanked (never drops
    the record). A traceback can quote a request or a template context."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's own to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            clean = redact(record.exc_text)
            if clean != record.exc_text:
                # Formatters print exc_text as it is; without exc_info none re-renders it.
                record.exc_text, record.exc_info = clean, None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()
