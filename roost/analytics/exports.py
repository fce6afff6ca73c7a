"""Exports as files: CSV that is safe to open in a spreadsheet (formulas escaped), and PDF
(fpdf2, a pure-Python library, with a Unicode font from a PyPI package, so no system
packages and every Polish letter shows)."""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from roost.analytics import reports
from roost.analytics.reports import Block
from roost.analytics.selectors import Period
from roost.core import clock
from roost.workspaces.models import Workspace

# fontTools logs every table it subsets at INFO: noise in a server's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV
# injection): "=HYPERLINK(…)" in an author's name must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` for a CSV cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe; numbers (a negative growth figure) and empty cells are kept as they are."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_safe(value: Any) -> str:
    """`safe_cell` as text."""
    return str(safe_cell(value))


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text, every cell passed through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheets read accents right)."""
    response = HttpResponse("\ufeff" + csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _title(workspace: Workspace, period: Period) -> str:
    return _("%(workspace)s: report for %(start)s – %(end)s") % {
        "workspace": workspace.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def render_csv(*, workspace: Workspace, period: Period, blocks: Sequence[Block]) -> str:
    """Every block as a table in one CSV file, a title row before each and a blank row
    between them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(_title(workspace, period))])
    for block in blocks:
        writer.writerow([])
        writer.writerow([csv_safe(block.title)])
        writer.writerow([csv_safe(c) for c in block.columns])
        for row in block.rows:
            writer.writerow([csv_safe(c) for c in row])
    return out.getvalue()


@cache
def _font_files() -> tuple[str, str]:
    import font_source_sans_pro

    folder = font_source_sans_pro.font_directory
    return (
        os.path.join(folder, "SourceSansPro-Regular.ttf"),
        os.path.join(folder, "SourceSansPro-Bold.ttf"),
    )


FONT = "SourceSans"


def render_pdf(
    *, workspace: Workspace, period: Period, sections: Sequence[str], today: date | None = None
) -> bytes:
    """The chosen sections of the workspace's report for `period`, as a PDF."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    if today is None:
        today = clock.now().astimezone(workspace.tzinfo).date()
    blocks = reports.build(workspace=workspace, period=period, sections=sections, today=today)
    regular, bold = _font_files()
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_title(workspace, period))
    pdf.set_creator("Roost")
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 9, _title(workspace, period), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    generated = clock.now().astimezone(workspace.tzinfo)
    pdf.multi_cell(
        0,
        5,
        _("Made by Roost on %(when)s (%(zone)s).")
        % {"when": generated.strftime("%Y-%m-%d %H:%M"), "zone": workspace.timezone},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    for block in blocks:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, block.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        if not block.rows:
            pdf.multi_cell(
                0, 5, block.empty or _("Nothing to show."), new_x="LMARGIN", new_y="NEXT"
            )
            continue
        with pdf.table(
            headings_style=headings,
            line_height=5,
            text_align="LEFT",
            first_row_as_headings=True,
        ) as table:
            head = table.row()
            for column in block.columns:
                head.cell(column)
            for cells in block.rows:
                row = table.row()
                for cell in cells:
                    row.cell(reports.display(cell))
    return bytes(pdf.output())
