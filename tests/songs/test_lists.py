from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from loguru import logger

from bilimq.songs.lists import (
    ListFileError,
    ListLine,
    SongList,
    read_folder,
    read_list,
    read_songs,
    song_line,
    split_inline_duration,
)
from bilimq.songs.names import parse_name
from tests.songs.tones import make_corrupt, make_tone

ROOT = Path(__file__).resolve().parents[2]
FISH = "像鱼 (伴奏) - 王贰浪"
LIBERTUS = "Libertus - Chen-U_EG"


@pytest.fixture
def info_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(str(message)), level="INFO")
    yield lines
    logger.remove(sink)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "songs.txt"
    path.write_bytes(data)
    return path


def test_read_utf8_bom_crlf(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + f"{FISH}\r\n{LIBERTUS}\r\n".encode()
    songs = read_list(write(tmp_path, data))
    assert songs.lines == [ListLine(1, FISH), ListLine(2, LIBERTUS)]
    assert songs.encoding == "UTF-8 with BOM"
    assert parse_name(songs.lines[0].text) == parse_name(FISH)


def test_read_utf8_plain(tmp_path: Path, info_lines: list[str]) -> None:
    songs = read_list(write(tmp_path, f"{FISH}\n".encode()))
    assert songs.lines == [ListLine(1, FISH)]
    assert songs.encoding == "UTF-8"
    assert any("as UTF-8: 1 song(s), format lines" in line for line in info_lines)


def test_read_utf16le_bom_powershell(tmp_path: Path, info_lines: list[str]) -> None:
    # What `Get-ChildItem -Name > songs.txt` writes in Windows PowerShell 5.
    text = f"{FISH}.mp3\r\n{LIBERTUS}.flac\r\n"
    songs = read_list(write(tmp_path, b"\xff\xfe" + text.encode("utf-16-le")))
    assert songs.lines == [ListLine(1, f"{FISH}.mp3"), ListLine(2, f"{LIBERTUS}.flac")]
    assert songs.encoding == "UTF-16"
    assert any("as UTF-16:" in line for line in info_lines)


def test_read_utf16be_bom(tmp_path: Path) -> None:
    data = b"\xfe\xff" + f"{FISH}\n".encode("utf-16-be")
    assert read_list(write(tmp_path, data)).lines == [ListLine(1, FISH)]


def test_read_gbk(tmp_path: Path, info_lines: list[str]) -> None:
    data = f"{FISH}\r\n病名为爱 (国语) - 祖娅纳惜\r\n".encode("gbk")
    songs = read_list(write(tmp_path, data))
    assert songs.lines == [ListLine(1, FISH), ListLine(2, "病名为爱 (国语) - 祖娅纳惜")]
    assert songs.encoding == "GB18030"
    assert any("as GB18030:" in line for line in info_lines)


def test_read_gb18030_only_character(tmp_path: Path) -> None:
    # GB18030 encodes 𠮷, which GBK lacks, in four bytes.
    data = "𠮷野家 - 歌手\n".encode("gb18030")
    assert read_list(write(tmp_path, data)).lines == [ListLine(1, "𠮷野家 - 歌手")]


def test_read_skips_blank_and_comments(tmp_path: Path) -> None:
    data = f"# my list\n\n  \n{FISH}\n  # indented comment\r\n#\n##\n{LIBERTUS}"
    songs = read_list(write(tmp_path, data.encode()))
    assert songs.lines == [ListLine(4, FISH), ListLine(8, LIBERTUS)]


def test_read_hash_song_kept(tmp_path: Path) -> None:
    data = "#1 Crush - Garbage\n#SELFIE - The Chainsmokers\n# a comment\n"
    songs = read_list(write(tmp_path, data.encode()))
    assert [line.text for line in songs.lines] == [
        "#1 Crush - Garbage",
        "#SELFIE - The Chainsmokers",
    ]


@pytest.mark.parametrize(
    "data",
    [f"{FISH}\r\r\n{LIBERTUS}", f"{FISH}\r{LIBERTUS}\r", f"{FISH}\n\r{LIBERTUS}\r\n"],
)
def test_read_no_carriage_return(tmp_path: Path, data: str) -> None:
    songs = read_list(write(tmp_path, data.encode()))
    assert [line.text for line in songs.lines] == [FISH, LIBERTUS]
    assert not any("\r" in line.text for line in songs.lines)


def test_read_cr_only_line_numbers(tmp_path: Path) -> None:
    songs = read_list(write(tmp_path, f"# list\r{FISH}\r\r{LIBERTUS}\r".encode()))
    assert [line.lineno for line in songs.lines] == [2, 4]


def test_read_bom_inside_concatenated(tmp_path: Path) -> None:
    data = f"{FISH}\n".encode() + b"\xef\xbb\xbf" + f"{LIBERTUS}\n".encode()
    songs = read_list(write(tmp_path, data))
    assert [line.text for line in songs.lines] == [FISH, LIBERTUS]


def test_read_order_directive(tmp_path: Path) -> None:
    data = (
        "# order: artist-title\n王贰浪 - 像鱼\n# ORDER = Title-Artist\n像鱼 - 王贰浪\n"
    )
    songs = read_list(write(tmp_path, data.encode()))
    assert [line.order for line in songs.lines] == ["artist-title", "title-artist"]


def test_read_no_directive_no_order(tmp_path: Path) -> None:
    data = f"# order of play: favourites first\n{FISH}\n"
    songs = read_list(write(tmp_path, data.encode()))
    assert songs.lines == [ListLine(2, FISH, order=None)]


def test_read_directive_unknown_order(tmp_path: Path) -> None:
    path = write(tmp_path, f"{FISH}\n# order: artist-first\n".encode())
    with pytest.raises(ListFileError) as caught:
        read_list(path)
    message = str(caught.value)
    assert f"{path}:2" in message
    assert "artist-first" in message
    assert "# order: artist-title" in message


def test_read_undecodable_names_offset(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252 and starts a two-byte character in the
    # CJK code pages, so no encoding fits.
    path = write(tmp_path, b"abc\n\x81")
    with pytest.raises(ListFileError) as caught:
        read_list(path)
    message = str(caught.value)
    assert str(path) in message
    assert "byte offset 4 (line 2)" in message
    assert "re-save it as UTF-8" in message


def test_read_damaged_utf8_rejected(tmp_path: Path) -> None:
    # With one byte damaged, this UTF-8 text decodes as GB18030 mojibake
    # ('鍍忛奔 -＄帇…'), which must not be queued.
    good = "像鱼 - 王贰浪\n病名 - 祖娅\n".encode()
    data = good[:8] + b"\xa1" + good[9:]
    assert data.decode("gb18030")
    path = write(tmp_path, data)
    with pytest.raises(ListFileError) as caught:
        read_list(path)
    message = str(caught.value)
    assert "is UTF-8 with an invalid byte at byte offset 8 (line 1)" in message


def test_read_utf16_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "Song - A\n".encode("utf-16-le"))
    with pytest.raises(ListFileError, match="NUL character at byte 1"):
        read_list(path)


def test_read_utf16_with_nul(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xff\xfe" + "Song\x00 - A\n".encode("utf-16-le"))
    with pytest.raises(ListFileError, match="NUL character at byte 10"):
        read_list(path)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="not found"):
        read_list(tmp_path / "missing.txt")


def test_read_list_on_folder(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="is a folder"):
        read_list(tmp_path)


def test_read_stdin_dash() -> None:
    script = (
        "from bilimq.songs.lists import read_list\n"
        "for line in read_list('-').lines:\n"
        "    print(line.lineno, ascii(line.text))\n"
    )
    data = b"\xef\xbb\xbf" + f"{FISH}\r\n\r\n{LIBERTUS}\r\n".encode()
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=data,
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    lines = result.stdout.decode("ascii").splitlines()
    assert lines == [f"1 {ascii(FISH)}", f"3 {ascii(LIBERTUS)}"]


def make_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    folder.mkdir()
    for name in (f"{LIBERTUS}.MP3", f"{FISH}.flac", "T.N.T. - AC_DC.opus"):
        make_tone(folder / name, 0.5)
    for name in ("cover.jpg", "notes.txt", ".DS_Store", "._像鱼.mp3"):
        (folder / name).write_bytes(b"")
    (folder / "subfolder.mp3").mkdir()
    return folder


def test_folder_reads_audio_stems(tmp_path: Path) -> None:
    songs = read_folder(make_folder(tmp_path))
    assert [line.text for line in songs.lines] == [LIBERTUS, "T.N.T. - AC_DC", FISH]
    assert [line.lineno for line in songs.lines] == [1, 2, 3]
    assert songs.encoding is None


def test_folder_counts_other_files(tmp_path: Path) -> None:
    songs = read_folder(make_folder(tmp_path))
    assert songs.skipped_files == [".DS_Store", "._像鱼.mp3", "cover.jpg", "notes.txt"]


def test_folder_where_names_file(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    songs = read_folder(folder)
    assert songs.where(songs.lines[0]) == str(folder / f"{LIBERTUS}.MP3")


def test_folder_missing(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="cannot read folder"):
        read_folder(tmp_path / "missing")


def test_read_songs_dispatch(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    path = write(tmp_path, f"{FISH}\n".encode())
    assert read_songs(folder).skipped_files
    assert read_songs(path).lines == [ListLine(1, FISH)]


def test_where_file_and_stdin() -> None:
    line = ListLine(3, FISH)
    assert SongList("songs.txt", [line]).where(line) == "songs.txt:3"
    assert SongList("-", [line]).where(line) == "stdin:3"


# -- inline durations ----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "field"),
    [
        ("千鱼 - 王贰浪 | 3:41", "千鱼 - 王贰浪", "3:41"),
        ("千鱼 - 王贰浪 |221", "千鱼 - 王贰浪", "221"),
        ("千鱼 - 王贰浪\t| 1:02:03", "千鱼 - 王贰浪", "1:02:03"),
        ("A | B - C", "A | B - C", None),
        ("T - A | B C", "T - A | B C", None),
        ("T - A|3:41", "T - A|3:41", None),
        ("T - A | B |", "T - A | B", ""),
        ("no bar - here", "no bar - here", None),
    ],
)
def test_split_inline_duration(line: str, name: str, field: str | None) -> None:
    assert split_inline_duration(line) == (name, field)


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("千鱼 - 王贰浪 | 3:41", 221.0),
        ("千鱼 - 王贰浪 | 221", 221.0),
        ("x | 1:02:03", 3723.0),
    ],
)
def test_song_line_duration(line: str, seconds: float) -> None:
    entry = song_line(4, line)
    assert entry.text == line.rpartition(" |")[0]
    assert entry.duration == seconds
    assert entry.error is None


@pytest.mark.parametrize("field", ["3:99", "abc", "3:5"])
def test_song_line_bad_duration(field: str) -> None:
    line = f"千鱼 - 王贰浪 | {field}"
    entry = song_line(7, line)
    assert entry.error is not None
    assert entry.text == line
    assert entry.duration is None
    reason = entry.error.reason
    assert f"invalid duration {field!r} after ' | '" in reason
    assert "m:ss (3:41)" in reason
    assert f"end the line with ' |' if '| {field}' is part of the song name" in reason


@pytest.mark.parametrize(
    ("field", "fix"),
    [
        ("2008", "(33:28 if the song really is that long)"),
        ("3.41", "write 3:41 if the song is 3:41 long"),
        ("233712", "divide it by 1000"),
        ("0", "leave it empty when the length is unknown"),
    ],
)
def test_song_line_implausible_duration(field: str, fix: str) -> None:
    entry = song_line(1, f"千鱼 - 王贰浪 | {field}")
    assert entry.error is not None
    assert entry.error.reason.endswith(fix)


@pytest.mark.parametrize(
    ("line", "text", "has_error"),
    [
        ("A - B | Live", "A - B | Live", False),
        ("A - B | Live |", "A - B | Live", False),
        ("A - B | 3:41", "A - B", False),
        ("A - B | 3:99", "A - B | 3:99", True),
    ],
)
def test_song_line_duration_given(line: str, text: str, has_error: bool) -> None:
    # With a length given apart, a final `| word` is a length only when it is
    # written like one.
    entry = song_line(1, line, duration_given=True)
    assert entry.text == text
    assert (entry.error is not None) is has_error


def test_song_line_word_rejected_without_duration() -> None:
    entry = song_line(1, "A - B | Live")
    assert entry.error is not None
    assert "end the line with ' |'" in entry.error.reason


def test_read_list_inline_durations(tmp_path: Path) -> None:
    data = f"{FISH} | 3:41\n# order: artist-title\n王贰浪 - 千鱼 | 4:05\nA - B | 3:99\n"
    songs = read_list(write(tmp_path, data.encode()))
    good, ordered, bad = songs.lines
    assert (good.lineno, good.text, good.duration) == (1, FISH, 221.0)
    assert (ordered.text, ordered.order, ordered.duration) == (
        "王贰浪 - 千鱼",
        "artist-title",
        245.0,
    )
    assert bad.lineno == 4
    assert bad.error is not None


def test_bar_without_duration_kept(tmp_path: Path) -> None:
    songs = read_list(write(tmp_path, b"A | B - C\nT - A | B |\n"))
    assert [line.text for line in songs.lines] == ["A | B - C", "T - A | B"]
    assert [line.duration for line in songs.lines] == [None, None]


# -- formats -------------------------------------------------------------------


def test_forced_format_lines(tmp_path: Path) -> None:
    path = tmp_path / "songs.csv"
    path.write_text("title,artist\nA,B\n", encoding="utf-8")
    songs = read_list(path, "lines")
    assert songs.list_format == "lines"
    assert [line.text for line in songs.lines] == ["title,artist", "A,B"]


def test_forced_format_csv_on_txt(tmp_path: Path) -> None:
    path = write(tmp_path, b"name;singer\nA;B\n")
    songs = read_list(path, "csv")
    assert songs.list_format == "csv"
    assert [line.text for line in songs.lines] == ["A - B"]


def test_forced_format_on_folder(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="is a folder, so --format m3u"):
        read_songs(tmp_path, "m3u")


def test_forced_encoding_on_folder(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="is a folder, so --encoding big5"):
        read_songs(tmp_path, encoding="big5")


def test_read_list_encoding_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "後來 - 劉若英 | 5:40\n".encode("big5"))
    songs = read_list(path)
    assert songs.encoding == "Big5"
    assert songs.lines == [ListLine(1, "後來 - 劉若英", duration=340.0)]
    (warning,) = songs.warnings
    assert warning.startswith(f"{path} is not UTF-8; read it as Big5")


def test_read_list_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "Naïve - Björk\n".encode("cp1252"))
    songs = read_list(path, encoding="latin-1")
    assert songs.lines == [ListLine(1, "Naïve - Björk")]
    assert songs.warnings == []


def workbook_bytes() -> bytes:
    """Return a minimal .xlsx file: a zip archive holding xl/ parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["list.xlsx", "list.csv", "list.txt"])
def test_workbook_rejected(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(workbook_bytes())
    with pytest.raises(ListFileError) as caught:
        read_list(path)
    message = str(caught.value)
    assert "is a spreadsheet workbook, not a text list" in message
    assert "Excel workbooks are not read; save it as CSV UTF-8" in message


def test_old_xls_rejected(tmp_path: Path) -> None:
    path = tmp_path / "list.dat"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 100)
    with pytest.raises(ListFileError, match="Excel workbooks are not read"):
        read_list(path)


def test_zip_archive_rejected(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("songs.txt", "A - B\n")
    path = tmp_path / "songs.zip"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ListFileError, match="is a zip archive, not a text list"):
        read_list(path)


# -- folders of audio files ----------------------------------------------------


def test_folder_durations_and_tags(tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    make_tone(folder / f"{FISH}.mp3", 6.5, album="Fish")
    make_tone(folder / "track03.m4a", 7, title="Ghost (Remix)", artist="Au_Ra")
    make_tone(folder / "a - b - c.flac", 5.5, title="Real", artist="X")
    make_tone(folder / "Plain - Stem.ogg", 6, title="Tagged", artist="Tag")
    songs = read_folder(folder)
    by_file = {line.file_name: line for line in songs.lines}
    fish = by_file[f"{FISH}.mp3"]
    assert (fish.text, fish.album, fish.title) == (FISH, "Fish", None)
    assert fish.duration == pytest.approx(6.5, abs=0.1)
    assert fish.warnings == ()
    ghost = by_file["track03.m4a"]
    assert (ghost.text, ghost.title, ghost.artists) == (
        "Ghost (Remix) - Au_Ra",
        "Ghost (Remix)",
        ("Au_Ra",),
    )
    assert ghost.duration == pytest.approx(7, abs=0.1)
    assert ghost.warnings == ()
    assert by_file["a - b - c.flac"].text == "Real - X"
    # Tags with a title and an artist name the song, even over a good name.
    tagged = by_file["Plain - Stem.ogg"]
    assert tagged.text == "Tagged - Tag"
    (warning,) = tagged.warnings
    assert "the file name 'Plain - Stem' differs from its tags" in warning


def test_folder_unusable_files_reported(tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    make_corrupt(folder / "Broken - Song.mp3")
    make_tone(folder / "01.flac", 1)
    make_tone(folder / "a - b - c.ogg", 1)
    make_tone(folder / f"{FISH}.opus", 1)
    songs = read_folder(folder)
    by_file = {line.file_name: line for line in songs.lines}
    broken = by_file["Broken - Song.mp3"].error
    assert broken is not None
    assert "mutagen cannot read it" in broken.reason
    assert "replace it or move it out of the folder" in broken.reason
    numbered = by_file["01.flac"].error
    assert numbered is not None
    assert "rename it 'Title - Artist.flac' or tag it" in numbered.reason
    # A stem that does not parse and has no tags is left for the parser to reject.
    assert by_file["a - b - c.ogg"].error is None
    assert by_file[f"{FISH}.opus"].error is None
