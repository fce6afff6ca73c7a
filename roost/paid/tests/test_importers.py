"""Reading the exports: each source's sample, header detection after title lines, BOM,
UTF-16, semicolons and decimal commas, and the values the figures come in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from roost.paid.importers import FileProblem, Flight, open_table, scan, values

DATA = Path(__file__).parent / "data"


def _read(name: str, source: str | None = None, currency: str = "EUR", known=None):  # type: ignore[no-untyped-def]
    with open_table(DATA / name, source) as table:
        result = scan(table.rows(), table.matched, currency=currency, known=known or {})
        return table, result


def test_meta_export_is_detected_and_read() -> None:
    table, result = _read("meta.csv")
    assert (table.mapping.source, table.delimiter, table.header_line) == ("meta", ",", 1)
    assert table.matched.header_currency == "EUR"
    assert result.errors == []
    assert [tuple(r) for r in result.preview] == [
        (
            2,
            "23851234",
            "Winter coffee",
            date(2026, 11, 1),
            Decimal("12.50"),
            1200,
            900,
            34,
            Decimal("2.00"),
            Decimal("0.00"),
        ),
        (
            3,
            "23851234",
            "Winter coffee",
            date(2026, 11, 2),
            Decimal("13.75"),
            1350,
            1010,
            41,
            Decimal("3.00"),
            Decimal("0.00"),
        ),
        (
            4,
            "23851299",
            "Gift cards",
            date(2026, 11, 1),
            Decimal("5.00"),
            400,
            380,
            9,
            Decimal("0.00"),
            Decimal("0.00"),
        ),
    ]
    assert (result.rows, result.first_day, result.last_day) == (
        3,
        date(2026, 11, 1),
        date(2026, 11, 2),
    )


def test_linkedin_header_is_found_below_title_lines() -> None:
    table, result = _read("linkedin.csv")
    assert (table.mapping.source, table.header_line) == ("linkedin", 6)
    assert result.errors == []
    first = result.preview[0]
    assert (first.line, first.key, first.name, first.day, first.spend, first.reach) == (
        7,
        "611223",
        "Hiring – engineers",
        date(2026, 11, 1),
        Decimal("80.10"),
        None,
    )


def test_google_utf16_tabs_title_lines_and_totals_row() -> None:
    table, result = _read("google.csv")
    assert (table.mapping.source, table.delimiter, table.encoding, table.header_line) == (
        "google",
        "\t",
        "utf-16",
        3,
    )
    assert result.errors == []
    assert [(r.line, r.impressions, r.conversions, r.conversion_value) for r in result.preview] == [
        (4, 2110, Decimal("6.00"), Decimal("240.00")),
        (5, 1990, Decimal("5.50"), Decimal("210.00")),
    ]


def test_tiktok_export() -> None:
    table, result = _read("tiktok.csv")
    assert table.mapping.source == "tiktok"
    assert [(r.key, r.spend, r.clicks, r.conversion_value) for r in result.preview] == [
        ("1789001", Decimal("20.00"), 120, Decimal("160.00")),
        ("1789001", Decimal("22.40"), 131, Decimal("210.50")),
    ]


def test_bom_semicolons_and_localized_numbers() -> None:
    table, result = _read("meta_semicolon.csv")
    assert (table.mapping.source, table.delimiter, table.encoding) == ("meta", ";", "utf-8-sig")
    assert result.errors == []
    assert [(r.key, r.spend, r.impressions, r.reach, r.conversions) for r in result.preview] == [
        ("Zimowa kawa", Decimal("1234.56"), 12000, 9000, Decimal("12.00")),
        ("Zimowa kawa", Decimal("99.90"), 1500, None, Decimal("0.00")),
    ]


def test_a_source_given_limits_detection(tmp_path: Path) -> None:
    with pytest.raises(FileProblem) as caught:
        open_table(DATA / "meta.csv", "google")
    assert caught.value.message == (
        "Line 1 looks like a Google Ads header, but the columns Day, Cost, Clicks are missing."
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Day,Campaign name,Impressions,Reach\n2026-11-01,A,1,1\n")
    with pytest.raises(FileProblem) as caught:
        open_table(path)
    assert caught.value.message == (
        "Line 1 looks like a Meta Ads Manager header, but the columns Amount spent (EUR), "
        "Link clicks are missing."
    )


def test_no_header_at_all(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("hello\nworld\n")
    with pytest.raises(FileProblem) as caught:
        open_table(path)
    assert caught.value.message.startswith("No header row found in the first 30 lines.")


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    body = "Day,Campaign name,Amount spent (EUR),Impressions,Link clicks\n2026-11-01,A,1,1,1\n"
    path.write_bytes(body.encode() + "2026-11-02,Caf\u00e9,1,1,1\n".encode("latin-1"))
    with pytest.raises(FileProblem) as caught, open_table(path) as table:
        list(table.rows())
    assert caught.value.message == (
        "Line 3 is not UTF-8 text (byte 0xE9). Export the file again as CSV in UTF-8 or UTF-16."
    )


def test_flight_and_duplicates_and_bad_cells(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Day,Campaign name,Currency,Amount spent,Impressions,Link clicks\n"
        "2026-11-01,A,EUR,-1.00,10,1\n"
        "2026-11-01,B,USD,1.00,10,1\n"
        "2026-10-31,C,EUR,1.00,10,1\n"
        "2026-11-02,A,EUR,1.00,10,1\n"
        "2026-11-02,A,EUR,1.00,10,1\n"
        "someday,A,EUR,1.00,10,1\n"
        "2026-11-03,A,XYZ,abc,1.5,-2\n"
    )
    known = {"C": Flight("C", date(2026, 11, 1), date(2026, 11, 30))}
    _table, result = _read(str(path), known=known)
    assert result.errors == [
        "Row 2, column Amount spent: -1.00 is negative; spend cannot be.",
        "Row 3, column Currency: USD, but this account is in EUR.",
        "Row 4, column Day: 2026-10-31 is outside the flight of campaign “C” "
        "(2026-11-01 to 2026-11-30).",
        "Row 6: campaign “A” on 2026-11-02 already appears on row 5.",
        "Row 7, column Day: “someday” is not a date.",
        "Row 8, column Amount spent: “abc” is not an amount.",
        "Row 8, column Impressions: “1.5” is not a whole number.",
        "Row 8, column Link clicks: -2 is negative.",
        "Row 8, column Currency: “XYZ” is not a currency code.",
    ]
    assert (result.rows, result.error_count) == (1, 9)


def test_only_the_first_twenty_errors_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = "".join(f"2026-11-01,C{i},-1,1,1\n" for i in range(25))
    path.write_text("Day,Campaign name,Amount spent,Impressions,Link clicks\n" + rows)
    _table, result = _read(str(path))
    assert (len(result.errors), result.error_count) == (20, 25)
    assert result.summary().endswith("… and 5 more errors.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("1.234,56 €", Decimal("1234.56")),
        ("€12.30", Decimal("12.30")),
        ("USD 1,000.00", Decimal("1000.00")),
        ("12,5", Decimal("12.50")),
        ("", Decimal("0.00")),
        ("--", Decimal("0.00")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert values.amount(text) == expected


@pytest.mark.parametrize("text", ["abc", "12abc34", "NaN", "1e400"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(values.BadValue):
        values.amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("11/3/2026", date(2026, 11, 3)),
        ("13/11/2026", date(2026, 11, 13)),
        ("03.11.2026", date(2026, 11, 3)),
        ("Nov 3, 2026", date(2026, 11, 3)),
        ("2026-11-03 00:00:00", date(2026, 11, 3)),
    ],
)
def test_days(text: str, expected: date) -> None:
    assert values.day(text) == expected
