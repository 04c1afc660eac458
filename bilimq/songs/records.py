"""Turn one record of named fields (a CSV row, a JSON object) into a list entry.

Field names are matched without regard to case, spaces, `_` or `-`, so
`Title`, `song_name` and `Track Name` all name the title. When several columns
name one field, the strongest name wins (see `_NAMES`), so `Title` beats
`Track` wherever they stand. Durations are seconds, m:ss or h:mm:ss; a
`duration_ms`-style field contains milliseconds, as in Spotify exports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from bilimq.songs.durations import (
    DurationError,
    check_milliseconds,
    check_seconds,
    is_duration_syntax,
    parse_duration,
)
from bilimq.songs.entries import EntryError, ListLine
from bilimq.songs.names import clean_text
from bilimq.songs.parts import join_parts

Field = Literal["title", "artist", "album", "duration", "duration_ms"]

MAX_ALBUM_CHARS = 512
"""Maximum album length kept, because the ledger's album column is 512 wide."""

# Names by field in tiers, strongest first: the field's own name and its direct
# translations, then other usual names, then names that often mean something
# else. `track` is as often a track number as a title, and `time`/`时间` as
# often a date as a length, so they count only when nothing stronger is there.
_NAMES: dict[Field, tuple[tuple[str, ...], ...]] = {
    "title": (
        ("title", "song title", "track title", "歌名", "标题", "曲名", "歌曲名"),
        ("name", "song", "song name", "track name", "歌曲", "名称", "曲目"),
        ("track",),
    ),
    "artist": (
        ("artist", "artists", "歌手", "艺人", "艺术家"),
        (
            "artist name", "artist names", "artist name(s)", "singer", "singers",
            "performer", "歌手名", "演唱", "演唱者",
        ),
    ),
    "album": (
        ("album", "专辑"),
        ("album name", "album title", "专辑名", "所属专辑"),
    ),
    "duration": (
        ("duration", "length", "时长", "长度"),
        ("track duration", "歌曲时长"),
        ("time", "时间"),
    ),
    "duration_ms": (
        ("duration ms", "duration (ms)", "length ms", "length (ms)"),
        ("track duration (ms)",),
    ),
}  # fmt: skip
_NAME_GAPS = re.compile(r"[\s_\-]+")

TITLE_NAMES = "title (or name, song, track name, 歌名)"
"""The title field's names, for messages."""


class Column(NamedTuple):
    """The field a column or key name stands for, and how strongly."""

    field: Field
    rank: int
    """0 for the field's own name; higher for weaker names (see `_NAMES`)."""


_COLUMN_BY_NAME = {
    name: Column(field, rank)
    for field, tiers in _NAMES.items()
    for rank, names in enumerate(tiers)
    for name in names
}
WEAK_RANK = 2
"""The rank of names such as `track` and `time` that often mean something else."""


# JSON lists repeat the same few keys in every item.
@lru_cache(maxsize=1024)
def column_of(name: str) -> Column | None:
    """Return the field and rank a column or key name stands for, or None."""
    key = _NAME_GAPS.sub(" ", name.strip().lstrip("\ufeff").lower()).strip()
    return _COLUMN_BY_NAME.get(key)


def field_of(name: str) -> Field | None:
    """Return the field a column or key name stands for, or None if unknown."""
    column = column_of(name)
    return column.field if column is not None else None


def choose_columns(names: Iterable[str]) -> dict[Field, int]:
    """Return the position of the column chosen for each field named.

    The strongest name of a field wins; among equal names, the first one.
    """
    chosen: dict[Field, tuple[int, int]] = {}
    for index, name in enumerate(names):
        column = column_of(name)
        if column is None:
            continue
        best = chosen.get(column.field)
        if best is None or column.rank < best[0]:
            chosen[column.field] = (column.rank, index)
    return {field: index for field, (_, index) in chosen.items()}


def contains_lengths(values: Iterable[object]) -> tuple[bool, str | None]:
    """Return whether a weakly named duration column contains lengths, and a
    value that does not look like one.

    It does when at least half of its filled values are written like lengths
    (`221`, `3:41`), in range or not. Bad ones among them are then rejected
    row by row.
    """
    filled = 0
    lengths = 0
    other: str | None = None
    for value in values:
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        filled += 1
        if is_duration_syntax(text):
            lengths += 1
        elif other is None:
            other = text
    return lengths * 2 >= filled, other


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


def entry_from_record(
    lineno: int,
    record: Record,
    row_text: str | Callable[[], str],
    *,
    item: int | None = None,
    warnings: Sequence[str] = (),
) -> ListLine:
    """Check a record and return its entry; `row_text` names the row in errors.

    `row_text` may be a function that returns it, so that it is built only for
    a rejected record.
    A record without a title, or with an invalid duration, gives an entry that
    carries an EntryError, so the other records are still read. `warnings`
    are kept on the entry, with one more when the album is cut.
    """
    title = clean_text(_text(record.title))
    if not title:
        reason = f"the title is empty; fill in the {TITLE_NAMES} field"
        return _rejected(lineno, row_text, reason, item)
    try:
        duration = _duration(record)
    except DurationError as exc:
        return _rejected(lineno, row_text, _explain(exc, record), item)
    artists = tuple(clean_text(artist) for artist in record.artists)
    artists = tuple(artist for artist in artists if artist)
    album, album_warnings = clean_album(record.album)
    return ListLine(
        lineno,
        join_parts(title, artists),
        duration=duration,
        album=album,
        title=title,
        artists=artists,
        split_artists=record.split_artists,
        item=item,
        warnings=(*warnings, *album_warnings),
    )


def clean_album(value: object) -> tuple[str | None, tuple[str, ...]]:
    """Return an album cleaned like a song name and cut to MAX_ALBUM_CHARS, with
    a warning when it was cut."""
    album = clean_text(_text(value))
    if len(album) <= MAX_ALBUM_CHARS:
        return album or None, ()
    warning = (
        f"the album ({len(album)} characters) is cut to its first "
        f"{MAX_ALBUM_CHARS} characters, the most the ledger stores"
    )
    return album[:MAX_ALBUM_CHARS], (warning,)


def _rejected(
    lineno: int, row_text: str | Callable[[], str], reason: str, item: int | None
) -> ListLine:
    text = row_text if isinstance(row_text, str) else row_text()
    return ListLine(lineno, text, error=EntryError(text, reason), item=item)


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


def _explain(exc: DurationError, record: Record) -> str:
    if _text(record.duration).strip():
        return exc.explain("in the duration field")
    return exc.explain("in the duration (ms) field")


def _seconds(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            raise DurationError(str(value), "the number is too large") from None
        return check_seconds(seconds, str(value))
    return parse_duration(_text(value))


def _milliseconds(value: object) -> float:
    text = _text(value).strip()
    try:
        milliseconds = float(text)
    except (ValueError, OverflowError):
        raise DurationError(
            text,
            "it is not a number",
            "write the length in milliseconds, such as 221000 for 3:41",
        ) from None
    return check_milliseconds(milliseconds, text)
