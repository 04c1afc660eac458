"""Tell which format a song list is in, from its file extension or its text."""

from __future__ import annotations

import json
import os
import re

from bilimq.songs.entries import ListFormat, split_lines
from bilimq.songs.json_items import JsonTooDeepError, decode_value
from bilimq.songs.tables import header_fields

EXTENSION_FORMATS: dict[str, ListFormat] = {
    ".m3u": "m3u",
    ".m3u8": "m3u",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
"""Formats by file extension, lower case; other files are detected from their text."""

_EXTINF = re.compile(r"(?im)^[ \t\ufeff]*#EXTINF:")


def detect_format(name: str, text: str) -> ListFormat:
    """Return the format of a list from its extension, or else from its text.

    Text is JSON when it parses as a JSON list or object, and JSON Lines when
    only its first line parses as a JSON object. It is M3U when it starts with
    `#EXTM3U` or has an `#EXTINF:` line, and CSV when its first line is a
    header naming a title column and at least one other column listed in
    `bilimq.songs.records`. Anything else is a plain list of lines.
    """
    extension = os.path.splitext(name)[1].lower()
    if extension in EXTENSION_FORMATS:
        return EXTENSION_FORMATS[extension]
    first = _first_line(text)
    if _is_json(first, text):
        return "json"
    if first.startswith("{") and isinstance(_json_value(first), dict):
        return "jsonl"
    if first.upper().startswith("#EXTM3U") or _EXTINF.search(text):
        return "m3u"
    if _is_table_header(first):
        return "csv"
    return "lines"


def _first_line(text: str) -> str:
    # Only the start is split, because lists can have a million lines.
    start = text.lstrip("\ufeff \t\r\n")
    return split_lines(start, 1)[0].strip()


def _is_json(first: str, text: str) -> bool:
    # A plain list may start with a bracket too (`[MV] Title - Artist`), so
    # only text that parses as a whole counts.
    if not first.startswith(("[", "{")):
        return False
    document = _json_value(text.lstrip("\ufeff"))
    return isinstance(document, list | dict)


def _json_value(text: str) -> object:
    """Return the JSON value `text` contains, or None unless it is one value.

    Text nested too deeply to decode counts as JSON, so that the JSON reader
    reports the problem.
    """
    try:
        value, end = decode_value(text)
    except json.JSONDecodeError:
        return None
    except JsonTooDeepError:
        return []
    return value if not text[end:].strip() else None


def _is_table_header(first: str) -> bool:
    fields = header_fields(first)
    known = [field for field in fields if field is not None]
    return "title" in known and len(known) >= 2
