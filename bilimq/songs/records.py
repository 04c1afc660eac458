"""Turn one record of named fields (a CSV row, a JSON object) into a list entry.

Field names are matched without regard to case, spaces, `_` or `-`, so
`Title`, `song_name` and `Track Name` all name the title. Durations are
seconds, m:ss or h:mm:ss; a `duration_ms`-style field contains milliseconds,
as in Spotify exports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from loguru import logger

from bilimq.songs.durations import DurationError, check_seconds, parse_duration
from bilimq.songs.entries import EntryError, ListLine
from bilimq.songs.names import clean_text
from bilimq.songs.parts import join_parts

Field = Literal["title", "artist", "album", "duration", "duration_ms"]

MAX_ALBUM_CHARS = 512
"""Maximum album length kept, because the ledger's album column is 512 wide."""

_NAMES: dict[Field, tuple[str, ...]] = {
    "title": (
        "title", "name", "song", "song name", "song title", "track",
        "track name", "track title", "歌名", "歌曲", "歌曲名", "曲名", "标题",
        "名称", "曲目",
    ),
    "artist": (
        "artist", "artists", "artist name", "artist names", "artist name(s)",
        "singer", "singers", "performer", "歌手", "歌手名", "艺人", "艺术家",
        "演唱", "演唱者",
    ),
    "album": ("album", "album name", "album title", "专辑", "专辑名", "所属专辑"),
    "duration": (
        "duration", "length", "time", "track duration", "时长", "长度",
        "时间", "歌曲时长",
    ),
    "duration_ms": (
        "duration ms", "duration (ms)", "track duration (ms)", "length ms",
        "length (ms)",
    ),
}  # fmt: skip
_FIELD_BY_NAME = {name: field for field, names in _NAMES.items() for name in names}
_NAME_GAPS = re.compile(r"[\s_\-]+")

TITLE_NAMES = "title (or name, song, track name, 歌名)"
"""The title field's names, for messages."""


def field_of(name: str) -> Field | None:
    """Return the field a column or key name stands for, or None if unknown."""
    key = _NAME_GAPS.sub(" ", name.strip().lstrip("\ufeff").lower()).strip()
    return _FIELD_BY_NAME.get(key)


@dataclass(frozen=True)
class Record:
    """The song fields of one row or object, before they are checked."""

    title: object = None
    artists: Sequence[str] = ()
    split_artists: bool = True
    """Whether an artist value may list several artists (see ListLine)."""
    album: object = None
    duration: object = None
    duration_ms: object = None


def entry_from_record(lineno: int, record: Record, row_text: str) -> ListLine:
    """Check a record and return its entry; `row_text` names the row in errors.

    A record without a title, or with an invalid duration, gives an entry that
    carries an EntryError, so the other records are still read.
    """
    title = clean_text(_text(record.title))
    if not title:
        reason = f"the title is empty; fill in the {TITLE_NAMES} field"
        return ListLine(lineno, row_text, error=EntryError(row_text, reason))
    try:
        duration = _duration(record)
    except DurationError as exc:
        reason = exc.explain("in the duration field")
        return ListLine(lineno, row_text, error=EntryError(row_text, reason))
    artists = tuple(clean_text(artist) for artist in record.artists)
    artists = tuple(artist for artist in artists if artist)
    return ListLine(
        lineno,
        join_parts(title, artists),
        duration=duration,
        album=clean_album(record.album, row_text),
        title=title,
        artists=artists,
        split_artists=record.split_artists,
    )


def clean_album(value: object, entry_name: str) -> str | None:
    """Return an album cleaned like a song name and cut to MAX_ALBUM_CHARS.

    `entry_name` names the entry in the warning logged when the album is cut.
    """
    album = clean_text(_text(value))
    if len(album) > MAX_ALBUM_CHARS:
        logger.warning(
            "{}: album cut to its first {} characters", entry_name, MAX_ALBUM_CHARS
        )
        album = album[:MAX_ALBUM_CHARS]
    return album or None


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def _duration(record: Record) -> float | None:
    if _text(record.duration).strip():
        return _seconds(record.duration)
    if _text(record.duration_ms).strip():
        return _milliseconds(record.duration_ms)
    return None


def _seconds(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return check_seconds(float(value), str(value))
    return parse_duration(_text(value))


def _milliseconds(value: object) -> float:
    text = _text(value).strip()
    try:
        milliseconds = float(text)
    except ValueError:
        raise DurationError(
            text, "a duration in milliseconds must be a number such as 221000"
        ) from None
    return check_seconds(milliseconds / 1000, text)
