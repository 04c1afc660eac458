"""Read list files: one song name per line, `#` comments, any common encoding.

Lists come from Notepad, PowerShell and shells, so the bytes are decoded without
the locale default. The order is UTF-8 (with or without a BOM), UTF-16 with a
BOM, then GB18030. GB18030 is a superset of GBK and GB2312, so it also reads the
"ANSI" files of Chinese Windows.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from bilimq.errors import BilimqError

STDIN = "-"


class ListFileError(BilimqError):
    """A list file cannot be read or decoded."""


@dataclass(frozen=True)
class ListLine:
    """One song line of a list file."""

    lineno: int
    """1-based line number in the file, counting blank and comment lines."""
    text: str
    """The line without its line ending and surrounding spaces."""


def read_list(path_or_dash: str | Path) -> list[ListLine]:
    """Read the song lines of a list file, or of standard input for `-`.

    Blank lines and lines whose first non-space character is `#` are skipped.
    Raise ListFileError when the file cannot be read or decoded.
    """
    name = str(path_or_dash)
    data = _read_bytes(path_or_dash)
    text = decode_list(data, name)
    return _song_lines(text)


def decode_list(data: bytes, name: str) -> str:
    """Decode list bytes as UTF-8, UTF-16 with a BOM, or GB18030.

    Raise ListFileError naming `name` and the byte offset when no encoding fits,
    or when the text contains a NUL character (UTF-16 without a BOM looks so).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_utf16(data, name)
        _reject_nul(text, name, _utf16_offset(text, data))
        encoding = "UTF-16"
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as utf8_error:
            text = _decode_gb18030(data, name, utf8_error)
            encoding = "GB18030"
        else:
            encoding = "UTF-8 with BOM" if data[:3] == codecs.BOM_UTF8 else "UTF-8"
        # UTF-8 and GB18030 encode NUL as the single byte 0x00.
        _reject_nul(text, name, lambda _: data.find(b"\x00"))
    logger.debug("decoded list file {} as {}", name, encoding)
    return text


def _read_bytes(path_or_dash: str | Path) -> bytes:
    if str(path_or_dash) == STDIN:
        return sys.stdin.buffer.read()
    path = Path(path_or_dash)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ListFileError(
            f"list file {str(path)!r} not found; check the path, or pass - to read "
            "names from standard input"
        ) from None
    except IsADirectoryError:
        raise ListFileError(
            f"list file {str(path)!r} is a folder; pass a text file with one song "
            "name per line"
        ) from None
    except OSError as exc:
        raise ListFileError(
            f"cannot read list file {str(path)!r}: {exc.strerror}"
        ) from exc


def _decode_utf16(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise ListFileError(
            f"list file {name!r} starts with a UTF-16 byte order mark but has "
            f"invalid UTF-16 at byte {exc.start + 2}; re-save it as UTF-8"
        ) from None


def _utf16_offset(text: str, data: bytes) -> Callable[[int], int]:
    codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    return lambda index: 2 + len(text[:index].encode(codec))


def _decode_gb18030(data: bytes, name: str, utf8_error: UnicodeDecodeError) -> str:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ListFileError(
            f"list file {name!r} is neither UTF-8 (invalid byte at offset "
            f"{utf8_error.start}) nor GB18030 (invalid byte at offset {exc.start}); "
            "re-save it as UTF-8"
        ) from None


def _reject_nul(text: str, name: str, byte_offset: Callable[[int], int]) -> None:
    index = text.find("\x00")
    if index < 0:
        return
    raise ListFileError(
        f"list file {name!r} contains a NUL character at byte {byte_offset(index)}, "
        "so it is probably UTF-16 without a byte order mark; re-save it as UTF-8"
    )


def _song_lines(text: str) -> list[ListLine]:
    lines: list[ListLine] = []
    # Split on "\n" only: str.splitlines() would also split on form feeds and
    # U+2028, which are not line ends in a list file.
    for lineno, raw in enumerate(text.split("\n"), start=1):
        # A BOM can also start a later line when lists were concatenated.
        line = raw.rstrip("\r").strip().lstrip("\ufeff").strip()
        if line and not line.startswith("#"):
            lines.append(ListLine(lineno, line))
    return lines
