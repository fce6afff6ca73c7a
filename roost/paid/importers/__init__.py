"""CSV exports of the ad platforms (Meta, LinkedIn, Google, TikTok): column mappings,
reading (encodings, delimiters, header detection), values and row validation.

`open_table(path)` finds the header; `scan(table.rows(), table.matched, …)` reads the rows
once, streaming, and hands validated rows on in batches; nothing here touches the database
(services/imports.py does). docs/paid-import.md.
"""

from roost.paid.importers.reading import FileProblem, Table, open_table
from roost.paid.importers.scan import Batch, Flight, Row, ScanResult, scan
from roost.paid.importers.sources import MAPPINGS, Mapping

__all__ = [
    "MAPPINGS",
    "Batch",
    "FileProblem",
    "Flight",
    "Mapping",
    "Row",
    "ScanResult",
    "Table",
    "open_table",
    "scan",
]
