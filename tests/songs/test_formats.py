from __future__ import annotations

import pytest

from bilimq.songs.formats import detect_format


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("mix.M3U", "A - B\n", "m3u"),
        ("mix.m3u8", "", "m3u"),
        ("songs.csv", "A - B\n", "csv"),
        ("songs.tsv", "", "tsv"),
        ("songs.json", "", "json"),
        ("songs.jsonl", "", "jsonl"),
        ("songs.NDJSON", "", "jsonl"),
        ("-", '{"title": "A"}\n{"title": "B"}\n', "jsonl"),
        ("-", '{"title": "A"}\n', "json"),
        ("-", "[" * 100_000 + "]" * 100_000, "json"),
        ("-", '[{"title": "A", "duration": ' + "9" * 5000 + "}]", "json"),
        ("songs.txt", "{Title} - Artist\n", "lines"),
        ("songs.txt", "#EXTM3U\nA - B.mp3\n", "m3u"),
        ("-", "\ufeff#EXTINF:10,A - B\nb.mp3\n", "m3u"),
        ("-", "title,artist,duration\nA,B,1:00\n", "csv"),
        ("-", "\n歌名\t歌手\n像鱼\t王贰浪\n", "csv"),
        ("-", '[{"title": "A"}]', "json"),
        ("-", '{"songs": []}', "json"),
        ("songs.txt", "像鱼 - 王贰浪\n", "lines"),
        ("songs.txt", "[MV] Title - Artist\n", "lines"),
        ("songs.txt", "[1, 2] - x\n", "lines"),
        ("songs.txt", "Title, Remastered - Artist\n", "lines"),
        ("songs.txt", "title\nA\n", "lines"),
        ("songs.txt", "# EXTINF is not here\nA - B\n", "lines"),
    ],
)
def test_detect_format(name: str, text: str, expected: str) -> None:
    assert detect_format(name, text) == expected
