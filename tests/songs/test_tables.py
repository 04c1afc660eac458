from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bilimq.songs.csv_rows import MAX_ROW_LINES
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
    assert bad.error.reason == (
        "invalid duration 'x' in the duration (ms) field: it is not a number; "
        "write the length in milliseconds, such as 221000 for 3:41"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("233.7", "233.7 is under 1000, so it is not milliseconds"),
        ("999", "999 is under 1000, so it is not milliseconds"),
        ("1e3", "0:01 is shorter than 5 seconds"),
        ("0", "a song length must be more than zero"),
        ("-5", "a song length must be more than zero"),
        ("60000000", "16:40:00 is longer than 3 hours"),
    ],
)
def test_duration_ms_implausible(value: str, problem: str) -> None:
    (entry,) = parse_table(f"title,duration_ms\nA,{value}\n", "s.csv")
    assert entry.error is not None
    reason = entry.error.reason
    assert problem in reason
    # One fix only: the milliseconds advice, not also the m:ss forms.
    assert reason.count("; ") == 1
    assert "m:ss (3:41)" not in reason


def test_missing_title_column_long_header_cut() -> None:
    header = ",".join(f"column{i}" for i in range(60))
    with pytest.raises(ListFileError) as caught:
        parse_table(f"{header}\nA\n", "s.csv")
    message = str(caught.value)
    assert "…' names no title column" in message
    assert header not in message


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


# -- broken quotes and huge cells ----------------------------------------------


def test_unclosed_quote_rejects_one_row() -> None:
    rows = "".join(f"Song{n},Art{n},3:00\n" for n in range(1, 21))
    text = f'title,artist,duration\nA,B,1:00\n"Unclosed,C,2:00\n{rows}'
    entries = parse_table(text, "s.csv")
    assert len(entries) == 22
    first, broken, *rest = entries
    assert first.text == "A - B"
    assert broken.lineno == 3
    assert broken.text == '"Unclosed,C,2:00'
    assert broken.error is not None
    assert "the quote that opens on line 3 is never closed" in broken.error.reason
    assert [e.text for e in rest] == [f"Song{n} - Art{n}" for n in range(1, 21)]
    assert [e.lineno for e in rest] == list(range(4, 24))
    assert all(e.error is None for e in rest)


def test_quote_closed_far_below_rejects_one_row() -> None:
    rows = "".join(f"Song{n},Art{n}\n" for n in range(1, 8))
    text = f'title,artist\n"Oops,X\n{rows}12" Mix,New Order\nLast,Y\n'
    entries = parse_table(text, "s.csv")
    broken = entries[0]
    assert broken.lineno == 2
    assert broken.error is not None
    assert "opens on line 2 closes only on line 10" in broken.error.reason
    assert [e.text for e in entries[1:]] == [
        *(f"Song{n} - Art{n}" for n in range(1, 8)),
        '12" Mix - New Order',
        "Last - Y",
    ]


def test_quote_open_past_row_limit() -> None:
    rows = "".join(f"Song {n},Artist {n},\n" for n in range(1, 8001))
    text = f'title,artist,notes\nA,B,"never closed\n{rows}'
    entries = parse_table(text, "big.csv")
    assert len(entries) == 8001
    broken = entries[0]
    assert broken.error is not None
    assert f"not closed within {MAX_ROW_LINES} lines" in broken.error.reason
    assert entries[-1].text == "Song 8000 - Artist 8000"
    assert all(entry.error is None for entry in entries[1:])


def test_multiline_notes_cell_kept() -> None:
    notes = "\n".join(f"lyric line {n}" for n in range(20))
    text = f'title,artist,notes\nA,B,"{notes}"\nC,D,\n'
    first, second = parse_table(text, "s.csv")
    assert (first.lineno, first.text, first.error) == (2, "A - B", None)
    assert (second.lineno, second.text) == (22, "C - D")


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_cell_over_field_limit(quoted: bool) -> None:
    huge = "A" * (csv.field_size_limit() + 10)
    cell = f'"{huge}"' if quoted else huge
    text = f"title,artist\n{cell},X\nok,Y\n"
    broken, good = parse_table(text, "huge.csv")
    assert broken.error is not None
    assert "a cell is longer than" in broken.error.reason
    assert len(broken.error.reason) < 300
    assert len(str(broken.error)) < 300
    assert (good.lineno, good.text) == (3, "ok - Y")


def test_extra_cells_warned() -> None:
    text = "title,artist\nA,B,extra,more\nC,D,,\nE,F\n"
    extra, trailing, plain = parse_table(text, "s.csv")
    assert extra.text == "A - B"
    assert extra.warnings == (
        "the row has 4 cells but the header names 2 columns, so the extra cells "
        "('extra', 'more') are ignored; quote a cell that contains the delimiter",
    )
    # Empty trailing cells, as Excel writes them, are no problem.
    assert trailing.warnings == ()
    assert plain.warnings == ()


# -- header names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row", "title"),
    [
        ("Track,Title,Artist,Duration", "1,千鱼,王贰浪,3:41", "千鱼"),
        ("Title,Track,Artist", "千鱼,1,王贰浪", "千鱼"),
        ("#,Track,Artist,Album,Length", "1,千鱼,王贰浪,千鱼,3:41", "千鱼"),
        ("Track,Name,Artist", "1,千鱼,王贰浪", "千鱼"),
        ("Name,Title,Artist", "x,千鱼,王贰浪", "千鱼"),
        ("歌曲,歌名,歌手", "x,千鱼,王贰浪", "千鱼"),
    ],
)
def test_exact_title_column_wins(header: str, row: str, title: str) -> None:
    (entry,) = parse_table(f"{header}\n{row}\n", "s.csv")
    assert entry.title == title
    assert entry.artists == ("王贰浪",)


def test_exact_duration_column_wins() -> None:
    text = "title,time,duration\nA,2023-05-01,3:41\n"
    (entry,) = parse_table(text, "s.csv")
    assert entry.duration == 221.0


def test_date_column_ignored_with_warning() -> None:
    text = (
        "歌曲名,歌手,专辑,时间\n"
        "千鱼,王贰浪,千鱼,2023-05-01\n"
        "像鱼,王贰浪,,2023-05-02 10:11\n"
    )
    warnings: list[str] = []
    first, second = parse_table(text, "netease.csv", None, warnings)
    assert (first.text, first.error, first.duration) == ("千鱼 - 王贰浪", None, None)
    assert (second.text, second.error) == ("像鱼 - 王贰浪", None)
    (warning,) = warnings
    assert warning.startswith("netease.csv: the column '时间' contains no song lengths")
    assert "'2023-05-01'" in warning


def test_time_column_with_lengths_read() -> None:
    warnings: list[str] = []
    text = "title,time\nA,3:41\nB,4:05\nC,oops\n"
    a, b, c = parse_table(text, "s.csv", None, warnings)
    assert (a.duration, b.duration) == (221.0, 245.0)
    assert c.error is not None
    assert warnings == []


# -- delimiters ----------------------------------------------------------------


def test_excel_tab_separator_line() -> None:
    (entry,) = parse_table("sep=\t\ntitle\tartist\nA, B\tC\n", "s.csv")
    assert entry.lineno == 3
    assert entry.title == "A, B"
    assert entry.artists == ("C",)


def test_tsv_with_commas_hints_csv() -> None:
    with pytest.raises(ListFileError) as caught:
        parse_table("title,artist\nA,B\n", "songs.tsv", "\t")
    message = str(caught.value)
    assert "names no title column" in message
    assert "the header has no tabs but is split by a comma, so pass --format csv" in (
        message
    )
