from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from loguru import logger

from bilimq.songs.lists import ListFileError, ListLine, read_list
from bilimq.songs.names import parse_name

ROOT = Path(__file__).resolve().parents[2]
FISH = "像鱼 (伴奏) - 王贰浪"
LIBERTUS = "Libertus - Chen-U_EG"


@pytest.fixture
def debug_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(str(message)), level="DEBUG")
    yield lines
    logger.remove(sink)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "songs.txt"
    path.write_bytes(data)
    return path


def test_read_utf8_bom_crlf(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + f"{FISH}\r\n{LIBERTUS}\r\n".encode()
    lines = read_list(write(tmp_path, data))
    assert lines == [ListLine(1, FISH), ListLine(2, LIBERTUS)]
    assert parse_name(lines[0].text) == parse_name(FISH)


def test_read_utf8_plain(tmp_path: Path, debug_lines: list[str]) -> None:
    lines = read_list(write(tmp_path, f"{FISH}\n".encode()))
    assert lines == [ListLine(1, FISH)]
    assert any("as UTF-8" in line for line in debug_lines)


def test_read_utf16le_bom(tmp_path: Path, debug_lines: list[str]) -> None:
    data = b"\xff\xfe" + f"{FISH}\r\n{LIBERTUS}\r\n".encode("utf-16-le")
    lines = read_list(write(tmp_path, data))
    assert lines == [ListLine(1, FISH), ListLine(2, LIBERTUS)]
    assert any("as UTF-16" in line for line in debug_lines)


def test_read_utf16be_bom(tmp_path: Path) -> None:
    data = b"\xfe\xff" + f"{FISH}\n".encode("utf-16-be")
    assert read_list(write(tmp_path, data)) == [ListLine(1, FISH)]


def test_read_gbk(tmp_path: Path, debug_lines: list[str]) -> None:
    data = f"{FISH}\r\n病名为爱 (国语) - 祖娅纳惜\r\n".encode("gbk")
    lines = read_list(write(tmp_path, data))
    assert lines == [ListLine(1, FISH), ListLine(2, "病名为爱 (国语) - 祖娅纳惜")]
    assert any("as GB18030" in line for line in debug_lines)


def test_read_skips_blank_and_comments(tmp_path: Path) -> None:
    data = f"# my list\n\n  \n{FISH}\n  # indented comment\r\n{LIBERTUS}".encode()
    lines = read_list(write(tmp_path, data))
    assert lines == [ListLine(4, FISH), ListLine(6, LIBERTUS)]


def test_read_no_carriage_return(tmp_path: Path) -> None:
    lines = read_list(write(tmp_path, f"{FISH}\r\r\n".encode()))
    assert lines == [ListLine(1, FISH)]


def test_read_undecodable_names_offset(tmp_path: Path) -> None:
    path = write(tmp_path, b"abc\n\xff\xfe\xfd")
    with pytest.raises(ListFileError) as caught:
        read_list(path)
    message = str(caught.value)
    assert str(path) in message
    assert "offset 4" in message
    assert "re-save it as UTF-8" in message


def test_read_utf16_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "Song - A\n".encode("utf-16-le"))
    with pytest.raises(ListFileError, match="NUL character at byte 1"):
        read_list(path)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="not found"):
        read_list(tmp_path / "missing.txt")


def test_read_folder(tmp_path: Path) -> None:
    with pytest.raises(ListFileError, match="is a folder"):
        read_list(tmp_path)


def test_read_stdin_dash() -> None:
    script = (
        "from bilimq.songs.lists import read_list\n"
        "for line in read_list('-'):\n"
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
