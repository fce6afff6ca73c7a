"""What a refusal is, and how to find one behind another library's error."""

from __future__ import annotations

from django.conf import settings


def _(message: str) -> str:
    """Django's gettext once Django is set up; the message itself in a bare script."""
    from django.apps import apps

    if settings.configured and apps.ready:
        from django.utils.translation import gettext

        return gettext(message)
    return message


class OutboundRefused(ValueError, OSError):
    """Roost will not send this request. The message is for people; `kind` is a short
    English name for logs ("loopback address", "https required", …).

    A ValueError for validation code, and an OSError so that every HTTP library treats a
    refusal at connect time as a failed connection: callers keep their usual error
    handling, and `refusal(exc)` finds the reason in the exception chain."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:
        return str(self.args[0])


def refusal(exc: BaseException | None) -> OutboundRefused | None:
    """The OutboundRefused behind an error from an HTTP library or SDK, if there is one."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OutboundRefused):
            return current
        stack += [current.__cause__, current.__context__]
        # urllib3's MaxRetryError keeps the cause in `reason`; requests wraps it in args.
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
        stack += [arg for arg in current.args if isinstance(arg, BaseException)]
    return None
