"""The entries of a song list, and the errors of reading one.

Every list format (plain lines, M3U, CSV/TSV, JSON, JSON Lines, a folder of audio files)
reads into a SongList of ListLine entries. A problem with one entry (a bad
duration, a row without a title, a damaged audio file) is kept on that entry
as an EntryError, so the other entries are still queued. A problem with the
whole source (it cannot be read or decoded) raises ListFileError.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from bilimq.errors import BilimqError
from bilimq.songs.names import ORDERS, Order
from bilimq.songs.text import shorten

STDIN = "-"
ListFormat = Literal["lines", "m3u", "csv", "tsv", "json", "jsonl"]
LIST_FORMATS: tuple[ListFormat, ...] = ("lines", "m3u", "csv", "tsv", "json", "jsonl")

_LINE_END = re.compile(r"\r\n|\r|\n")
_ORDER_DIRECTIVE = re.compile(r"(?i)#\s*order\s*[:=]\s*(.*?)\s*")


class ListFileError(BilimqError):
    """A list file cannot be read or decoded."""


class EntryError(BilimqError, ValueError):
    """One entry of a list (a line, row, item or audio file) is invalid."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"invalid list entry {shorten(value)!r}: {reason}")
        self.value = value
        self.reason = reason


class ListLine(NamedTuple):
    """One song entry of a list: a line, a playlist entry, a row or a file."""

    lineno: int
    """1-based line number in the file, counting blank and comment lines (for
    JSON, the line the item starts on); the position for a folder."""
    text: str
    """The song line to store, without its line ending and surrounding spaces."""
    order: Order | None = None
    """The order set by an `# order:` comment above the line, if any."""
    file_name: str | None = None
    """For a line read from a folder, the audio file it was taken from."""
    duration: float | None = None
    """The song's length in seconds, when the entry gave one."""
    album: str | None = None
    title: str | None = None
    """The title, when the source gave it apart from the artists (a CSV column,
    a JSON key, a file's tag). `text` is then built from the parts."""
    artists: tuple[str, ...] = ()
    """The artists given with `title`, as the source gave them."""
    split_artists: bool = True
    """Whether an artist value may list several artists (a CSV cell, a single
    tag), rather than each value being one artist (a JSON list, several tags)."""
    default_order: Order | None = None
    """The order the format implies, used when neither an `# order:` comment nor
    --order sets one: artist-title for the titles of M3U `#EXTINF` lines."""
    error: EntryError | None = None
    """The reason this entry cannot be queued; the other entries still are."""
    store_title_first: bool = False
    """Whether `text` is split in its order and stored as `Title - Artist`, as
    M3U names are, so that they match the same song from a table or plain list."""
    item: int | None = None
    """For JSON, the 1-based item number across the document's song lists."""
    warnings: tuple[str, ...] = ()
    """Problems with this entry that were worked around, e.g. a length dropped."""


@dataclass(frozen=True)
class SongList:
    """The song lines of one source, and how they were read."""

    source: str
    """The path as given, or `-` for standard input."""
    lines: list[ListLine]
    encoding: str | None = None
    """The encoding the text was decoded with; None for a folder."""
    skipped_files: list[str] = field(default_factory=list)
    """For a folder, the paths below it of files that are not audio files."""
    list_format: ListFormat | None = None
    """The format the source was read as; None for a folder or arguments."""
    warnings: list[str] = field(default_factory=list)
    """Problems with the whole source that were worked around, such as a guessed
    encoding or an ignored column, each naming the source."""
    subfolders: int | None = None
    """For a folder, how many folders below it were read; None for a list."""

    def where(self, line: ListLine) -> str:
        """Return where a line came from: `file:line`, `file item N (line L)` or a
        path."""
        if line.file_name is not None:
            return os.path.join(self.source, line.file_name)
        source = "stdin" if self.source == STDIN else self.source
        if line.item is not None:
            return f"{source} item {line.item} (line {line.lineno})"
        return f"{source}:{line.lineno}"


def split_lines(text: str, max_splits: int = 0) -> list[str]:
    """Split text at CRLF, CR or LF, at most `max_splits` times when above 0.

    str.splitlines() would also split on form feeds and U+2028, which are not
    line ends in a list file.
    """
    return _LINE_END.split(text, max_splits)


def is_comment(line: str) -> bool:
    """Return whether a stripped, non-empty list line is a comment.

    A comment starts with `#` followed by a space, another `#` or nothing, so a
    song such as `#1 Crush - Garbage` is read as a song.
    """
    return line[0] == "#" and (len(line) == 1 or not line[1].isalnum())


def directive_order(line: str, name: str, lineno: int) -> Order | None:
    """Return the order an `# order: …` comment sets, or None for other lines.

    Raise ListFileError when the comment names an unknown order.
    """
    match = _ORDER_DIRECTIVE.fullmatch(line)
    if match is None:
        return None
    value = match.group(1).lower()
    for order in ORDERS:
        if value == order:
            return order
    raise ListFileError(
        f"{name}:{lineno}: unknown order {shorten(match.group(1))!r} in "
        f"{shorten(line)!r}; "
        f"write '# order: {ORDERS[0]}' or '# order: {ORDERS[1]}'"
    )
