"""Read song lists: list files, standard input, or a folder of audio files.

A list file contains one song name per line. Lines are read without the locale
default, because lists come from Notepad, PowerShell and shells alike. The
order tried is UTF-8 (with or without a BOM), UTF-16 with a BOM, then GB18030,
a superset of GBK and GB2312 that reads the "ANSI" files of Chinese Windows.
A statistical detector such as charset-normalizer is not used: on lists of a
few short lines it guesses among dozens of codecs, while these three rules are
exact and cover the files users make.

Blank lines and comments are skipped. A comment starts with `#` followed by a
space, another `#` or nothing, so a song such as `#1 Crush - Garbage` is read
as a song. A comment `# order: artist-title` (or `title-artist`) sets the name
order for the lines below it, until the next such comment.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from loguru import logger

from bilimq.errors import BilimqError
from bilimq.songs.names import ORDERS, Order

STDIN = "-"
AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".m4a", ".flac", ".ogg", ".opus", ".wav", ".aac", ".wma", ".ape"}
)
"""File extensions, lower case, whose stems `read_folder` takes as song names."""

_LINE_END = re.compile(r"\r\n|\r|\n")
_ORDER_DIRECTIVE = re.compile(r"(?i)#\s*order\s*[:=]\s*(.*?)\s*")


class ListFileError(BilimqError):
    """A list file cannot be read or decoded."""


class ListLine(NamedTuple):
    """One song line of a list."""

    lineno: int
    """1-based line number in the file, counting blank and comment lines."""
    text: str
    """The line without its line ending and surrounding spaces."""
    order: Order | None = None
    """The order set by an `# order:` comment above the line, if any."""
    file_name: str | None = None
    """For a line read from a folder, the audio file it was taken from."""


@dataclass(frozen=True)
class SongList:
    """The song lines of one source, and how they were read."""

    source: str
    """The path as given, or `-` for standard input."""
    lines: list[ListLine]
    encoding: str | None = None
    """The encoding the text was decoded with; None for a folder."""
    skipped_files: list[str] = field(default_factory=list)
    """For a folder, the names of files that are not audio files."""

    def where(self, line: ListLine) -> str:
        """Return where a line came from, as `file:line` or `folder/file.mp3`."""
        if line.file_name is not None:
            return os.path.join(self.source, line.file_name)
        source = "stdin" if self.source == STDIN else self.source
        return f"{source}:{line.lineno}"


def read_songs(source: str | Path) -> SongList:
    """Read a list file, standard input (`-`) or a folder of audio files."""
    if str(source) != STDIN and Path(source).is_dir():
        return read_folder(source)
    return read_list(source)


def read_list(path_or_dash: str | Path) -> SongList:
    """Read the song lines of a list file, or of standard input for `-`.

    Raise ListFileError when the file cannot be read or decoded, or when an
    `# order:` comment names an unknown order.
    """
    name = str(path_or_dash)
    data = _read_bytes(path_or_dash)
    text, encoding = decode_list(data, name)
    lines = _song_lines(text, name)
    logger.info("read {} as {}: {} song line(s)", name, encoding, len(lines))
    return SongList(source=name, lines=lines, encoding=encoding)


def read_folder(folder: str | Path) -> SongList:
    """Take the file names of the audio files in `folder` as song names.

    Each audio file (see AUDIO_EXTENSIONS, any case) gives its name without the
    extension, in sorted order. Subfolders are not read. Other files, hidden
    ones included (`.DS_Store`, `._song.mp3`), are skipped and listed in
    `skipped_files`. Raise ListFileError when the folder cannot be read.
    """
    name = str(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        raise ListFileError(
            f"cannot read folder {name!r}: {exc.strerror}; check the path and "
            "its permissions"
        ) from exc
    lines: list[ListLine] = []
    skipped: list[str] = []
    for entry in entries:
        if entry.is_dir():
            continue
        stem, extension = os.path.splitext(entry.name)
        if extension.lower() in AUDIO_EXTENSIONS and stem and stem[0] != ".":
            lines.append(ListLine(len(lines) + 1, stem, file_name=entry.name))
        else:
            skipped.append(entry.name)
    logger.info(
        "read folder {}: {} audio file(s), {} other file(s) skipped",
        name,
        len(lines),
        len(skipped),
    )
    return SongList(source=name, lines=lines, skipped_files=skipped)


def decode_list(data: bytes, name: str) -> tuple[str, str]:
    """Decode list bytes as UTF-8, UTF-16 with a BOM, or GB18030.

    Return the text and the name of the encoding used. Raise ListFileError
    naming `name` and the byte offset when no encoding fits, when the bytes are
    UTF-8 with a few damaged sequences, or when the text contains a NUL
    character (UTF-16 without a BOM looks so).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_utf16(data, name)
        _reject_nul(text, name, _utf16_offset(text, data))
        return text, "UTF-16"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        text = _decode_gb18030(data, name, utf8_error)
        encoding = "GB18030"
    else:
        encoding = "UTF-8 with BOM" if data[:3] == codecs.BOM_UTF8 else "UTF-8"
    # UTF-8 and GB18030 encode NUL as the single byte 0x00.
    _reject_nul(text, name, lambda _: data.find(b"\x00"))
    return text, encoding


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


def _decode_utf16(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise ListFileError(
            f"list file {name!r} starts with a UTF-16 byte order mark but has "
            f"invalid UTF-16 at byte {exc.start + 2}; re-save it as UTF-8"
        ) from None


def _utf16_offset(text: str, data: bytes) -> Callable[[int], int]:
    codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    return lambda index: 2 + len(text[:index].encode(codec))


def _decode_gb18030(data: bytes, name: str, utf8_error: UnicodeDecodeError) -> str:
    where = _position(data, utf8_error.start)
    if _looks_like_damaged_utf8(data):
        raise ListFileError(
            f"list file {name!r} is UTF-8 with an invalid byte at {where}; "
            "fix or retype that line, or re-save the file as UTF-8"
        )
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ListFileError(
            f"list file {name!r} is neither UTF-8 (invalid byte at {where}) nor "
            f"GB18030 (invalid byte at {_position(data, exc.start)}); "
            "re-save it as UTF-8"
        ) from None


def _looks_like_damaged_utf8(data: bytes) -> bool:
    """Return whether bytes that fail as UTF-8 are still mostly valid UTF-8.

    A UTF-8 file with one damaged byte often still decodes as GB18030, as
    mojibake. In GBK text read as UTF-8 nearly every non-ASCII sequence is
    invalid, while damaged UTF-8 has far more valid sequences than invalid ones.
    """
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = sum(1 for char in text if ord(char) > 0x7F) - invalid
    return valid > invalid


def _position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"byte offset {offset} (line {line})"


def _reject_nul(text: str, name: str, byte_offset: Callable[[int], int]) -> None:
    index = text.find("\x00")
    if index < 0:
        return
    raise ListFileError(
        f"list file {name!r} contains a NUL character at byte {byte_offset(index)}, "
        "so it is probably UTF-16 without a byte order mark; re-save it as UTF-8"
    )


def _song_lines(text: str, name: str) -> list[ListLine]:
    lines: list[ListLine] = []
    order: Order | None = None
    # CR alone (classic Mac) and CRLF end lines too. str.splitlines() would also
    # split on form feeds and U+2028, which are not line ends in a list file.
    for lineno, raw in enumerate(_LINE_END.split(text), start=1):
        # A BOM can also start a later line when lists were concatenated.
        line = raw.strip().lstrip("\ufeff").strip()
        if not line:
            continue
        if _is_comment(line):
            order = _directive_order(line, name, lineno) or order
            continue
        lines.append(ListLine(lineno, line, order))
    return lines


def _is_comment(line: str) -> bool:
    return line[0] == "#" and (len(line) == 1 or not line[1].isalnum())


def _directive_order(line: str, name: str, lineno: int) -> Order | None:
    match = _ORDER_DIRECTIVE.fullmatch(line)
    if match is None:
        return None
    value = match.group(1).lower()
    for order in ORDERS:
        if value == order:
            return order
    raise ListFileError(
        f"{name}:{lineno}: unknown order {match.group(1)!r} in {line!r}; "
        f"write '# order: {ORDERS[0]}' or '# order: {ORDERS[1]}'"
    )
