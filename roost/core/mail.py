"""E-mail goes out from the task queue, never from the thread that decided to send it.

A slow or unreachable SMTP server then delays only a task, not the publisher loop (which
notifies people of failed posts), an approval escalation or a web request. The message is
enqueued when the transaction commits (nothing is sent for work that was rolled back) and
stored encrypted in the task's arguments: invites and review links carry secrets that are
kept only as hashes elsewhere (see core.crypto).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import partial

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task

from roost.core import crypto
from roost.core.tasks import recoverable

# (file name, content, MIME type), e.g. ("report.pdf", b"%PDF…", "application/pdf")
Attachment = tuple[str, bytes, str]


def send_email_on_commit(
    *,
    subject: str,
    body: str,
    to: Sequence[str],
    attachments: Sequence[Attachment] = (),
    html: str = "",
) -> None:
    """Send this e-mail from a task once the current transaction commits (at once, when
    there is none). Attachments travel with it (keep them small: a report, not a video);
    `html`, when given, is the same message as an HTML alternative to the text `body`."""
    message: dict[str, object] = {"subject": subject, "body": body, "to": list(to)}
    if html:
        message["html"] = html
    if attachments:
        message["attachments"] = [
            [name, base64.b64encode(content).decode("ascii"), mimetype]
            for name, content, mimetype in attachments
        ]
    sealed = crypto.encrypt_json(message)
    transaction.on_commit(partial(send_email.enqueue, sealed))


# Re-run after a crash: the worker may have died after the SMTP server took the message, so
# a person may get it twice; a duplicate e-mail is harmless where a missing invite, review
# link or "your post failed" is not.
@recoverable
@task()
def send_email(sealed: str) -> int:
    """Send one e-mail (its subject, body and recipients encrypted, see module docstring);
    returns how many were sent. An SMTP error fails the task, with the reason."""
    message = crypto.decrypt_json(sealed)
    email = EmailMultiAlternatives(message["subject"], message["body"], None, message["to"])
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for name, content, mimetype in message.get("attachments", []):
        email.attach(name, base64.b64decode(content), mimetype)
    return email.send()
