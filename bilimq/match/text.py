"""Normalise text for comparison and measure how well a term matches a title."""

from __future__ import annotations

import functools
import re
import unicodedata

from rapidfuzz import fuzz

from bilimq.match.script import to_simplified

PARTIAL_MATCH_CAP = 95.0
"""A fuzzy match scores at most this, so an exact title wins a near-tie."""


@functools.lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """Return text folded for comparison.

    The folding is NFKC (full-width letters and digits become ASCII), case
    folding, accents removed from Latin letters (`Céline` becomes `celine`),
    Japanese and traditional ideographs in simplified form (`夢燈籠` becomes
    `梦灯笼`), and punctuation and brackets as single spaces. HTML entities are
    already unescaped by the search parser.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = to_simplified(_strip_latin_accents(folded))
    chars = (c if unicodedata.category(c)[0] in "LNM" else " " for c in folded)
    return " ".join("".join(chars).split())


def _strip_latin_accents(text: str) -> str:
    # Only marks on Latin letters go: the dakuten of `が` is a combining mark
    # too, and dropping it would turn `が` into `か`.
    decomposed = unicodedata.normalize("NFD", text)
    stripped: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and stripped and _is_latin(stripped[-1]):
            continue
        stripped.append(char)
    return unicodedata.normalize("NFC", "".join(stripped))


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def contains_term(term: str, text: str) -> bool:
    """Return whether normalised `term` occurs in normalised `text`.

    An edge of `term` that is an ASCII letter or digit must sit on a word
    boundary, so `eg` is not found in `legend`; CJK text has no such boundary.
    """
    if not term:
        return False
    return term_pattern(term).search(text) is not None


@functools.lru_cache(maxsize=8192)
def term_pattern(term: str) -> re.Pattern[str]:
    """Return the compiled pattern of `bounded(term)`."""
    return re.compile(bounded(term))


def bounded(term: str) -> str:
    """Return a regex for `term` with word boundaries on its ASCII edges."""
    pattern = re.escape(term)
    if _is_ascii_alnum(term[0]):
        pattern = r"(?<![a-z0-9])" + pattern
    if _is_ascii_alnum(term[-1]):
        pattern += r"(?![a-z0-9])"
    return pattern


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def remove_terms(text: str, terms: tuple[str, ...]) -> str:
    """Return `text` with every occurrence of each term replaced by a space.

    Longer terms go first, so a title is removed whole before an artist name
    inside it.
    """
    for term in sorted(terms, key=len, reverse=True):
        if term:
            text = term_pattern(term).sub(" ", text)
    return " ".join(text.split())


def similarity(term: str, text: str) -> float:
    """Return 0 to 100 for how well normalised `term` matches inside `text`.

    100 means the term occurs whole. Otherwise the score is the larger of the
    share of the term's words that occur and a fuzzy match capped at
    PARTIAL_MATCH_CAP.
    """
    if not term or not text:
        return 0.0
    if contains_term(term, text):
        return 100.0
    tokens = term.split()
    coverage = 100.0 * sum(len(t) for t in tokens if contains_term(t, text))
    coverage /= sum(len(t) for t in tokens)
    # partial_ratio aligns the shorter string inside the longer one, so a hit
    # title shorter than the song title must use the plain ratio instead.
    if len(text) >= len(term):
        fuzzy = fuzz.partial_ratio(term, text)
    else:
        fuzzy = fuzz.ratio(term, text)
    return max(coverage, min(PARTIAL_MATCH_CAP, fuzzy))
