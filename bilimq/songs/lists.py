"""Read song lists: list files, standard input, or a folder of audio files.

A list file is a plain list (one song name per line), an M3U/M3U8 playlist, a
CSV/TSV table or a JSON list; `bilimq.songs.formats` detects which, and the
readers for the other formats live beside this module. Text is decoded without
the locale default, because lists come from Notepad, PowerShell and shells
alike. The order tried is UTF-8 (with or without a BOM), UTF-16 with a BOM,
then GB18030, a superset of GBK and GB2312 that reads the "ANSI" files of
Chinese Windows. A statistical detector such as charset-normalizer is not
used: on lists of a few short lines it guesses among dozens of codecs, while
these three rules are exact and cover the files users make.

In a plain list, blank lines and comments are skipped. A comment starts with
`#` followed by a space, another `#` or nothing, so a song such as
`#1 Crush - Garbage` is read as a song. A comment `# order: artist-title` (or
`title-artist`) sets the name order for the lines below it, until the next
such comment. A line may end with its length after a spaced bar, as
`千鱼 - 王贰浪 | 3:41` (see `split_inline_duration`).
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from loguru import logger

from bilimq.errors import InvalidNameError
from bilimq.songs.audio_files import (
    UnreadableAudioError,
    is_placeholder_name,
    read_audio_file,
)
from bilimq.songs.durations import DURATION_FORMS, DurationError, parse_duration
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
from bilimq.songs.formats import detect_format
from bilimq.songs.json_lists import parse_json
from bilimq.songs.m3u import parse_m3u
from bilimq.songs.names import Order, parse_name
from bilimq.songs.parts import join_parts
from bilimq.songs.records import clean_album
from bilimq.songs.tables import parse_table

__all__ = [
    "AUDIO_EXTENSIONS",
    "LIST_FORMATS",
    "STDIN",
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

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".m4a", ".flac", ".ogg", ".opus", ".wav", ".aac", ".wma", ".ape"}
)
"""File extensions, lower case, whose stems `read_folder` takes as song names."""

FormatChoice = ListFormat | Literal["auto"]
"""A list format, or "auto" to tell it from the extension and the text."""


def read_songs(source: str | Path, list_format: FormatChoice = "auto") -> SongList:
    """Read a list file, standard input (`-`) or a folder of audio files.

    `list_format` forces the format of a list file or standard input; "auto"
    detects it from the extension and the text. Raise ListFileError when a format
    is forced on a folder.
    """
    if str(source) != STDIN and Path(source).is_dir():
        if list_format != "auto":
            raise ListFileError(
                f"{str(source)!r} is a folder, so --format {list_format} does not "
                "apply; leave out --format to read its audio files"
            )
        return read_folder(source)
    return read_list(source, list_format)


def read_list(path_or_dash: str | Path, list_format: FormatChoice = "auto") -> SongList:
    """Read the song entries of a list file, or of standard input for `-`.

    Raise ListFileError when the file cannot be read or decoded, when a table
    has no title column, when JSON is invalid, or when an `# order:` comment
    names an unknown order. Problems with single entries are kept on them.
    """
    name = str(path_or_dash)
    data = _read_bytes(path_or_dash)
    text, encoding = decode_list(data, name)
    chosen = detect_format(name, text) if list_format == "auto" else list_format
    lines = _parse_text(text, name, chosen)
    logger.info(
        "read {} as {}: {} song(s), format {}", name, encoding, len(lines), chosen
    )
    return SongList(name, lines, encoding=encoding, list_format=chosen)


def read_folder(folder: str | Path) -> SongList:
    """Take the audio files in `folder` as songs, with their lengths.

    Each audio file (see AUDIO_EXTENSIONS, any case) gives its name without the
    extension, in sorted order, and its length and album as mutagen reads them.
    When the name is not a song name (`01.mp3`, `track03.m4a`, or one that
    does not parse) and the file has a title tag, its title and artist tags
    name the song instead. A file mutagen cannot read gives an entry that
    carries the reason. Subfolders are not read. Other files, hidden ones
    included (`.DS_Store`, `._song.mp3`), are skipped and listed in
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
            lines.append(_audio_entry(Path(entry.path), len(lines) + 1, stem))
        else:
            skipped.append(entry.name)
    unusable = sum(1 for line in lines if line.error is not None)
    logger.info(
        "read folder {}: {} audio file(s), {} of them unusable, {} other file(s) "
        "skipped",
        name,
        len(lines),
        unusable,
        len(skipped),
    )
    return SongList(source=name, lines=lines, skipped_files=skipped)


def song_line(lineno: int, line: str, order: Order | None = None) -> ListLine:
    """Return the entry of one plain-list line, with its inline duration if any.

    A duration that does not parse gives an entry that carries the error.
    """
    # Most lines have no bar, and this check keeps big lists fast.
    if "|" not in line:
        return ListLine(lineno, line, order)
    text, field = split_inline_duration(line)
    if not field:
        return ListLine(lineno, text, order)
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


def _parse_text(text: str, name: str, list_format: ListFormat) -> list[ListLine]:
    if list_format == "m3u":
        return parse_m3u(text, name)
    if list_format in ("csv", "tsv"):
        return parse_table(text, name, "\t" if list_format == "tsv" else None)
    if list_format == "json":
        return parse_json(text, name)
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


def _audio_entry(path: Path, lineno: int, stem: str) -> ListLine:
    try:
        info = read_audio_file(path)
    except UnreadableAudioError as exc:
        reason = (
            f"{exc.reason}; the file may be damaged or not really "
            f"{path.suffix.lower()}, so replace it or move it out of the folder"
        )
        error = EntryError(path.name, reason)
        return ListLine(lineno, stem, file_name=path.name, error=error)
    album = clean_album(info.album, path.name)
    known = {"file_name": path.name, "duration": info.duration, "album": album}
    if _is_song_name(stem) or info.title is None:
        if is_placeholder_name(stem):
            reason = (
                f"the file name {stem!r} numbers a track but names no song, and "
                f"the file has no title tag; rename it 'Title - Artist"
                f"{path.suffix}' or tag it"
            )
            return ListLine(lineno, stem, error=EntryError(path.name, reason), **known)
        return ListLine(lineno, stem, **known)
    line = join_parts(info.title, info.artists)
    return ListLine(
        lineno,
        line,
        title=info.title,
        artists=info.artists,
        split_artists=len(info.artists) <= 1,
        **known,
    )


def _is_song_name(stem: str) -> bool:
    """Return whether a file name can be taken as the song name.

    A name that does not parse fails in either name order, because both split
    at the same spaced dashes, so the default order is enough to check it.
    """
    if is_placeholder_name(stem):
        return False
    try:
        parse_name(stem)
    except InvalidNameError:
        return False
    return True
