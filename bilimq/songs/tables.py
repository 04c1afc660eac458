"""Read CSV and TSV song tables whose header names the columns.

The header is the first non-blank row. It must name a title column and may
name artist, album and duration columns, in any order and case. The names
understood are listed in `bilimq.songs.records`, and other columns are ignored.
Unless the format is TSV, the delimiter is the one of comma, tab and semicolon
that splits the header into the most known column names. So the semicolon
CSVs of European Excel read too, and an Excel `sep=;` first line is honoured.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

from bilimq.songs.csv_rows import Row, read_rows
from bilimq.songs.entries import (
    EntryError,
    ListFileError,
    ListLine,
    shorten,
    split_lines,
)
from bilimq.songs.records import (
    TITLE_NAMES,
    WEAK_RANK,
    Field,
    Record,
    choose_columns,
    column_of,
    contains_lengths,
    entry_from_record,
    field_of,
)

DELIMITERS = (",", "\t", ";")

_EXCEL_SEPARATOR = re.compile(r'(?i)"?sep=(.)"?')
_NAME_FIELDS: tuple[Field, ...] = ("title", "artist", "album", "duration")


def parse_table(
    text: str,
    name: str,
    delimiter: str | None = None,
    warnings: list[str] | None = None,
) -> list[ListLine]:
    """Return one entry per data row of CSV or TSV text.

    `delimiter` forces one (a tab for TSV); None picks it from the header. Raise
    ListFileError when the header names no title column. A row without a title,
    with an invalid duration or with a quote that is not closed gives an entry
    that carries the error. Problems with the whole table that were worked
    around, such as an ignored column, are added to `warnings`.
    """
    lines = [line + "\n" for line in split_lines(text)]
    skip, delimiter = _excel_separator(lines, delimiter)
    header_index = _first_filled(lines, skip)
    if header_index is None:
        return []
    header_line = lines[header_index].strip().lstrip("\ufeff")
    delimiter = delimiter or pick_delimiter(header_line)
    header = next(read_rows(lines, header_index, delimiter))
    if header.error is not None:
        raise ListFileError(f"{name}:{header.lineno}: the header row: {header.error}")
    columns = _columns(header.cells, name, header_line, delimiter)
    name_columns = [columns[f] for f in _NAME_FIELDS if f in columns]
    rows = read_rows(lines, header_index + header.lines, delimiter, name_columns)
    data_rows = [row for row in rows if row.error or any(c.strip() for c in row.cells)]
    _drop_date_column(columns, header.cells, data_rows, name, warnings)
    return [_entry(row, lines, columns, header.cells, delimiter) for row in data_rows]


def pick_delimiter(header_line: str) -> str:
    """Return the delimiter that splits a header into the most known names."""

    def known_names(delimiter: str) -> int:
        return sum(1 for cell in _cells(header_line, delimiter) if field_of(cell))

    return max(DELIMITERS, key=known_names)


def header_fields(header_line: str) -> list[Field | None]:
    """Return the fields a header line names, with the delimiter it implies."""
    return [field_of(cell) for cell in _cells(header_line, pick_delimiter(header_line))]


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _excel_separator(
    lines: Sequence[str], delimiter: str | None
) -> tuple[int, str | None]:
    # Only the line end and a BOM are stripped, because `sep=` may name a tab.
    first = lines[0].rstrip("\r\n").lstrip("\ufeff") if lines else ""
    match = _EXCEL_SEPARATOR.fullmatch(first)
    if match is None:
        return 0, delimiter
    return 1, delimiter or match.group(1)


def _first_filled(lines: Sequence[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip().lstrip("\ufeff"):
            return index
    return None


def _columns(
    header: list[str], name: str, header_line: str, delimiter: str
) -> dict[Field, int]:
    columns = choose_columns(header)
    if "title" in columns:
        return columns
    fix = (
        f"name the column of song titles {TITLE_NAMES}, or pass --format lines to "
        "read each line as a song name"
    )
    other = pick_delimiter(header_line)
    if delimiter == "\t" and other != "\t" and "title" in header_fields(header_line):
        formats = {",": "a comma", ";": "a semicolon"}
        fix = (
            f"the header has no tabs but is split by {formats[other]}, so pass "
            "--format csv"
        )
    raise ListFileError(
        f"{name}: the header {shorten(header_line)!r} names no title column; {fix}"
    )


def _drop_date_column(
    columns: dict[Field, int],
    header: list[str],
    rows: list[Row],
    name: str,
    warnings: list[str] | None,
) -> None:
    """Ignore a duration column named only `time` or `时间` unless it contains
    lengths, because exports use those names for the date a song was added."""
    index = columns.get("duration")
    if index is None:
        return
    column = column_of(header[index])
    if column is None or column.rank < WEAK_RANK:
        return
    values = (row.cells[index] for row in rows if index < len(row.cells))
    lengths, sample = contains_lengths(values)
    if lengths:
        return
    del columns["duration"]
    if warnings is not None:
        warnings.append(
            f"{name}: the column {shorten(header[index])!r} contains no song lengths "
            f"(it contains values such as {shorten(sample or '')!r}), so it is "
            "ignored; name a column of lengths 'duration' to read them"
        )


def _entry(
    row: Row,
    lines: Sequence[str],
    columns: dict[Field, int],
    header: list[str],
    delimiter: str,
) -> ListLine:
    if row.error is not None:
        # The row's own text is its first line; the rest belongs to other rows.
        text = lines[row.lineno - 1].rstrip("\r\n")
        return ListLine(row.lineno, text, error=EntryError(text, row.error))
    cells = row.cells
    row_text = delimiter.join(cells)

    def cell(field: Field) -> str | None:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    artist = (cell("artist") or "").strip()
    record = Record(
        title=cell("title"),
        artists=(artist,) if artist else (),
        album=cell("album"),
        duration=cell("duration"),
        duration_ms=cell("duration_ms"),
    )
    warnings = _extra_cells(cells, len(header))
    return entry_from_record(row.lineno, record, row_text, warnings=warnings)


def _extra_cells(cells: list[str], width: int) -> tuple[str, ...]:
    extra = [cell for cell in cells[width:] if cell.strip()]
    if not extra:
        return ()
    shown = ", ".join(repr(shorten(cell, 30)) for cell in extra[:3])
    return (
        f"the row has {len(cells)} cells but the header names {width} columns, so "
        f"the extra cells ({shown}) are ignored; quote a cell that contains the "
        "delimiter",
    )
