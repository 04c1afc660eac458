"""Find the song items of a JSON document, with the line each item starts on.

`json.loads` gives no positions, so the outer levels (the list of songs, or
the object that contains it) are walked here, and each item is decoded on its own
with `JSONDecoder.raw_decode`, which returns where it ended. That also keeps
three kinds of input from crashing a batch: numbers too long for `int()`
(over 4300 digits), numbers too large for a float, and nesting deeper than
Python's recursion limit.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from typing import Any, NamedTuple

from bilimq.songs.entries import ListFileError, shorten
from bilimq.songs.records import field_of

LIST_KEYS = ("songs", "tracks", "items", "entries")
"""Keys, any case, under which an object contains its list of songs."""
MAX_OBJECT_DEPTH = 2
"""How many objects deep a song list is looked for, as in Spotify's
`{"tracks": {"items": [...]}}`."""

_WHITESPACE = re.compile(r"[ \t\n\r\ufeff]*")
_MAX_INT_DIGITS = 18


class NumberText(str):
    """A JSON number kept as written, because it is too large for int or float,
    or is NaN or Infinity."""


class JsonItem(NamedTuple):
    """One song item of a JSON document."""

    number: int
    """1-based, counted across every song list in the document."""
    lineno: int
    """1-based line the item starts on."""
    value: Any


def _parse_int(text: str) -> int | NumberText:
    return int(text) if len(text.lstrip("-")) <= _MAX_INT_DIGITS else NumberText(text)


def _parse_float(text: str) -> float | NumberText:
    number = float(text)
    return number if math.isfinite(number) else NumberText(text)


DECODER = json.JSONDecoder(
    parse_int=_parse_int, parse_float=_parse_float, parse_constant=NumberText
)
"""A decoder that keeps huge numbers, NaN and Infinity as NumberText."""


class JsonTooDeepError(ValueError):
    """A JSON value is nested deeper than Python's recursion limit allows."""


def decode_value(text: str, position: int = 0) -> tuple[Any, int]:
    """Decode the JSON value at `position`; return it and the position after it.

    Raise json.JSONDecodeError for invalid JSON and JsonTooDeepError for
    nesting too deep to decode.
    """
    try:
        return DECODER.raw_decode(text, position)
    except RecursionError:
        raise JsonTooDeepError(position) from None


def song_items(text: str, name: str) -> tuple[list[JsonItem], list[str]]:
    """Return the song items of a JSON document and the keys they were under.

    The document is a list of songs, or an object with such lists under keys
    in LIST_KEYS, at most MAX_OBJECT_DEPTH objects deep. Every such list is
    read. Raise ListFileError when the text is not JSON, is nested too deeply,
    or contains no song list.
    """
    walker = _Walker(text, name)
    try:
        walker.read_document()
    except json.JSONDecodeError as exc:
        raise ListFileError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column "
            f"{exc.colno}; fix it, or pass --format lines to read each line as a "
            "song name"
        ) from None
    except JsonTooDeepError as exc:
        raise ListFileError(
            f"{name}: the JSON at line {walker.line_of(exc.args[0])} is nested too "
            "deeply to read; a song list needs only a few levels"
        ) from None
    return walker.items, walker.keys


def json_kind(value: Any) -> str:
    """Return what a JSON value is, for messages: `null`, `a list`, …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float | NumberText):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


class _Walker:
    """Walk the outer levels of a document, collecting its song items."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.items: list[JsonItem] = []
        self.keys: list[str] = []
        self.other_lists: dict[str, Any] = {}
        """Values under list keys that are not lists, for the error message."""
        self.newlines: list[int] | None = None

    def line_of(self, position: int) -> int:
        if self.newlines is None:
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.newlines, position) + 1

    def read_document(self) -> None:
        position = self._skip(0)
        char = self.text[position : position + 1]
        if char == "[":
            position = self._read_list(position)
        elif char == "{":
            top_keys: list[str] = []
            position = self._read_object(position, 0, top_keys)
            if not self.keys:
                raise ListFileError(self._no_list(top_keys))
        else:
            value, position = decode_value(self.text, position)
            raise ListFileError(
                f"{self.name}: the JSON document is {json_kind(value)}, not a list "
                'of songs; write a list of objects such as [{"title": "像鱼", '
                '"artist": "王贰浪"}]'
            )
        position = self._skip(position)
        if position != len(self.text):
            raise json.JSONDecodeError("Extra data", self.text, position)

    def _read_list(self, position: int) -> int:
        position = self._skip(position + 1)
        if self.text.startswith("]", position):
            return position + 1
        while True:
            value, end = decode_value(self.text, position)
            number = len(self.items) + 1
            self.items.append(JsonItem(number, self.line_of(position), value))
            position = self._skip(end)
            char = self.text[position : position + 1]
            if char == "]":
                return position + 1
            if char != ",":
                raise json.JSONDecodeError(
                    "Expecting ',' delimiter", self.text, position
                )
            position = self._skip(position + 1)

    def _read_object(self, position: int, depth: int, keys: list[str]) -> int:
        position = self._skip(position + 1)
        if self.text.startswith("}", position):
            return position + 1
        while True:
            if not self.text.startswith('"', position):
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes",
                    self.text,
                    position,
                )
            key, position = decode_value(self.text, position)
            keys.append(key)
            position = self._skip(position)
            if not self.text.startswith(":", position):
                raise json.JSONDecodeError(
                    "Expecting ':' delimiter", self.text, position
                )
            position = self._read_member(key, self._skip(position + 1), depth)
            position = self._skip(position)
            char = self.text[position : position + 1]
            if char == "}":
                return position + 1
            if char != ",":
                raise json.JSONDecodeError(
                    "Expecting ',' delimiter", self.text, position
                )
            position = self._skip(position + 1)

    def _read_member(self, key: str, position: int, depth: int) -> int:
        char = self.text[position : position + 1]
        if key.lower() in LIST_KEYS and char == "[":
            self.keys.append(key)
            return self._read_list(position)
        if char == "{" and depth + 1 < MAX_OBJECT_DEPTH:
            return self._read_object(position, depth + 1, [])
        value, end = decode_value(self.text, position)
        if key.lower() in LIST_KEYS:
            self.other_lists.setdefault(key, value)
        return end

    def _no_list(self, keys: list[str]) -> str:
        if any(field_of(key) == "title" for key in keys):
            return (
                f"{self.name}: the JSON document is one song, not a list of songs; "
                "put it in a list: [{...}]"
            )
        for key, value in self.other_lists.items():
            return (
                f"{self.name}: the JSON object's {shorten(key)!r} is "
                f"{json_kind(value)}, not a list of songs; put the songs in a list "
                f'such as {{"{key}": [{{"title": "像鱼", "artist": "王贰浪"}}]}}'
            )
        shown = ", ".join(repr(shorten(key, 30)) for key in keys[:8]) or "none"
        return (
            f"{self.name}: the JSON object has no song list (keys: {shown}); put "
            f"the songs in a list under one of {', '.join(LIST_KEYS)}, or make the "
            "file a list of songs"
        )

    def _skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match is not None else position
