"""Opening an export: its encoding, its delimiter and its header row (after any title
lines), streaming — a file is never read whole into memory."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from roost.core.exceptions import RoostError
from roost.paid.importers.sources import MAPPINGS, REQUIRED, Mapping, Matched, match, missing

# Exports put at most a few title lines (report name, date range, account) above the header.
HEADER_SCAN_LINES = 30
DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 20
csv.field_size_limit(1 << 20)


class FileProblem(RoostError):
    """The file as a whole cannot be read (encoding, no header, too large)."""


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (by its BOM, or by the zero bytes of ASCII)."""
    with path.open("rb") as raw:
        head = raw.read(512)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0] != 0:
        return "utf-16-le"
    return "utf-8"


def decode_error_line(path: Path, encoding: str) -> tuple[int, str]:
    """The line number of the first byte `encoding` cannot decode, and that byte."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 1
    with path.open("rb") as raw:
        while chunk := raw.read(_CHUNK):
            try:
                lines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as error:
                good = codecs.getincrementaldecoder(encoding)(errors="replace")
                lines += good.decode(chunk[: error.start]).count("\n")
                return lines, f"0x{chunk[error.start]:02X}"
    return lines, ""


def _encoding_problem(path: Path, encoding: str) -> FileProblem:
    line, byte = decode_error_line(path, encoding)
    label = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
    return FileProblem(
        _(
            "Line %(line)d is not %(encoding)s text (byte %(byte)s). Export the file again "
            "as CSV in UTF-8 or UTF-16."
        )
        % {"line": line, "encoding": label, "byte": byte}
    )


@dataclass
class Table:
    """An open export positioned just after its header row."""

    matched: Matched
    delimiter: str
    encoding: str
    header_line: int
    path: Path
    _text: IO[str] = field(repr=False)

    @property
    def mapping(self) -> Mapping:
        return self.matched.mapping

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for each row after the header; blank lines skipped."""
        reader = csv.reader(self._text, delimiter=self.delimiter)
        base = self.header_line
        try:
            for cells in reader:
                if cells and any(cells):
                    yield base + reader.line_num, cells
        except UnicodeDecodeError:
            raise _encoding_problem(self.path, self.encoding) from None
        except csv.Error as error:
            raise FileProblem(
                _("Line %(line)d cannot be read as CSV: %(error)s")
                % {"line": base + reader.line_num, "error": error}
            ) from None

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def open_table(path: Path, source: str | None = None) -> Table:
    """The export at `path`, its header found among the first lines; `source` limits the
    search to one mapping, else the first that fits is taken. Raises FileProblem."""
    encoding = detect_encoding(path)
    mappings = [MAPPINGS[source]] if source in MAPPINGS else list(MAPPINGS.values())
    text = io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="strict", newline="")
    best: tuple[int, int, list[str]] | None = None  # (known columns, line, cells)
    try:
        for number in range(1, HEADER_SCAN_LINES + 1):
            line = text.readline()
            if not line:
                break
            for delimiter in DELIMITERS:
                if delimiter not in line and delimiter != ",":
                    continue
                cells = _split(line, delimiter)
                for mapping in mappings:
                    found = match(mapping, cells)
                    if found is not None:
                        return Table(found, delimiter, encoding, number, path, text)
                score = max(len(REQUIRED) - len(missing(m, cells)) for m in mappings)
                if len(cells) > 2 and (best is None or score > best[0]):
                    best = (score, number, cells)
    except UnicodeDecodeError:
        text.close()
        raise _encoding_problem(path, encoding) from None
    text.close()
    raise _no_header(mappings, best)


def _no_header(mappings: list[Mapping], best: tuple[int, int, list[str]] | None) -> FileProblem:
    if best is None or best[0] == 0:
        names = ", ".join(m.label for m in mappings)
        return FileProblem(
            _(
                "No header row found in the first %(n)d lines. Roost reads the CSV exports "
                "of %(names)s (docs/paid-import.md lists their columns)."
            )
            % {"n": HEADER_SCAN_LINES, "names": names}
        )
    _score, line, cells = best
    mapping = min(mappings, key=lambda m: len(missing(m, cells)))
    return FileProblem(
        _("Line %(line)d looks like a %(label)s header, but the columns %(gaps)s are missing.")
        % {"line": line, "label": mapping.label, "gaps": ", ".join(missing(mapping, cells))}
    )
