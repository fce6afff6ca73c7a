"""gunicorn's logger with secrets kept out of the access and error logs (`roost run` uses it;
for your own gunicorn: `--logger-class roost.core.gunicorn_logging.RedactingLogger`)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from roost.core.redaction import RedactSecrets, redact

# Request headers that carry credentials themselves: never printed, whatever the format.
_CREDENTIAL_ATOMS = {"{authorization}i", "{cookie}i", "{http_authorization}e", "{http_cookie}e"}


class RedactingLogger(Logger):
    """Every access-log field (request line, path, query, Referer, any header or environ
    value a custom format names) passes through `redact`."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # Error lines can quote a request ("Error handling request /invite/inv_…").
        if not any(isinstance(f, RedactSecrets) for f in self.error_log.filters):
            self.error_log.addFilter(RedactSecrets())

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in _CREDENTIAL_ATOMS:
                atoms[key] = "-"
            elif isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
