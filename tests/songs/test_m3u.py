from __future__ import annotations

from pathlib import Path

import pytest

from bilimq.songs.entries import ListFileError
from bilimq.songs.lists import read_list
from bilimq.songs.m3u import parse_m3u, path_stem

PLAYLIST = """#EXTM3U
#PLAYLIST:Mix
#EXTINF:221,王贰浪 - 千鱼
C:\\Music\\千鱼.mp3
#EXTINF:-1 tvg-id="a,b" group-title="x",Au_Ra _ Alan Walker - Ghost (The Him Remix)
https://example.com/a/ghost.mp3?sig=1
#EXTINF:0,
/home/u/Music/像鱼 (伴奏) - 王贰浪.flac
music/T.N.T. - AC_DC.opus
"""


def test_m3u_entries() -> None:
    entries = parse_m3u(PLAYLIST, "mix.m3u")
    assert [(e.lineno, e.text) for e in entries] == [
        (3, "王贰浪 - 千鱼"),
        (5, "Au_Ra _ Alan Walker - Ghost (The Him Remix)"),
        (7, "像鱼 (伴奏) - 王贰浪"),
        (9, "T.N.T. - AC_DC"),
    ]
    assert [e.duration for e in entries] == [221.0, None, None, None]
    assert all(e.error is None for e in entries)


def test_m3u_display_defaults_artist_title() -> None:
    entries = parse_m3u(PLAYLIST, "mix.m3u")
    assert [e.default_order for e in entries] == [
        "artist-title",
        "artist-title",
        None,
        None,
    ]
    assert [e.order for e in entries] == [None] * 4


def test_m3u_names_stored_title_first() -> None:
    # Playlist names are stored `Title - Artist`, as tables and plain lists
    # give them, so one song is one task whichever list it came from.
    entries = parse_m3u(PLAYLIST, "mix.m3u")
    assert all(e.store_title_first for e in entries)


def test_m3u_order_comment() -> None:
    text = "#EXTM3U\n# order: title-artist\n#EXTINF:200,千鱼 - 王贰浪\nx.mp3\n"
    (entry,) = parse_m3u(text, "mix.m3u")
    assert entry.order == "title-artist"


def test_m3u_order_comment_unknown() -> None:
    with pytest.raises(ListFileError, match="mix.m3u:2: unknown order 'sideways'"):
        parse_m3u("#EXTM3U\n# order: sideways\nx.mp3\n", "mix.m3u")


def test_m3u_bad_seconds_kept_without_length() -> None:
    text = (
        "#EXTM3U\n#EXTINF:3:99,A - B\na.mp3\n#EXTINF:12x,C - D\nc.mp3\n"
        "#EXTINF:90000,E - F\ne.mp3\ng.mp3\n"
    )
    bad, worse, long, plain = parse_m3u(text, "mix.m3u")
    assert (bad.lineno, bad.text, bad.duration, bad.error) == (2, "A - B", None, None)
    (warning,) = bad.warnings
    assert warning == (
        "invalid duration '3:99' in the #EXTINF line: the seconds after a colon "
        "must be 00 to 59; write the length in seconds (221), or -1 when it is "
        "unknown. The song is queued without a length"
    )
    assert "::" not in warning
    assert (worse.text, worse.duration, worse.error) == ("C - D", None, None)
    assert "'12x'" in worse.warnings[0]
    assert (long.text, long.duration, long.error) == ("E - F", None, None)
    assert "it looks like milliseconds (1:30)" in long.warnings[0]
    assert plain.warnings == ()
    assert plain.text == "g"


@pytest.mark.parametrize(
    "seconds", ["-1", "-1.000000", "0", "0.0", "0.000", "-2", "", " "]
)
def test_m3u_unknown_lengths(seconds: str) -> None:
    (entry,) = parse_m3u(f"#EXTINF:{seconds},A - B\na.mp3\n", "mix.m3u")
    assert entry.duration is None
    assert entry.error is None
    assert entry.warnings == ()


@pytest.mark.parametrize(
    ("seconds", "length"),
    [("221", 221.0), ("221.", 221.0), (" 221 ", 221.0), ("233.712", 233.712)],
)
def test_m3u_lengths(seconds: str, length: float) -> None:
    (entry,) = parse_m3u(f"#EXTINF:{seconds},A - B\na.mp3\n", "mix.m3u")
    assert entry.duration == length


def test_m3u_extinf_without_path() -> None:
    text = "#EXTINF:100,A - First\n#EXTINF:200,B - Second\nsecond.mp3\n#EXTINF:300,C\n"
    entries = parse_m3u(text, "mix.m3u")
    assert [(e.text, e.duration) for e in entries] == [
        ("A - First", 100.0),
        ("B - Second", 200.0),
        ("C", 300.0),
    ]


def test_m3u_empty_stem_entry_error() -> None:
    (entry,) = parse_m3u("file:///\n", "mix.m3u")
    assert entry.error is not None
    assert "no file name" in entry.error.reason


def test_m3u_web_urls_skipped() -> None:
    text = (
        "#EXTM3U\n"
        "https://music.163.com/song?id=1\n"
        "http://radio.example.invalid:8000/live\n"
        "#EXTINF:-1,\n"
        "https://example.com/stream.mp3\n"
        "#EXTINF:200,王贰浪 - 千鱼\n"
        "https://example.com/a.mp3\n"
        "smb://nas/Music/千鱼 - 王贰浪.flac\n"
        "file:///home/u/Music/A%20-%20B.mp3\n"
    )
    warnings: list[str] = []
    entries = parse_m3u(text, "urls.m3u", warnings)
    assert [(e.lineno, e.text) for e in entries] == [
        (6, "王贰浪 - 千鱼"),
        (8, "千鱼 - 王贰浪"),
        (9, "A - B"),
    ]
    assert len(warnings) == 3
    assert warnings[0] == (
        "urls.m3u:2: skipped 'https://music.163.com/song?id=1': a web address "
        "without an #EXTINF title names no song; add '#EXTINF:-1,Artist - Title' "
        "above it to queue it"
    )
    assert warnings[1].startswith("urls.m3u:3: skipped 'http://radio.")
    assert warnings[2].startswith("urls.m3u:5: skipped 'https://example.com/")


@pytest.mark.parametrize(
    ("location", "stem"),
    [
        ("C:\\Music\\像鱼 - 王贰浪.mp3", "像鱼 - 王贰浪"),
        ("\\\\nas\\share\\A - B.flac", "A - B"),
        ("/home/u/Music/A - B.m4a", "A - B"),
        ("relative/A - B.ogg", "A - B"),
        ("A - B.mp3", "A - B"),
        ("https://example.com/m/%E5%83%8F%E9%B1%BC.mp3?x=1#t", "像鱼"),
        ("file:///C:/Music/A%20-%20B.mp3", "A - B"),
        ("T.N.T. - AC_DC", "T.N.T. - AC_DC"),
        ("smb://nas/Music/A%20-%20B.flac", "A - B"),
        ("100% Pure - X.mp3", "100% Pure - X"),
    ],
)
def test_path_stem(location: str, stem: str) -> None:
    assert path_stem(location) == stem


def test_read_utf16_m3u(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u"
    text = "#EXTM3U\r\n#EXTINF:221,王贰浪 - 千鱼\r\nC:\\Music\\千鱼.mp3\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    songs = read_list(path)
    assert songs.encoding == "UTF-16"
    assert songs.list_format == "m3u"
    assert [(e.text, e.duration) for e in songs.lines] == [("王贰浪 - 千鱼", 221.0)]


def test_read_m3u8_bom(tmp_path: Path) -> None:
    path = tmp_path / "mix.m3u8"
    path.write_bytes(b"\xef\xbb\xbf#EXTM3U\n#EXTINF:5,A - B\nb.mp3\n")
    songs = read_list(path)
    assert songs.list_format == "m3u"
    assert songs.lines[0].text == "A - B"
