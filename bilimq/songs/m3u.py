"""Read M3U and M3U8 playlists.

An entry is an optional `#EXTINF:<seconds>,<display>` line and the path or URL
on the next line. The seconds give the song's length. A number of zero or less
(`-1`, `0.0`) means unknown, and an invalid one is dropped with a warning, but
the song is kept. The display is the song name, and by M3U convention it reads
`Artist - Title`, so it defaults to the artist-title order. An entry without
`#EXTINF`, or with an empty display, is named after the path's file stem, which
reads in the user's own order like a plain list. Either way the name is stored
title first, as `Title - Artist`, so the same song from a table or a plain
list is one task. A web URL (`https://…`) without `#EXTINF` names no song and
is skipped with a warning. An `# order:` comment sets the order of every name
below it, and --order does for the names no comment covers. Other `#` lines
(`#EXTM3U`, `#PLAYLIST:`, `#EXTGRP:` …) are skipped.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from bilimq.songs.durations import DurationError, check_seconds, parse_duration
from bilimq.songs.entries import (
    EntryError,
    ListLine,
    directive_order,
    shorten,
    split_lines,
)
from bilimq.songs.names import Order

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://|file:", re.ASCII)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}\Z", re.ASCII)
# A number as players write it: `221`, `221.`, `-1.000000`, `+5`.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)", re.ASCII)
_EXTINF = "#EXTINF:"
# Schemes of file shares, whose paths end in a file name like a local path.
# Any other URL is a web page or a stream, which names no song.
_FILE_SCHEMES = frozenset({"file", "smb", "nfs", "afp", "ftp", "ftps", "sftp"})


class _Info(NamedTuple):
    """The fields of an `#EXTINF` line, for the entry below it."""

    lineno: int
    line: str
    display: str
    duration: float | None
    warning: str | None


def parse_m3u(
    text: str, name: str, warnings: list[str] | None = None
) -> list[ListLine]:
    """Return the entries of M3U text; `name` is used in messages.

    Web URLs without `#EXTINF` are skipped, each with a warning added to
    `warnings`. Raise ListFileError when an `# order:` comment names an unknown
    order.
    """
    entries: list[ListLine] = []
    info: _Info | None = None
    order: Order | None = None
    for lineno, raw in enumerate(split_lines(text), start=1):
        line = raw.strip().lstrip("\ufeff").strip()
        if not line:
            continue
        if line[: len(_EXTINF)].upper() == _EXTINF:
            if info is not None:
                # An #EXTINF without a path below it still names a song.
                entries.append(_entry(info, None, lineno, order))
            info = _read_info(line, lineno)
        elif line.startswith("#"):
            order = directive_order(line, name, lineno) or order
        elif (info is None or not info.display) and _is_web_url(line):
            if warnings is not None:
                warnings.append(_skipped_url(name, lineno, line))
            info = None
        else:
            entries.append(_entry(info, line, lineno, order))
            info = None
    if info is not None:
        entries.append(_entry(info, None, info.lineno, order))
    return entries


def path_stem(location: str) -> str:
    """Return the file name without its extension of a Windows or POSIX path or URL.

    URLs are percent-decoded, and their query and fragment are dropped.
    """
    path = location.strip()
    if _URL.match(path):
        path = unquote(urlsplit(path).path)
    base = re.split(r"[\\/]", path.rstrip("\\/"))[-1]
    extension = _EXTENSION.search(base)
    if extension is not None and extension.start():
        base = base[: extension.start()]
    return base.strip()


def _is_web_url(location: str) -> bool:
    match = _URL.match(location)
    if match is None or match.group(1) is None:
        return False
    # A one-letter scheme is a Windows drive written with slashes (`C://Music`).
    scheme = match.group(1).lower()
    return len(scheme) > 1 and scheme not in _FILE_SCHEMES


def _skipped_url(name: str, lineno: int, location: str) -> str:
    return (
        f"{name}:{lineno}: skipped {shorten(location)!r}: a web address without an "
        "#EXTINF title names no song; add '#EXTINF:-1,Artist - Title' above it to "
        "queue it"
    )


def _read_info(line: str, lineno: int) -> _Info:
    body = line[len(_EXTINF) :]
    comma = _first_comma_outside_quotes(body)
    head, display = (body, "") if comma < 0 else (body[:comma], body[comma + 1 :])
    # Attributes such as tvg-id="…" may follow the seconds, before the comma.
    seconds = head.split(maxsplit=1)[0] if head.strip() else ""
    try:
        duration = _entry_seconds(seconds)
    except DurationError as exc:
        warning = exc.explain(
            "in the #EXTINF line",
            "write the length in seconds (221), or -1 when it is unknown",
        )
        warning += ". The song is queued without a length"
        return _Info(lineno, line, display.strip(), None, warning)
    return _Info(lineno, line, display.strip(), duration, None)


def _entry_seconds(seconds: str) -> float | None:
    if not seconds:
        return None
    if _NUMBER.fullmatch(seconds):
        number = float(seconds)
        # Players write -1 or 0, sometimes as -1.000000, for an unknown length.
        return check_seconds(number, seconds) if number > 0 else None
    return parse_duration(seconds)


def _first_comma_outside_quotes(text: str) -> int:
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            return index
    return -1


def _entry(
    info: _Info | None, location: str | None, lineno: int, order: Order | None
) -> ListLine:
    stem = path_stem(location) if location is not None else ""
    if info is None:
        return _stem_entry(stem, location or "", lineno, order)
    if not info.display and not stem:
        return _stem_entry(stem, location or info.line, info.lineno, order)
    warnings = (info.warning,) if info.warning is not None else ()
    return ListLine(
        info.lineno,
        info.display or stem,
        order,
        duration=info.duration,
        default_order="artist-title" if info.display else None,
        store_title_first=True,
        warnings=warnings,
    )


def _stem_entry(stem: str, location: str, lineno: int, order: Order | None) -> ListLine:
    if stem:
        return ListLine(lineno, stem, order, store_title_first=True)
    error = EntryError(
        location,
        "it has no file name to take the song name from, and no #EXTINF title; "
        "add '#EXTINF:-1,Artist - Title' above it",
    )
    return ListLine(lineno, location, order, error=error)
