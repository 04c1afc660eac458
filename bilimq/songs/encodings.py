"""Decode list files: UTF-8 or UTF-16 when they fit, else the likeliest code page.

Lists come from Notepad, PowerShell, Excel and old players alike, so the
locale default is never used. UTF-8 (with or without a BOM) and UTF-16 with a
BOM are exact. Other bytes are decoded with each of the Windows "ANSI" code
pages that song lists use (GB18030, Big5, Shift-JIS and Windows-1252). The one
whose text reads most like names in its script wins. The caller warns which
was used, and `--encoding` forces one instead.

The guess is written here rather than taken from a detector such as
charset-normalizer, because lists are often one short line: charset-normalizer
3.5.3 read `後來 - 劉若英 | 5:40` in Big5 as Shift-JIS. A song name in the
wrong code page shows a tell-tale mix: rare ideographs, half-width katakana,
or runs of accented capitals and symbols. Text in the right one is mostly
common ideographs, kana, or accented letters between ASCII letters.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable, Iterable
from typing import NamedTuple

from bilimq.songs.entries import ListFileError

UTF8 = "UTF-8"
UTF16 = "UTF-16"
MIN_SCORE = 0.4
"""Minimum share of non-ASCII bytes that must read like names for a guess to be
used. On about 160 Chinese, Japanese and Western song names, the right code
page scored at least 0.6, and random bytes scored 0.5 on average."""


class Candidate(NamedTuple):
    """An "ANSI" code page a list may be in."""

    label: str
    """The name shown to users."""
    codec: str
    """The Python codec: the Windows code page, a superset of the standard."""
    weigh: Callable[[str, bytes], float]
    """How much a non-ASCII character and its bytes read like this script: 1 for
    a common character, 0.5 for a rare one, 0 for one that only mojibake has."""


class DecodedText(NamedTuple):
    """The text of a list file and how it was decoded."""

    text: str
    encoding: str
    """The encoding's name as shown to users, e.g. `UTF-8 with BOM`."""
    warning: str | None = None
    """Set when the encoding was guessed, naming it and how to choose another."""


def decode_list(data: bytes, name: str, encoding: str | None = None) -> DecodedText:
    """Decode list bytes; `name` names the list in messages.

    With `encoding`, decode with it alone. Otherwise try a UTF-16 BOM, then
    UTF-8, then the likeliest of the code pages in CANDIDATES. Raise
    ListFileError naming the byte offset when the bytes are invalid in the
    forced encoding, are damaged UTF-8, fit no encoding, or contain a NUL
    character (UTF-16 without a BOM looks so).
    """
    if encoding is not None:
        return _decode_forced(data, name, encoding)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Checked first: the UTF-32 little-endian BOM starts like UTF-16's.
        return _decode_with_bom(data, name, "utf-32", "UTF-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_with_bom(data, name, "utf-16", UTF16)
    # UTF-8 and the code pages encode NUL as the single byte 0x00, and no list
    # has one, while UTF-16 without a BOM has one in every ASCII character.
    _reject_nul_byte(data.find(b"\x00"), name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        return _decode_ansi(data, name, utf8_error)
    with_bom = data[:3] == codecs.BOM_UTF8
    return DecodedText(text, "UTF-8 with BOM" if with_bom else UTF8)


def check_encoding(name: str) -> str:
    """Return the codec name for `--encoding NAME`; raise LookupError if unknown."""
    return codecs.lookup(name).name


def position(data: bytes, offset: int) -> str:
    """Return `byte offset N (line L)` for a byte offset in `data`."""
    line = data.count(b"\n", 0, offset) + 1
    return f"byte offset {offset} (line {line})"


# -- the guess ---------------------------------------------------------------


def _weigh_gb(char: str, encoded: bytes) -> float:
    if len(encoded) != 2:
        return 0.0  # GB18030's four-byte characters are rare
    lead, trail = encoded
    if trail < 0xA1:
        # Outside GB2312: GBK's extra hanzi, traditional ones among them.
        return 0.25 if _is_ideograph(char) else 0.0
    if 0xB0 <= lead <= 0xD7:
        return 1.0  # GB2312 level 1: the 3755 most used hanzi
    if 0xD8 <= lead <= 0xF7:
        return 0.5  # GB2312 level 2
    if lead in (0xA1, 0xA3):
        return 1.0  # full-width punctuation and letters
    return 0.0


def _weigh_big5(char: str, encoded: bytes) -> float:
    lead = encoded[0]
    if 0xA4 <= lead <= 0xC6:
        return 1.0  # Big5's 5401 frequent hanzi
    if 0xC9 <= lead <= 0xF9:
        return 0.5  # less frequent hanzi
    if lead == 0xA1 and unicodedata.category(char).startswith("P"):
        return 1.0  # full-width punctuation
    return 0.0


def _weigh_shift_jis(char: str, encoded: bytes) -> float:
    if "\u3040" <= char <= "\u30ff":
        return 1.0  # hiragana and katakana
    if len(encoded) == 1:
        return 0.0  # half-width katakana: rare in names, common in mojibake
    lead = encoded[0]
    if 0x88 <= lead <= 0x98:
        return 1.0  # JIS level 1 kanji
    if 0x99 <= lead <= 0x9F or 0xE0 <= lead <= 0xEA:
        return 0.5  # JIS level 2 kanji
    if lead == 0x81 and unicodedata.category(char).startswith("P"):
        return 1.0  # full-width punctuation
    return 0.0


def _weigh_cp1252(char: str, encoded: bytes) -> float:
    # Context is judged in _score_cp1252, which calls this only for letters and
    # typographic punctuation.
    return 1.0 if char.isalpha() or char in _TYPOGRAPHIC else 0.0


_TYPOGRAPHIC = "‘’‚“”„–—…•€™"

CANDIDATES = (
    Candidate("GB18030", "gb18030", _weigh_gb),
    Candidate("Big5", "cp950", _weigh_big5),
    Candidate("Shift-JIS", "cp932", _weigh_shift_jis),
    Candidate("Windows-1252", "cp1252", _weigh_cp1252),
)
"""The code pages tried after UTF-8, in the order that breaks ties."""


def _decode_ansi(data: bytes, name: str, utf8_error: UnicodeDecodeError) -> DecodedText:
    where = position(data, utf8_error.start)
    if _looks_like_damaged_utf8(data):
        raise ListFileError(
            f"list file {name!r} is UTF-8 with an invalid byte at {where}; "
            "fix or retype that line, or re-save the file as UTF-8"
        )
    best: tuple[float, Candidate, str] | None = None
    for candidate in CANDIDATES:
        try:
            text = data.decode(candidate.codec)
        except UnicodeDecodeError:
            continue
        score = _score(text, candidate)
        if best is None or score > best[0]:
            best = (score, candidate, text)
    if best is None or best[0] < MIN_SCORE:
        labels = _either(candidate.label for candidate in CANDIDATES)
        raise ListFileError(
            f"list file {name!r} is not UTF-8 (invalid byte at {where}), and does "
            f"not read as text in {labels} either; re-save it as UTF-8, or pass "
            "--encoding with the file's encoding"
        )
    _, chosen, text = best
    others = _either(c.label for c in CANDIDATES if c is not chosen)
    warning = (
        f"{name} is not UTF-8; read it as {chosen.label}, which fits its text "
        f"better than {others}. If names look wrong, pass --encoding with the "
        "file's encoding, or re-save it as UTF-8"
    )
    return DecodedText(text, chosen.label, warning)


def _either(labels: Iterable[str]) -> str:
    *head, last = labels
    return f"{', '.join(head)} or {last}" if head else last


def _score(text: str, candidate: Candidate) -> float:
    """Return how much of the text's non-ASCII bytes read like names, 0 to 1."""
    if candidate.codec == "cp1252":
        return _score_cp1252(text)
    good = 0.0
    total = 0
    for index, char in enumerate(text):
        if char.isascii():
            continue
        encoded = char.encode(candidate.codec)
        total += len(encoded)
        if not _inside_latin_word(text, index):
            good += candidate.weigh(char, encoded) * len(encoded)
    return good / total if total else 1.0


def _score_cp1252(text: str) -> float:
    # In Western names an accented letter or a curly quote sits next to ASCII:
    # `Naïve`, `Don’t`. Mojibake of CJK text is runs of them: `Íõ·¡ÀË`.
    good = 0.0
    total = 0
    for index, char in enumerate(text):
        if char.isascii():
            continue
        total += 1
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        beside_ascii = before.isascii() or after.isascii()
        next_to_high = not before.isascii() and not after.isascii()
        if beside_ascii and not next_to_high:
            good += _weigh_cp1252(char, b"")
    return good / total if total else 1.0


def _inside_latin_word(text: str, index: int) -> bool:
    """Return whether the character at `index` has ASCII letters on both sides.

    CJK names put a space or another CJK character beside an ideograph, while
    Latin text read in a CJK code page hides `’a` or `ïv` in one ideograph.
    """
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return _is_ascii_letter(before) and _is_ascii_letter(after)


def _is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _is_ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# -- exact decoding ----------------------------------------------------------


def _decode_forced(data: bytes, name: str, encoding: str) -> DecodedText:
    try:
        codec = check_encoding(encoding)
    except LookupError:
        raise ListFileError(
            f"unknown encoding {encoding!r}; pass a name Python knows, such as "
            "utf-8, gb18030, big5, shift_jis or cp1252"
        ) from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ListFileError(
            f"list file {name!r} is not valid {encoding}: invalid byte at "
            f"{position(data, exc.start)}; pass the file's real encoding, or leave "
            "out --encoding to have it detected"
        ) from None
    text = text.removeprefix("\ufeff")
    index = text.find("\x00")
    if index >= 0:
        _reject_nul_byte(len(text[:index].encode(codec)), name)
    return DecodedText(text, encoding)


def _decode_with_bom(data: bytes, name: str, codec: str, label: str) -> DecodedText:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        bom = 4 if codec == "utf-32" else 2
        raise ListFileError(
            f"list file {name!r} starts with a {label} byte order mark but has "
            f"invalid {label} at byte {exc.start + bom}; re-save it as UTF-8"
        ) from None
    bom = 4 if codec == "utf-32" else 2
    little = data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF16_LE))
    plain = f"{codec}-le" if little else f"{codec}-be"
    index = text.find("\x00")
    if index >= 0:
        _reject_nul_byte(bom + len(text[:index].encode(plain)), name)
    return DecodedText(text, label)


def _looks_like_damaged_utf8(data: bytes) -> bool:
    """Return whether bytes that fail as UTF-8 are still mostly valid UTF-8.

    A UTF-8 file with one damaged byte often still decodes in a code page, as
    mojibake. Code-page text read as UTF-8 has few valid multi-byte sequences.
    On about 160 song names in GBK, Big5, Shift-JIS and Windows-1252, it never
    had more 3-byte ones (CJK in UTF-8) than invalid bytes, nor more valid ones
    of any length than twice the invalid bytes. Damaged UTF-8 has far more
    valid sequences than invalid ones.
    """
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    wide = sum(1 for char in text if ord(char) >= 0x800) - invalid
    valid = sum(1 for char in text if ord(char) > 0x7F) - invalid
    return wide > invalid or valid >= 4 * invalid


def _reject_nul_byte(offset: int, name: str) -> None:
    if offset < 0:
        return
    raise ListFileError(
        f"list file {name!r} contains a NUL character at byte {offset}, so it is "
        "probably UTF-16 without a byte order mark; re-save it as UTF-8"
    )
