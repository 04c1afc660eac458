from __future__ import annotations

from pathlib import Path

import pytest

from bilimq.songs.entries import ListFileError
from bilimq.songs.lists import read_list
from bilimq.songs.records import field_of
from bilimq.songs.tables import parse_table, pick_delimiter


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("Title", "title"),
        (" TITLE ", "title"),
        ("song_name", "title"),
        ("Track Name", "title"),
        ("歌名", "title"),
        ("Artist Name(s)", "artist"),
        ("歌手", "artist"),
        ("专辑", "album"),
        ("时长", "duration"),
        ("Length", "duration"),
        ("duration_ms", "duration_ms"),
        ("Track Duration (ms)", "duration_ms"),
        ("\ufefftitle", "title"),
        ("Popularity", None),
    ],
)
def test_field_names(name: str, field: str | None) -> None:
    assert field_of(name) == field


def test_csv_any_column_order() -> None:
    text = "Duration,ALBUM,artist,Title\n3:41,Alb,王贰浪,像鱼 (伴奏)\n"
    (entry,) = parse_table(text, "s.csv")
    assert entry.lineno == 2
    assert entry.text == "像鱼 (伴奏) - 王贰浪"
    assert entry.title == "像鱼 (伴奏)"
    assert entry.artists == ("王贰浪",)
    assert entry.album == "Alb"
    assert entry.duration == 221.0
    assert entry.error is None


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiter_sniffed(delimiter: str) -> None:
    header = delimiter.join(["歌名", "歌手", "时长"])
    row = delimiter.join(["千鱼", "王贰浪, 某人", "221"])
    if delimiter == ",":
        row = '千鱼,"王贰浪, 某人",221'
    (entry,) = parse_table(f"{header}\n{row}\n", "s.csv")
    assert entry.title == "千鱼"
    assert entry.artists == ("王贰浪, 某人",)
    assert entry.duration == 221.0


def test_pick_delimiter_prefers_known_names() -> None:
    # A comma inside a name must not make the comma the delimiter.
    assert pick_delimiter("title;artist;notes, free text") == ";"


def test_excel_separator_line() -> None:
    entries = parse_table("sep=;\ntitle;artist\nA;B\n", "s.csv")
    assert [e.text for e in entries] == ["A - B"]


def test_bad_rows_only_that_row() -> None:
    text = (
        "title,artist,duration\n"
        "Good,A,3:41\n"
        ",B,1:00\n"
        "Late,C,3:99\n"
        "Slow,D,abc\n"
        "\n"
        ",,\n"
        "Also good,E,\n"
    )
    entries = parse_table(text, "s.csv")
    assert [e.lineno for e in entries] == [2, 3, 4, 5, 8]
    good, untitled, late, slow, also = entries
    assert good.error is None
    assert untitled.error is not None
    assert "the title is empty" in untitled.error.reason
    assert untitled.text == ",B,1:00"
    assert late.error is not None
    assert "invalid duration '3:99' in the duration field" in late.error.reason
    assert slow.error is not None
    assert "'abc'" in slow.error.reason
    assert also.error is None
    assert also.duration is None


def test_quoted_cell_spans_lines() -> None:
    text = 'title,artist\n"two\nlines",A\nNext,B\n'
    first, second = parse_table(text, "s.csv")
    assert first.lineno == 2
    assert second.lineno == 4
    assert second.text == "Next - B"


def test_short_rows_and_extra_columns() -> None:
    text = "title,artist,popularity,album\nOnly title\nT,A,99,Alb,extra\n"
    first, second = parse_table(text, "s.csv")
    assert first.text == "Only title"
    assert first.artists == ()
    assert second.album == "Alb"


def test_duration_ms_column() -> None:
    text = "Track Name,Artist Name(s),Track Duration (ms)\nA,B,221000\nC,D,x\n"
    good, bad = parse_table(text, "export.csv")
    assert good.duration == 221.0
    assert bad.error is not None
    assert "in milliseconds" in bad.error.reason


def test_missing_title_column() -> None:
    with pytest.raises(ListFileError) as caught:
        parse_table("artist,album\nA,B\n", "s.csv")
    message = str(caught.value)
    assert "'artist,album' names no title column" in message
    assert "--format lines" in message


def test_forced_tab_delimiter() -> None:
    # With a tab forced, the commas stay inside the cells.
    (entry,) = parse_table("title\tartist\nA, B\tC\n", "s.tsv", "\t")
    assert entry.title == "A, B"


def test_read_csv_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "songs.csv"
    data = "title,artist,duration\r\n千鱼,王贰浪,3:41\r\n".encode()
    path.write_bytes(b"\xef\xbb\xbf" + data)
    songs = read_list(path)
    assert songs.encoding == "UTF-8 with BOM"
    assert songs.list_format == "csv"
    assert [(e.text, e.duration) for e in songs.lines] == [("千鱼 - 王贰浪", 221.0)]


def test_read_tsv_gbk(tmp_path: Path) -> None:
    path = tmp_path / "songs.tsv"
    path.write_bytes("歌名\t歌手\t专辑\n像鱼\t王贰浪\t专辑一\n".encode("gbk"))
    songs = read_list(path)
    assert songs.list_format == "tsv"
    assert songs.lines[0].album == "专辑一"


def test_long_album_cut(tmp_path: Path) -> None:
    (entry,) = parse_table(f"title,album\nA,{'x' * 600}\n", "s.csv")
    assert entry.album == "x" * 512
