"""Read JSON song lists and JSON Lines files.

The document is a list of songs, or an object with that list under `songs`,
`tracks`, `items` or `entries` (see `bilimq.songs.json_items`). A JSON Lines
file (`.jsonl`, `.ndjson`) has one song per line instead. A song is an object
with the same keys a CSV header may use (title, artist, album, duration …),
or a string read as one song name. The shapes of Spotify's API are understood
too: artists and album may be objects with a `name`, and a playlist item may
wrap its song in `track`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from bilimq.songs.entries import EntryError, ListLine, shorten, split_lines
from bilimq.songs.json_items import (
    JsonTooDeepError,
    NumberText,
    decode_value,
    json_kind,
    song_items,
)
from bilimq.songs.records import (
    TITLE_NAMES,
    WEAK_RANK,
    Field,
    Record,
    choose_columns,
    column_of,
    contains_lengths,
    entry_from_record,
)

_TEXT_FIELDS: tuple[Field, ...] = ("title", "album")


def parse_json(
    text: str, name: str, warnings: list[str] | None = None
) -> list[ListLine]:
    """Return one entry per item of a JSON song list, numbered from 1.

    Raise ListFileError when the text is not JSON or contains no song list. An
    item that is not a song gives an entry that carries the error. Problems
    with the whole document that were worked around are added to `warnings`.
    """
    items, keys = song_items(text, name)
    notes = warnings if warnings is not None else []
    if len(keys) > 1:
        shown = ", ".join(repr(shorten(key, 30)) for key in keys)
        notes.append(f"{name}: read the songs of every list in the file ({shown})")
    ignored = _date_keys((item.value for item in items), name, notes)
    entries = (_entry(item.lineno, item.value, ignored, item.number) for item in items)
    return [entry for entry in entries if entry is not None]


def parse_json_lines(
    text: str, name: str, warnings: list[str] | None = None
) -> list[ListLine]:
    """Return one entry per non-blank line of JSON Lines text.

    A line that is not valid JSON gives an entry that carries the error, so the
    other lines are still read.
    """
    values: list[tuple[int, str, Any]] = []
    for lineno, raw in enumerate(split_lines(text), start=1):
        line = raw.strip().lstrip("\ufeff")
        if line:
            values.append((lineno, line, _decode_line(line)))
    notes = warnings if warnings is not None else []
    decoded = (value for _, _, value in values if not isinstance(value, _BadLine))
    ignored = _date_keys(decoded, name, notes)
    entries: list[ListLine] = []
    for lineno, line, value in values:
        if isinstance(value, _BadLine):
            entries.append(ListLine(lineno, line, error=EntryError(line, value.reason)))
            continue
        entry = _entry(lineno, value, ignored)
        if entry is not None:
            entries.append(entry)
    return entries


class _BadLine:
    """A JSON Lines line that cannot be decoded, and why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _decode_line(line: str) -> Any:
    try:
        value, end = decode_value(line)
    except json.JSONDecodeError as exc:
        return _BadLine(
            f"the line is not valid JSON: {exc.msg} at column {exc.colno}; fix it or "
            "remove the line"
        )
    except JsonTooDeepError:
        return _BadLine("the JSON is nested too deeply; a song needs only a few levels")
    if line[end:].strip():
        return _BadLine(
            f"the line has more after its JSON value, at column {end + 1}; put one "
            "song on each line"
        )
    return value


def _entry(
    lineno: int, value: Any, ignored: set[str], number: int | None = None
) -> ListLine | None:
    if isinstance(value, str) and not isinstance(value, NumberText):
        line = value.strip()
        return ListLine(lineno, line, item=number) if line else None
    if not isinstance(value, dict):
        reason = (
            f"a song must be an object with a {TITLE_NAMES} key, or a string, not "
            f"{json_kind(value)}"
        )
        return _rejected(lineno, value, reason, number)
    song = value
    if isinstance(song.get("track"), dict):
        # A Spotify playlist item; `track` is otherwise a name for the title.
        song = song["track"]
    fields = _fields(song, ignored)
    problem = _type_problem(fields)
    if problem is not None:
        return _rejected(lineno, value, problem, number)
    record = _record(fields)
    return entry_from_record(lineno, record, lambda: _row_text(value), item=number)


def _rejected(lineno: int, value: Any, reason: str, number: int | None) -> ListLine:
    text = _row_text(value)
    return ListLine(lineno, text, error=EntryError(text, reason), item=number)


def _row_text(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return json_kind(value)
    # Only the start is shown in messages, so a huge item is not kept whole.
    return shorten(text, 1000)


def _fields(item: dict[Any, Any], ignored: set[str]) -> dict[Field, tuple[str, Any]]:
    keys = tuple(str(key) for key in item)
    chosen = _chosen_keys(tuple(key if key not in ignored else "" for key in keys))
    values = list(item.values())
    return {field: (keys[index], values[index]) for field, index in chosen.items()}


@lru_cache(maxsize=256)
def _chosen_keys(keys: tuple[str, ...]) -> dict[Field, int]:
    # Items of one list mostly share their keys, so the choice is cached.
    return choose_columns(keys)


def _date_keys(values: Iterable[Any], name: str, warnings: list[str]) -> set[str]:
    """Return the weakly named duration keys (`time`, `时间`) that contain no
    lengths but something else, such as the date a song was added. They are
    ignored."""
    by_key: dict[str, list[Any]] = {}
    for value in values:
        if not isinstance(value, dict):
            continue
        for key, field_value in value.items():
            column = column_of(str(key))
            if (
                column is not None
                and column.rank == WEAK_RANK
                and column.field == "duration"
            ):
                by_key.setdefault(str(key), []).append(field_value)
    ignored: set[str] = set()
    for key, key_values in by_key.items():
        texts = [v for v in key_values if isinstance(v, str | int | float)]
        lengths, sample = contains_lengths(texts)
        if not lengths:
            ignored.add(key)
            warnings.append(
                f"{name}: the key {shorten(key, 30)!r} contains no song lengths (it "
                f"contains values such as {shorten(sample or '')!r}), so it is "
                "ignored; name a key of lengths 'duration' to read them"
            )
    return ignored


def _type_problem(fields: dict[Field, tuple[str, Any]]) -> str | None:
    for field in _TEXT_FIELDS:
        if field in fields:
            key, value = fields[field]
            if not _is_name(value):
                return _not_name(key, value, "is", f"write the {field} as text")
    if "artist" in fields:
        key, value = fields["artist"]
        values, verb = (
            (value, "contains") if isinstance(value, list) else ([value], "is")
        )
        for artist in values:
            if artist is not None and not _is_name(artist):
                fix = "write each artist as text, or a list of texts"
                return _not_name(key, artist, verb, fix)
    for field in ("duration", "duration_ms"):
        if field in fields:
            key, value = fields[field]
            if isinstance(value, bool | list | dict):
                return (
                    f"the {shorten(key, 30)!r} value is {json_kind(value)}, not a "
                    "length; write the length as a number or m:ss"
                )
    return None


def _is_name(value: Any) -> bool:
    """Return whether a value can stand for a name: text, a number, or an object
    with a text `name`, as Spotify gives artists and albums."""
    if isinstance(value, dict):
        value = value.get("name")
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    if value is None:
        return True
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _not_name(key: str, value: Any, verb: str, fix: str) -> str:
    kind = json_kind(value)
    if isinstance(value, dict):
        kind = "an object without a text 'name'"
    return f"the {shorten(key, 30)!r} value {verb} {kind}, not text; {fix}"


def _record(fields: dict[Field, tuple[str, Any]]) -> Record:
    def value(field: Field) -> Any:
        return fields[field][1] if field in fields else None

    artist = value("artist")
    return Record(
        title=_named(value("title")),
        artists=_artists(artist),
        split_artists=not isinstance(artist, list),
        album=_named(value("album")),
        duration=value("duration"),
        duration_ms=value("duration_ms"),
    )


def _named(value: Any) -> Any:
    """Return an object's `name`, as Spotify gives artists and albums, or the value."""
    if isinstance(value, dict):
        return value.get("name")
    return value


def _artists(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    names = (_named(item) for item in values)
    return tuple(str(name).strip() for name in names if name is not None)
