"""Read JSON song lists.

The document is a list of songs, or an object with that list under `songs`,
`tracks`, `items` or `entries`. A song is an object with the same keys a CSV
header may use (title, artist, album, duration …), or a string read as one
song name. The shapes of Spotify's API are understood too: artists and album
may be objects with a `name`, and a playlist item may wrap its song in
`track`.
"""

from __future__ import annotations

import json
from typing import Any

from bilimq.songs.entries import EntryError, ListFileError, ListLine
from bilimq.songs.records import TITLE_NAMES, Record, entry_from_record, field_of

LIST_KEYS = ("songs", "tracks", "items", "entries")


def parse_json(text: str, name: str) -> list[ListLine]:
    """Return one entry per item of a JSON song list, numbered from 1.

    Raise ListFileError when the text is not JSON or contains no song list. An
    item that is not a song gives an entry that carries the error.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListFileError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column "
            f"{exc.colno}; fix it, or pass --format lines to read each line as a "
            "song name"
        ) from None
    entries: list[ListLine] = []
    for number, item in enumerate(_song_items(document, name), start=1):
        entry = _entry(number, item)
        if entry is not None:
            entries.append(entry)
    return entries


def _song_items(document: Any, name: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key, value in document.items():
            if key.lower() in LIST_KEYS and isinstance(value, list):
                return value
        keys = ", ".join(repr(key) for key in list(document)[:8]) or "none"
        raise ListFileError(
            f"{name}: the JSON object has no song list (keys: {keys}); put the "
            f"songs in a list under one of {', '.join(LIST_KEYS)}, or make the "
            "file a list of songs"
        )
    raise ListFileError(
        f"{name}: the JSON document is {_json_kind(document)}, not a list of "
        "songs; write a list of objects such as "
        '[{"title": "像鱼", "artist": "王贰浪"}]'
    )


def _entry(number: int, item: Any) -> ListLine | None:
    if isinstance(item, str):
        line = item.strip()
        return ListLine(number, line) if line else None
    row_text = json.dumps(item, ensure_ascii=False)
    if not isinstance(item, dict):
        reason = (
            f"a song must be an object with a {TITLE_NAMES} key, or a string, "
            f"not {_json_kind(item)}"
        )
        return ListLine(number, row_text, error=EntryError(row_text, reason))
    if isinstance(item.get("track"), dict):
        # A Spotify playlist item; `track` is otherwise a name for the title.
        item = item["track"]
    return entry_from_record(number, _record(item), row_text)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else "an object or a list"


def _record(item: dict[str, Any]) -> Record:
    values: dict[str, Any] = {}
    for key, value in item.items():
        field = field_of(str(key))
        if field is not None:
            values.setdefault(field, value)
    artist = values.get("artist")
    return Record(
        title=_named(values.get("title")),
        artists=_artists(artist),
        split_artists=not isinstance(artist, list),
        album=_named(values.get("album")),
        duration=values.get("duration"),
        duration_ms=values.get("duration_ms"),
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
