"""Split CSV text into rows, so that one bad quote costs one row, not the file.

The standard csv module reads a quoted cell across line breaks until its
closing quote. A quote that is never closed, or closed only by a stray quote
far below, would swallow every row after it into one cell, and a cell over
the module's field size limit raises csv.Error. This reader rejects such a
row, naming the line where it starts, and reads on from the next line.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator, Sequence
from typing import NamedTuple

MAX_ROW_LINES = 100
"""Maximum lines one row may span. Only a notes or lyrics cell spans many
lines, and a longer row is taken for a quote that is not closed."""
MAX_NAME_LINES = 3
"""Maximum lines a row may span when a song name cell (title, artist, album or
duration) has a line break. A name never needs more, so a longer one is taken
for a quote closed only by a stray quote further down."""


class Row(NamedTuple):
    """One row of a CSV table, or the reason it cannot be read."""

    lineno: int
    """1-based line the row starts on."""
    cells: list[str]
    """The row's cells; empty when `error` is set."""
    lines: int
    """How many lines the row spans."""
    error: str | None = None


class _TooManyLines(Exception):
    """A row has spanned MAX_ROW_LINES lines without ending."""


class _LineFeed:
    """Give lines to csv.reader and count them, so each row's lines are known."""

    def __init__(self, lines: Sequence[str], start: int) -> None:
        self.lines = lines
        self.next_index = start
        self.row_start = start
        self.ended_inside_row = False
        """Whether the text ended while a row was still open, as it does when a
        quote is never closed."""

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if self.next_index >= len(self.lines):
            if self.next_index > self.row_start:
                self.ended_inside_row = True
            raise StopIteration
        if self.next_index - self.row_start >= MAX_ROW_LINES:
            raise _TooManyLines
        line = self.lines[self.next_index]
        self.next_index += 1
        return line


def read_rows(
    lines: Sequence[str],
    start: int,
    delimiter: str,
    name_columns: Collection[int] = (),
) -> Iterator[Row]:
    """Yield the rows of `lines[start:]`, each line ending in a line break.

    Some rows are yielded with an error instead of cells. These are a row whose
    quote is never closed, a row over MAX_ROW_LINES lines, a row over
    MAX_NAME_LINES lines with a line break in one of the `name_columns`, and a
    row with a cell over the csv field size limit. Reading then goes on from the line
    after the one the row starts on, so the rows it swallowed are read on
    their own.
    """
    index = start
    while index < len(lines):
        feed = _LineFeed(lines, index)
        reader = csv.reader(feed, delimiter=delimiter)
        try:
            for cells in reader:
                if feed.ended_inside_row:
                    yield _error_row(feed, _unclosed(feed))
                    break
                row = Row(feed.row_start + 1, cells, feed.next_index - feed.row_start)
                if row.lines > MAX_NAME_LINES and _name_spans(cells, name_columns):
                    yield _error_row(feed, _closed_too_late(row))
                    break
                yield row
                feed.row_start = feed.next_index
            else:
                return
        except _TooManyLines:
            yield _error_row(feed, _too_many_lines(feed))
        except csv.Error as exc:
            yield _error_row(feed, _csv_problem(exc))
        index = feed.row_start + 1


def _name_spans(cells: list[str], name_columns: Collection[int]) -> bool:
    return any(index < len(cells) and "\n" in cells[index] for index in name_columns)


def _closed_too_late(row: Row) -> str:
    return (
        f"the quote that opens on line {row.lineno} closes only on line "
        f"{row.lineno + row.lines - 1}, so the rows between were read as one cell; "
        f"close the quote on line {row.lineno}, or double a quote inside a cell "
        '("")'
    )


def _error_row(feed: _LineFeed, reason: str) -> Row:
    return Row(feed.row_start + 1, [], 1, reason)


def _unclosed(feed: _LineFeed) -> str:
    lineno = feed.row_start + 1
    return (
        f"the quote that opens on line {lineno} is never closed; close it, or "
        'double a quote inside a cell ("")'
    )


def _too_many_lines(feed: _LineFeed) -> str:
    lineno = feed.row_start + 1
    return (
        f"the quote that opens on line {lineno} is not closed within "
        f"{MAX_ROW_LINES} lines; close it, or double a quote inside a cell "
        '("")'
    )


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"a cell is longer than {csv.field_size_limit()} characters, the most "
            "a cell may hold; shorten it or remove the column"
        )
    return f"the row is not valid CSV ({exc}); fix its quotes"
