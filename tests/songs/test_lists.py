from __future__ import annotations

import subprocess
import sys
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
)
from bilimq.songs.names import parse_name

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
    assert any("as UTF-8: 1 song line(s)" in line for line in info_lines)


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
    path = write(tmp_path, b"abc\n\xff\xfe\xfd")
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
    for name in (
        f"{LIBERTUS}.MP3",
        f"{FISH}.flac",
        "T.N.T. - AC_DC.opus",
        "cover.jpg",
        "notes.txt",
        ".DS_Store",
        "._像鱼.mp3",
    ):
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
