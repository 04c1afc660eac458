"""Read CSV and TSV song tables whose header names the columns.

The header is the first non-blank row. It must name a title column and may
name artist, album and duration columns, in any order and case. The names
understood are listed in `bilimq.songs.records`, and other columns are ignored.
Unless the format is TSV, the delimiter is the one of comma, tab and semicolon
that splits the header into the most known column names, so the semicolon CSVs
of European Excel read too; an Excel `sep=;` first line is honoured.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence

from bilimq.songs.entries import ListFileError, ListLine, split_lines
from bilimq.songs.records import TITLE_NAMES, Field, Record, entry_from_record, field_of

DELIMITERS = (",", "\t", ";")
_EXCEL_SEPARATOR = re.compile(r"(?i)sep=(.)")


def parse_table(text: str, name: str, delimiter: str | None = None) -> list[ListLine]:
    """Return one entry per data row of CSV or TSV text.

    `delimiter` forces one (a tab for TSV); None picks it from the header. Raise
    ListFileError when the header names no title column. A row without a title
    or with an invalid duration gives an entry that carries the error.
    """
    lines = [line + "\n" for line in split_lines(text)]
    skip, delimiter = _excel_separator(lines, delimiter)
    header_index = _first_filled(lines, skip)
    if header_index is None:
        return []
    header_line = lines[header_index].strip().lstrip("\ufeff")
    delimiter = delimiter or pick_delimiter(header_line)
    rows = _rows(lines, header_index, delimiter)
    _, header = next(rows)
    columns = _columns(header, name, header_line)
    entries: list[ListLine] = []
    for lineno, row in rows:
        if any(cell.strip() for cell in row):
            entries.append(_entry(lineno, row, columns, delimiter))
    return entries


def pick_delimiter(header_line: str) -> str:
    """Return the delimiter that splits a header into the most known names."""

    def known_names(delimiter: str) -> int:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(1 for cell in cells if field_of(cell) is not None)

    return max(DELIMITERS, key=known_names)


def header_fields(header_line: str) -> list[Field | None]:
    """Return the fields a header line names, with the delimiter it implies."""
    delimiter = pick_delimiter(header_line)
    cells = next(csv.reader([header_line], delimiter=delimiter), [])
    return [field_of(cell) for cell in cells]


def _excel_separator(
    lines: Sequence[str], delimiter: str | None
) -> tuple[int, str | None]:
    first = lines[0].strip().lstrip("\ufeff") if lines else ""
    match = _EXCEL_SEPARATOR.fullmatch(first)
    if match is None:
        return 0, delimiter
    return 1, delimiter or match.group(1)


def _first_filled(lines: Sequence[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip().lstrip("\ufeff"):
            return index
    return None


def _rows(
    lines: Sequence[str], start: int, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    """Yield each row with the line number it starts on.

    A quoted cell may span lines, so the number is counted from the lines the
    reader has used, not from the rows.
    """
    reader = csv.reader(iter(lines[start:]), delimiter=delimiter)
    used = 0
    for row in reader:
        yield start + used + 1, row
        used = reader.line_num


def _columns(header: list[str], name: str, header_line: str) -> dict[Field, int]:
    columns: dict[Field, int] = {}
    for index, cell in enumerate(header):
        field = field_of(cell)
        if field is not None:
            # The first column of a kind wins, e.g. `Track Name` over `Name`.
            columns.setdefault(field, index)
    if "title" not in columns:
        raise ListFileError(
            f"{name}: the header {header_line!r} names no title column; name the "
            f"column of song titles {TITLE_NAMES}, or pass --format lines to read "
            "each line as a song name"
        )
    return columns


def _entry(
    lineno: int, row: list[str], columns: dict[Field, int], delimiter: str
) -> ListLine:
    def cell(field: Field) -> str | None:
        index = columns.get(field)
        return row[index] if index is not None and index < len(row) else None

    artist = (cell("artist") or "").strip()
    record = Record(
        title=cell("title"),
        artists=(artist,) if artist else (),
        album=cell("album"),
        duration=cell("duration"),
        duration_ms=cell("duration_ms"),
    )
    return entry_from_record(lineno, record, delimiter.join(row))
