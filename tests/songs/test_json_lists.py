from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilimq.songs.entries import ListFileError
from bilimq.songs.json_lists import parse_json
from bilimq.songs.lists import read_list

SONGS = [
    {"Title": "像鱼 (伴奏)", "artist": "王贰浪", "album": "Alb", "duration": "3:41"},
    {"歌名": "Earfquake", "歌手": ["Tyler, the Creator", "Playboi Carti"], "时长": 190},
    "千鱼 - 王贰浪",
]


def test_json_list_of_objects() -> None:
    first, second, third = parse_json(json.dumps(SONGS), "s.json")
    assert (first.lineno, first.text) == (1, "像鱼 (伴奏) - 王贰浪")
    assert first.title == "像鱼 (伴奏)"
    assert first.album == "Alb"
    assert first.duration == 221.0
    assert second.artists == ("Tyler, the Creator", "Playboi Carti")
    assert second.split_artists is False
    assert first.split_artists is True
    assert second.duration == 190.0
    assert (third.lineno, third.text, third.title) == (3, "千鱼 - 王贰浪", None)


@pytest.mark.parametrize("key", ["songs", "tracks", "Items", "entries"])
def test_json_object_with_list(key: str) -> None:
    document = {"name": "My list", key: SONGS[:1]}
    (entry,) = parse_json(json.dumps(document), "s.json")
    assert entry.text == "像鱼 (伴奏) - 王贰浪"


def test_json_spotify_shapes() -> None:
    track = {
        "name": "Ghost (The Him Remix)",
        "artists": [{"name": "Au/Ra"}, {"name": "Alan Walker"}],
        "album": {"name": "Ghost"},
        "duration_ms": 221000,
    }
    document = {"items": [{"added_at": "2020-01-01", "track": track}]}
    (entry,) = parse_json(json.dumps(document), "spotify.json")
    assert entry.title == "Ghost (The Him Remix)"
    assert entry.artists == ("Au/Ra", "Alan Walker")
    assert entry.album == "Ghost"
    assert entry.duration == 221.0


def test_json_bad_items_only_that_item() -> None:
    items = [
        {"title": "Good", "duration": 200},
        {"artist": "No title"},
        {"title": "Bad length", "duration": "3:99"},
        {"title": "Negative", "duration": -3},
        42,
        {"title": "Also good"},
        "",
    ]
    entries = parse_json(json.dumps(items), "s.json")
    assert [e.lineno for e in entries] == [1, 2, 3, 4, 5, 6]
    errors = [e.error.reason if e.error else "" for e in entries]
    assert errors[0] == ""
    assert "the title is empty" in errors[1]
    assert "'3:99'" in errors[2]
    assert "more than zero" in errors[3]
    assert "not a number" in errors[4]
    assert errors[5] == ""


def test_json_invalid_document() -> None:
    with pytest.raises(ListFileError) as caught:
        parse_json('[{"title": "a",}]', "s.json")
    assert "s.json is not valid JSON" in str(caught.value)
    assert "line 1 column 16" in str(caught.value)


def test_json_object_without_list() -> None:
    with pytest.raises(ListFileError, match="no song list \\(keys: 'title'\\)"):
        parse_json('{"title": "a"}', "s.json")


def test_json_scalar_document() -> None:
    with pytest.raises(ListFileError, match="is a string, not a list of songs"):
        parse_json('"a"', "s.json")


def test_read_json_where_names_item(tmp_path: Path) -> None:
    path = tmp_path / "songs.json"
    path.write_text(json.dumps(SONGS, ensure_ascii=False), encoding="utf-8")
    songs = read_list(path)
    assert songs.list_format == "json"
    assert songs.where(songs.lines[1]) == f"{path} item 2"
