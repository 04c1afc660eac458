from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bilimq.songs.entries import ListFileError
from bilimq.songs.json_lists import parse_json, parse_json_lines
from bilimq.songs.lists import read_list

SONGS = [
    {"Title": "像鱼 (伴奏)", "artist": "王贰浪", "album": "Alb", "duration": "3:41"},
    {"歌名": "Earfquake", "歌手": ["Tyler, the Creator", "Playboi Carti"], "时长": 190},
    "千鱼 - 王贰浪",
]


def test_json_list_of_objects() -> None:
    first, second, third = parse_json(json.dumps(SONGS), "s.json")
    assert (first.item, first.lineno, first.text) == (1, 1, "像鱼 (伴奏) - 王贰浪")
    assert first.title == "像鱼 (伴奏)"
    assert first.album == "Alb"
    assert first.duration == 221.0
    assert second.artists == ("Tyler, the Creator", "Playboi Carti")
    assert second.split_artists is False
    assert first.split_artists is True
    assert second.duration == 190.0
    assert (third.item, third.text, third.title) == (3, "千鱼 - 王贰浪", None)


def test_json_item_line_numbers() -> None:
    text = json.dumps(SONGS, indent=2, ensure_ascii=False)
    entries = parse_json(text, "s.json")
    assert [e.item for e in entries] == [1, 2, 3]
    assert [e.lineno for e in entries] == [2, 8, 16]


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
    assert [e.item for e in entries] == [1, 2, 3, 4, 5, 6]
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
    with pytest.raises(ListFileError, match="no song list \\(keys: 'playlist'\\)"):
        parse_json('{"playlist": "a"}', "s.json")


def test_json_single_song_object() -> None:
    with pytest.raises(ListFileError, match="is one song, not a list of songs"):
        parse_json('{"title": "a", "artist": "b"}', "s.json")


def test_json_scalar_document() -> None:
    with pytest.raises(ListFileError, match="is a string, not a list of songs"):
        parse_json('"a"', "s.json")


def test_read_json_where_names_item(tmp_path: Path) -> None:
    path = tmp_path / "songs.json"
    path.write_text(json.dumps(SONGS, ensure_ascii=False), encoding="utf-8")
    songs = read_list(path)
    assert songs.list_format == "json"
    assert songs.where(songs.lines[1]) == f"{path} item 2 (line 1)"


# -- hostile documents ---------------------------------------------------------


def test_json_deep_nesting_rejected() -> None:
    text = '[{"title": "ok"},\n' + "[" * 100_000 + "]" * 100_000 + "]"
    with pytest.raises(ListFileError) as caught:
        parse_json(text, "deep.json")
    message = str(caught.value)
    assert "deep.json: the JSON at line 2 is nested too deeply" in message


def test_json_huge_numbers_rejected_per_item() -> None:
    huge = "1" + "0" * 400
    digits = "9" * 5000
    text = (
        f'[{{"title": "A", "duration": {huge}}},\n'
        f' {{"title": "B", "duration_ms": {digits}}},\n'
        ' {"title": "C", "duration": 1e400},\n'
        ' {"title": "D", "duration": NaN},\n'
        ' {"title": "E", "duration": 221}]'
    )
    a, b, c, d, e = parse_json(text, "big.json")
    for entry in (a, b, c, d):
        assert entry.error is not None, entry.text
        assert "invalid duration" in entry.error.reason
    assert a.lineno == 1
    assert b.lineno == 2
    assert "far too long to be a length" in a.error.reason
    assert "…" in a.error.reason
    assert len(a.error.reason) < 300
    assert "not a number" in d.error.reason
    assert e.error is None
    assert e.duration == 221.0


def test_json_huge_number_title_kept_as_written() -> None:
    (entry,) = parse_json('[{"title": 12345678901234567890123, "artist": "X"}]', "s")
    assert entry.title == "12345678901234567890123"


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"title": True, "artist": "X"}, "the 'title' value is true or false"),
        ({"title": ["A"], "artist": "X"}, "the 'title' value is a list"),
        ({"title": {"id": 1}}, "the 'title' value is an object without a text"),
        ({"title": "A", "artist": False}, "the 'artist' value is true or false"),
        ({"title": "A", "artist": [["B"]]}, "the 'artist' value contains a list"),
        ({"title": "A", "artists": ["B", True]}, "'artists' value contains true"),
        ({"title": "A", "album": [1]}, "the 'album' value is a list"),
        ({"title": "A", "duration": True}, "the 'duration' value is true or false"),
        ({"title": "A", "duration": [200]}, "the 'duration' value is a list"),
    ],
)
def test_json_wrong_value_types_rejected(item: dict, problem: str) -> None:
    good = {"title": "Good", "artist": "X"}
    bad, kept = parse_json(json.dumps([item, good]), "s.json")
    assert bad.error is not None
    assert problem in bad.error.reason
    assert kept.error is None


def test_json_spotify_names_accepted() -> None:
    item = {"title": {"name": "T"}, "artists": [{"name": "A"}, 7], "album": 1989}
    (entry,) = parse_json(json.dumps([item]), "s.json")
    assert entry.error is None
    assert entry.text == "T - A _ 7"
    assert entry.album == "1989"


def test_json_both_lists_read() -> None:
    text = '{"songs": [{"title": "A"}],\n "tracks": [{"title": "C"}, "D - E"]}'
    warnings: list[str] = []
    entries = parse_json(text, "both.json", warnings)
    assert [e.text for e in entries] == ["A", "C", "D - E"]
    assert [e.item for e in entries] == [1, 2, 3]
    assert [e.lineno for e in entries] == [1, 2, 2]
    assert warnings == [
        "both.json: read the songs of every list in the file ('songs', 'tracks')"
    ]


def test_json_nested_spotify_playlist() -> None:
    text = json.dumps({"name": "Mix", "tracks": {"items": [{"track": {"name": "T"}}]}})
    (entry,) = parse_json(text, "playlist.json")
    assert entry.text == "T"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"songs": null}', "the JSON object's 'songs' is null, not a list of songs"),
        ('{"songs": "A - B"}', "the JSON object's 'songs' is a string, not a list"),
        ('"hello"', "the JSON document is a string, not a list of songs"),
        ('[{"title": "A"},', "is not valid JSON"),
        ('[{"title": "A"}] x', "is not valid JSON: Extra data at line 1"),
    ],
)
def test_json_document_errors(text: str, message: str) -> None:
    with pytest.raises(ListFileError, match=re.escape(message)):
        parse_json(text, "s.json")


def test_json_time_key_with_dates_ignored() -> None:
    items = [
        {"title": "A", "time": "2023-05-01"},
        {"title": "B", "time": "2023-05-02 10:11"},
    ]
    warnings: list[str] = []
    first, second = parse_json(json.dumps(items), "s.json", warnings)
    assert first.error is None
    assert second.error is None
    assert first.duration is None
    (warning,) = warnings
    assert "the key 'time' contains no song lengths" in warning
    assert "'2023-05-01'" in warning


def test_json_time_key_with_lengths_read() -> None:
    items = [{"title": "A", "时间": "3:41"}, {"title": "B", "时间": "abc"}]
    warnings: list[str] = []
    first, second = parse_json(json.dumps(items, ensure_ascii=False), "s", warnings)
    assert first.duration == 221.0
    assert second.error is not None
    assert warnings == []


def test_json_title_beats_track_key() -> None:
    (entry,) = parse_json('[{"track": 3, "title": "Real", "artist": "X"}]', "s")
    assert entry.text == "Real - X"


# -- JSON Lines ----------------------------------------------------------------


def test_json_lines_entries() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = (
        '{"title": "A", "artist": "B", "duration": 221}\n'
        "\n"
        '"C - D"\n'
        '{"title": "E",\n'
        '{"title": "F"} {"title": "G"}\n'
        f"{deep}\n"
        "7\n"
    )
    good, plain, broken, two, deep, number = parse_json_lines(text, "s.jsonl")
    assert (good.lineno, good.text, good.duration) == (1, "A - B", 221.0)
    assert good.item is None
    assert (plain.lineno, plain.text) == (3, "C - D")
    assert broken.lineno == 4
    assert broken.error is not None
    assert "the line is not valid JSON" in broken.error.reason
    assert two.error is not None
    assert "put one song on each line" in two.error.reason
    assert deep.error is not None
    assert "nested too deeply" in deep.error.reason
    assert number.error is not None
    assert "not a number" in number.error.reason


@pytest.mark.parametrize("extension", [".jsonl", ".ndjson", ".JSONL"])
def test_read_json_lines_by_extension(tmp_path: Path, extension: str) -> None:
    path = tmp_path / f"songs{extension}"
    path.write_text('{"title":"A","artist":"B"}\n{"title":"C","artist":"D"}\n')
    songs = read_list(path)
    assert songs.list_format == "jsonl"
    assert [line.text for line in songs.lines] == ["A - B", "C - D"]
    assert songs.where(songs.lines[1]) == f"{path}:2"
