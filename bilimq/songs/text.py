"""Clean and fold the text of song names.

`clean_text` gives the form bilimq stores and names files after: NFC, no
invisible characters, single ASCII spaces. `dedupe_key` folds further (width
and case) to tell whether two lines are the same song. `restore_underscores`
undoes the `_` that file names carry in place of characters such as `/` or `.`.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and formatting characters that only get in the way of matching.
# Bidirectional controls are among them because they are invisible and an
# override such as U+202E can disguise a file name's extension.
_DROPPED_CHARS = (
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
# Hangul fillers and the blank braille pattern render as blanks and are used
# to fake empty names.
_BLANK_CHARS = "\u115f\u1160\u2800\u3164\uffa0"
_CONTROL_CHARS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]

_INVISIBLE: dict[int, str | None] = {ord(char): None for char in _DROPPED_CHARS}
_TRANSLATION = _INVISIBLE | {ord(char): " " for char in _BLANK_CHARS}
_TRANSLATION |= {code: " " for code in _CONTROL_CHARS}
# Most lines need no translation, and a search is much cheaper than translate.
_NEEDS_TRANSLATION = re.compile("[" + re.escape("".join(map(chr, _TRANSLATION))) + "]")

# ZWJ and ZWNJ shape emoji sequences (👨‍👩‍👧) and letters in Indic and Arabic
# scripts, so they stay there. Next to a space or between Latin, kana, CJK or
# Hangul characters they join nothing and only break matching.
_PLAIN = r"\x21-\x7e\u00c0-\u024f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_STRAY_JOINER = re.compile(
    rf"(?:^|(?<=\s))[\u200c\u200d]+|[\u200c\u200d]+(?=\s|$)"
    rf"|(?<=[{_PLAIN}])[\u200c\u200d]+(?=[{_PLAIN}])"
)

# `_` after these abbreviations stood for a dot (`ver_` is `ver.`).
_ABBREVIATION_UNDERSCORE = re.compile(
    r"(?i)(?<![a-z])(ver|inst|feat|ft|vol|no|op|ed|vs|mr|mrs|dr|st|jr|pt)_+"
    r"(?![a-z0-9])"
)
_INNER_UNDERSCORE = re.compile(r"(?<=[^\s_])_+(?=[^\s_])")


def clean_text(text: str) -> str:
    """Normalise to NFC, drop invisible characters and collapse spaces.

    U+200B, U+2060, U+FEFF, the soft hyphen and bidirectional controls are
    dropped. ZWJ and ZWNJ are dropped only where they join nothing (see
    `_STRAY_JOINER`), so emoji sequences keep them. Every Unicode space (U+3000
    included), control character and blank filler becomes one ASCII space.
    Runs of spaces collapse and the ends are trimmed.
    """
    text = unicodedata.normalize("NFC", text)
    if _NEEDS_TRANSLATION.search(text) is not None:
        text = text.translate(_TRANSLATION)
    text = " ".join(text.split())
    if "\u200c" in text or "\u200d" in text:
        text = " ".join(_STRAY_JOINER.sub("", text).split())
    # Dropping a character can bring a base letter and a combining mark
    # together, so normalise once more. That is cheap for text already in NFC.
    return unicodedata.normalize("NFC", text)


def remove_invisible(text: str) -> str:
    """Return `text` without the zero-width and bidirectional characters."""
    return text.translate(_INVISIBLE)


def dedupe_key(line: str) -> str:
    """Return the key that treats two lines as the same song.

    The key is the cleaned line in NFKC (full-width letters, digits and brackets
    folded to ASCII), case folded, with runs of spaces collapsed.
    """
    return fold_key(clean_text(line))


def fold_key(cleaned: str) -> str:
    """Return `dedupe_key` of a line that `clean_text` has already cleaned."""
    folded = unicodedata.normalize("NFKC", cleaned).casefold()
    return " ".join(folded.split())


def restore_underscores(text: str, inner: str) -> str:
    """Replace each `_` that stood for a character illegal in file names.

    `ver_` and `Inst_` become `ver.` and `Inst.`. A `_` between two non-space
    characters becomes `inner`. Any other `_` becomes a space.
    """
    if "_" not in text:
        return " ".join(text.split())
    text = _ABBREVIATION_UNDERSCORE.sub(r"\1.", text)
    text = _INNER_UNDERSCORE.sub(inner, text)
    return " ".join(text.replace("_", " ").split())


MAX_SHOWN_CHARS = 80
"""Maximum characters of a value shown in a message; a longer one is cut and
ends in "…"."""


def shorten(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """Return `text` cut to `limit` characters, ending in "…" when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
