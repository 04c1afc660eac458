from __future__ import annotations

import codecs

import pytest

from bilimq.songs.encodings import decode_list
from bilimq.songs.entries import ListFileError

# Song lists as users save them from Windows in their "ANSI" code page.
SAMPLES = [
    (
        "GB18030",
        "gbk",
        "千鱼 - 王贰浪 | 3:41\r\n像鱼 - 王贰浪\r\n后来 - 刘若英 | 5:40\r\n",
    ),
    ("GB18030", "gbk", "病名为爱 (国语) - 祖娅纳惜\n"),
    ("GB18030", "gbk", "演员 - 薛之谦\n"),
    ("Big5", "cp950", "後來 - 劉若英 | 5:40\n"),
    ("Big5", "cp950", "說散就散 - 袁婭維\n"),
    ("Big5", "cp950", "不能說的秘密 - 周杰倫\n修煉愛情 - 林俊傑\n"),
    ("Shift-JIS", "cp932", "千本桜 - 初音ミク | 4:05\n"),
    ("Shift-JIS", "cp932", "夜に駆ける - YOASOBI\nレモン - 米津玄師\n"),
    ("Shift-JIS", "cp932", "虹 - 菅田将暉\n"),
    ("Windows-1252", "cp1252", "Naïve - Björk\n"),
    ("Windows-1252", "cp1252", "Café del Mar - Énergie | 3:00\n"),
    ("Windows-1252", "cp1252", "Don’t Stop – Fleetwood Mac | 3:13\n"),
    ("Windows-1252", "cp1252", "Ça plane pour moi - Plastic Bertrand\n"),
    ("Windows-1252", "cp1252", "L’amour toujours - Gigi D’Agostino\n"),
    ("Windows-1252", "cp1252", "#EXTINF:215,The Kooks - Naïve\r\nC:\\x.mp3\r\n"),
]


@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES)
def test_code_page_guessed(label: str, codec: str, text: str) -> None:
    decoded = decode_list(text.encode(codec), "songs.txt")
    assert decoded.text == text
    assert decoded.encoding == label
    assert decoded.warning is not None
    assert decoded.warning.startswith(f"songs.txt is not UTF-8; read it as {label}")
    assert "--encoding" in decoded.warning


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("千鱼 - 王贰浪\n".encode(), "UTF-8"),
        (codecs.BOM_UTF8 + "千鱼 - 王贰浪\n".encode(), "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE + "千鱼 - 王贰浪\n".encode("utf-16-le"), "UTF-16"),
        (codecs.BOM_UTF16_BE + "千鱼 - 王贰浪\n".encode("utf-16-be"), "UTF-16"),
        ("千鱼 - 王贰浪\n".encode("utf-32"), "UTF-32"),
    ],
)
def test_unicode_exact_without_warning(data: bytes, encoding: str) -> None:
    decoded = decode_list(data, "songs.txt")
    assert decoded.text == "千鱼 - 王贰浪\n"
    assert decoded.encoding == encoding
    assert decoded.warning is None


def test_forced_encoding_wins() -> None:
    # These bytes read best as GB18030, but the user knows better.
    data = "千鱼 - 王贰浪\n".encode("gbk")
    decoded = decode_list(data, "songs.txt", "big5")
    assert decoded.text == data.decode("big5")
    assert decoded.encoding == "big5"
    assert decoded.warning is None


def test_forced_encoding_strips_bom() -> None:
    decoded = decode_list(codecs.BOM_UTF8 + b"A - B\n", "songs.txt", "utf-8")
    assert decoded.text == "A - B\n"


def test_forced_encoding_invalid_bytes() -> None:
    # GBK's 千 is C7 A7, valid UTF-8 by chance; 鱼 (D3 E3) is not.
    data = b"A - B\n" + "千鱼 - 王贰浪\n".encode("gbk")
    with pytest.raises(ListFileError) as caught:
        decode_list(data, "songs.txt", "utf-8")
    message = str(caught.value)
    assert "'songs.txt' is not valid utf-8: invalid byte at byte offset 8 (line 2)" in (
        message
    )
    assert "leave out --encoding" in message


def test_forced_encoding_unknown() -> None:
    with pytest.raises(ListFileError, match="unknown encoding 'klingon'"):
        decode_list(b"A - B\n", "songs.txt", "klingon")


def test_no_code_page_fits() -> None:
    with pytest.raises(ListFileError) as caught:
        decode_list(b"abc\n\x81", "songs.txt")
    message = str(caught.value)
    assert "is not UTF-8 (invalid byte at byte offset 4 (line 2))" in message
    assert "GB18030, Big5, Shift-JIS or Windows-1252" in message


def test_damaged_utf8_not_guessed() -> None:
    good = "像鱼 - 王贰浪\n病名 - 祖娅\n".encode()
    data = good[:8] + b"\xa1" + good[9:]
    with pytest.raises(ListFileError, match="is UTF-8 with an invalid byte at byte"):
        decode_list(data, "songs.txt")


def test_nul_found_before_guessing() -> None:
    # The space after 千鱼 is 20 00 in UTF-16, at bytes 4 and 5.
    data = "千鱼 - 王贰浪\n".encode("utf-16-le")
    with pytest.raises(ListFileError, match="NUL character at byte 5"):
        decode_list(data, "songs.txt")
