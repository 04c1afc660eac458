"""Read song lists: list files, standard input, or a folder of audio files.

A list file is a plain list (one song name per line), an M3U/M3U8 playlist, a
CSV/TSV table, a JSON list or a JSON Lines file; `bilimq.songs.formats`
detects which, and the readers for the other formats live beside this module.
Text is decoded by `bilimq.songs.encodings`, never with the locale default,
because lists come from Notepad, PowerShell and shells alike. A folder is read
by `bilimq.songs.folders`.

In a plain list, blank lines and comments are skipped. A comment starts with
`#` followed by a space, another `#` or nothing, so a song such as
`#1 Crush - Garbage` is read as a song. A comment `# order: artist-title` (or
`title-artist`) sets the name order for the lines below it, until the next
such comment. A line may end with its length after a spaced bar, as
`千鱼 - 王贰浪 | 3:41` (see `split_inline_duration`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

from loguru import logger

from bilimq.songs.durations import (
    DURATION_FORMS,
    DurationError,
    is_duration_syntax,
    parse_duration,
)
from bilimq.songs.encodings import DecodedText, decode_list
from bilimq.songs.entries import (
    LIST_FORMATS,
    STDIN,
    EntryError,
    ListFileError,
    ListFormat,
    ListLine,
    SongList,
    directive_order,
    is_comment,
    split_lines,
)
from bilimq.songs.folders import AUDIO_EXTENSIONS, read_folder
from bilimq.songs.formats import detect_format
from bilimq.songs.json_lists import parse_json, parse_json_lines
from bilimq.songs.m3u import parse_m3u
from bilimq.songs.names import Order
from bilimq.songs.tables import parse_table

__all__ = [
    "AUDIO_EXTENSIONS",
    "LIST_FORMATS",
    "STDIN",
    "DecodedText",
    "EntryError",
    "FormatChoice",
    "ListFileError",
    "ListLine",
    "SongList",
    "decode_list",
    "read_folder",
    "read_list",
    "read_songs",
    "song_line",
    "split_inline_duration",
]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
"""The start of an old binary Office file, such as an .xls workbook."""
_WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".numbers")

FormatChoice = ListFormat | Literal["auto"]
"""A list format, or "auto" to tell it from the extension and the text."""


def read_songs(
    source: str | Path,
    list_format: FormatChoice = "auto",
    encoding: str | None = None,
) -> SongList:
    """Read a list file, standard input (`-`) or a folder of audio files.

    `list_format` forces the format of a list file or standard input; "auto"
    detects it from the extension and the text. `encoding` forces the text
    encoding; None detects it. Raise ListFileError when a format or an
    encoding is forced on a folder.
    """
    if str(source) != STDIN and Path(source).is_dir():
        for option, value in (("--format", list_format), ("--encoding", encoding)):
            if value not in (None, "auto"):
                raise ListFileError(
                    f"{str(source)!r} is a folder, so {option} {value} does not "
                    f"apply; leave out {option} to read its audio files"
                )
        return read_folder(source)
    return read_list(source, list_format, encoding)


def read_list(
    path_or_dash: str | Path,
    list_format: FormatChoice = "auto",
    encoding: str | None = None,
) -> SongList:
    """Read the song entries of a list file, or of standard input for `-`.

    Raise ListFileError when the file cannot be read or decoded, when it is a
    spreadsheet workbook, when a table has no title column, when JSON is
    invalid, or when an `# order:` comment names an unknown order. Problems
    with single entries are kept on them, and problems with the whole file
    that were worked around (a guessed encoding, say) in `SongList.warnings`.
    """
    name = str(path_or_dash)
    data = _read_bytes(path_or_dash)
    _reject_workbook(data, name)
    decoded = decode_list(data, name, encoding)
    chosen = detect_format(name, decoded.text) if list_format == "auto" else list_format
    warnings = [decoded.warning] if decoded.warning else []
    lines = _parse_text(decoded.text, name, chosen, warnings)
    logger.info(
        "read {} as {}: {} song(s), format {}",
        name,
        decoded.encoding,
        len(lines),
        chosen,
    )
    return SongList(
        name, lines, encoding=decoded.encoding, list_format=chosen, warnings=warnings
    )


def song_line(
    lineno: int,
    line: str,
    order: Order | None = None,
    *,
    duration_given: bool = False,
) -> ListLine:
    """Return the entry of one plain-list line, with its inline duration if any.

    A duration that does not parse gives an entry that carries the error.
    With `duration_given` (a length was given apart, as `add --duration` does),
    a final `| word` that is not written like a length is part of the name.
    """
    # Most lines have no bar, and this check keeps big lists fast.
    if "|" not in line:
        return ListLine(lineno, line, order)
    text, field = split_inline_duration(line)
    if not field:
        return ListLine(lineno, text, order)
    if duration_given and not is_duration_syntax(field):
        return ListLine(lineno, line, order)
    try:
        duration = parse_duration(field)
    except DurationError as exc:
        reason = exc.explain(
            "after ' | '",
            f"write {DURATION_FORMS}, or end the line with ' |' if '| {field}' is "
            "part of the song name",
        )
        return ListLine(lineno, line, order, error=EntryError(line, reason))
    return ListLine(lineno, text, order, duration=duration)


def split_inline_duration(line: str) -> tuple[str, str | None]:
    """Split `千鱼 - 王贰浪 | 3:41` into the name and the duration text.

    Only a final bar with a space before it and one word after it (no spaces
    inside) counts, so `A | B - C` and `Title - A | B C` stay whole names. A
    line ending in ` |` has an empty duration field: the bar is dropped, which
    keeps an earlier `| word` in the name. Return the line and None when there
    is no duration field.
    """
    head, bar, tail = line.rpartition("|")
    if not bar or not head[-1:].isspace():
        return line, None
    field = tail.strip()
    if any(char.isspace() for char in field):
        return line, None
    return head.rstrip(), field


def _read_bytes(path_or_dash: str | Path) -> bytes:
    if str(path_or_dash) == STDIN:
        return sys.stdin.buffer.read()
    path = Path(path_or_dash)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ListFileError(
            f"list file {str(path)!r} not found; check the path, or pass - to read "
            "names from standard input"
        ) from None
    except IsADirectoryError:
        raise ListFileError(
            f"list file {str(path)!r} is a folder; pass a text file with one song "
            "name per line, or the folder to `bilimq batch`"
        ) from None
    except OSError as exc:
        raise ListFileError(
            f"cannot read list file {str(path)!r}: {exc.strerror}"
        ) from exc


def _reject_workbook(data: bytes, name: str) -> None:
    extension = os.path.splitext(name)[1].lower()
    is_zip = data.startswith(_ZIP_MAGIC)
    if (
        extension in _WORKBOOK_EXTENSIONS
        or data.startswith(_OLE_MAGIC)
        or (is_zip and b"xl/" in data)
    ):
        raise ListFileError(
            f"{name} is a spreadsheet workbook, not a text list. Excel workbooks "
            "are not read; save it as CSV UTF-8 (in Excel: File > Save As > CSV "
            "UTF-8) and pass that file"
        )
    if is_zip:
        raise ListFileError(
            f"{name} is a zip archive, not a text list; unpack it and pass the "
            "list file or the folder inside"
        )


def _parse_text(
    text: str, name: str, list_format: ListFormat, warnings: list[str]
) -> list[ListLine]:
    if list_format == "m3u":
        return parse_m3u(text, name, warnings)
    if list_format in ("csv", "tsv"):
        delimiter = "\t" if list_format == "tsv" else None
        return parse_table(text, name, delimiter, warnings)
    if list_format == "json":
        return parse_json(text, name, warnings)
    if list_format == "jsonl":
        return parse_json_lines(text, name, warnings)
    return _song_lines(text, name)


def _song_lines(text: str, name: str) -> list[ListLine]:
    lines: list[ListLine] = []
    order: Order | None = None
    for lineno, raw in enumerate(split_lines(text), start=1):
        # A BOM can also start a later line when lists were concatenated.
        line = raw.strip().lstrip("\ufeff").strip()
        if not line:
            continue
        if is_comment(line):
            order = directive_order(line, name, lineno) or order
            continue
        # Most lines have no bar; testing here saves a call per line.
        if "|" in line:
            lines.append(song_line(lineno, line, order))
        else:
            lines.append(ListLine(lineno, line, order))
    return lines
