"""Read M3U and M3U8 playlists.

An entry is an optional `#EXTINF:<seconds>,<display>` line and the path or URL
on the next line. The seconds give the song's length (-1 or 0 means unknown).
The display is the song name, and by M3U convention it reads `Artist - Title`,
so it defaults to the artist-title order. An entry without `#EXTINF`, or with
an empty display, is named after the path's file stem, which reads in the
user's own order like a plain list. An `# order:` comment sets the order of
every name below it, and --order does for the names no comment covers. Other
`#` lines (`#EXTM3U`, `#PLAYLIST:`, `#EXTGRP:` …) are skipped.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from bilimq.songs.durations import DurationError, parse_duration
from bilimq.songs.entries import EntryError, ListLine, directive_order, split_lines
from bilimq.songs.names import Order

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|file:", re.ASCII)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}\Z", re.ASCII)
_EXTINF = "#EXTINF:"


class _Info(NamedTuple):
    """The fields of an `#EXTINF` line, for the entry below it."""

    lineno: int
    line: str
    display: str
    duration: float | None
    error: str | None


def parse_m3u(text: str, name: str) -> list[ListLine]:
    """Return the entries of M3U text; `name` is used in error messages.

    Raise ListFileError when an `# order:` comment names an unknown order.
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


def _read_info(line: str, lineno: int) -> _Info:
    body = line[len(_EXTINF) :]
    comma = _first_comma_outside_quotes(body)
    head, display = (body, "") if comma < 0 else (body[:comma], body[comma + 1 :])
    # Attributes such as tvg-id="…" may follow the seconds, before the comma.
    seconds = head.split(maxsplit=1)[0] if head.strip() else ""
    try:
        duration = _entry_seconds(seconds)
    except DurationError as exc:
        error = exc.explain(
            "after #EXTINF:",
            "write the length in seconds (221), or -1 when it is unknown",
        )
        return _Info(lineno, line, display.strip(), None, error)
    return _Info(lineno, line, display.strip(), duration, None)


def _entry_seconds(seconds: str) -> float | None:
    if seconds in ("", "-1", "0"):
        return None
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
    text = info.display or stem
    default: Order | None = "artist-title" if info.display else None
    if info.error is not None:
        error = EntryError(info.line, info.error)
        return ListLine(info.lineno, text or info.line, order, error=error)
    if not text:
        return _stem_entry(stem, location or info.line, info.lineno, order)
    return ListLine(
        info.lineno, text, order, duration=info.duration, default_order=default
    )


def _stem_entry(stem: str, location: str, lineno: int, order: Order | None) -> ListLine:
    if stem:
        return ListLine(lineno, stem, order)
    error = EntryError(
        location,
        "it has no file name to take the song name from, and no #EXTINF title; "
        "add '#EXTINF:-1,Artist - Title' above it",
    )
    return ListLine(lineno, location, order, error=error)
