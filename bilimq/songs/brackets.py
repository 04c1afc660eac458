"""Find balanced bracket groups in a song line, ASCII and full-width alike.

A closing bracket pairs with the nearest unclosed opening bracket of the same
shape, so `)` or `）` closes `(` but `]` never does. Groups nest. A bracket
without a partner is reported, never raised: it stays in the text as an
ordinary character.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

# Each bracket character with its shape and whether it opens a group.
_BRACKETS = {
    "(": ("round", True),
    "（": ("round", True),
    ")": ("round", False),
    "）": ("round", False),
    "[": ("square", True),
    "［": ("square", True),
    "]": ("square", False),
    "］": ("square", False),
    "【": ("lenticular", True),
    "〖": ("lenticular", True),
    "】": ("lenticular", False),
    "〗": ("lenticular", False),
}
BRACKET_CHARS = re.compile(r"[()（）\[\]［］【】〖〗]")

Span = tuple[int, int]
"""The positions of a group's opening and closing bracket."""


class Brackets(NamedTuple):
    """The bracket structure of one piece of text."""

    groups: tuple[Span, ...] = ()
    """Outermost matched groups, left to right."""
    unmatched: tuple[int, ...] = ()
    """Positions of brackets that have no partner, left to right."""

    def encloses(self, position: int) -> bool:
        """Return whether `position` lies strictly inside a group."""
        for start, end in self.groups:
            if start < position < end:
                return True
        return False


_NO_BRACKETS = Brackets()


def scan_brackets(text: str) -> Brackets:
    """Return the matched groups and unmatched brackets of `text`."""
    if BRACKET_CHARS.search(text) is None:
        return _NO_BRACKETS
    stack: list[tuple[str, int]] = []
    pairs: list[Span] = []
    unmatched: list[int] = []
    for match in BRACKET_CHARS.finditer(text):
        shape, opens = _BRACKETS[match.group()]
        index = match.start()
        if opens:
            stack.append((shape, index))
            continue
        depth = _find_opener(stack, shape)
        if depth is None:
            unmatched.append(index)
            continue
        # Openers above the match were never closed: they stay text.
        unmatched.extend(position for _, position in stack[depth + 1 :])
        pairs.append((stack[depth][1], index))
        del stack[depth:]
    unmatched.extend(position for _, position in stack)
    return Brackets(_outermost(pairs), tuple(sorted(unmatched)))


def trailing_groups(text: str, groups: Sequence[Span]) -> list[Span]:
    """Return the groups followed only by spaces and other groups, in order."""
    if not groups:
        return []
    trailing: list[Span] = []
    limit = len(text)
    for start, end in sorted(groups, reverse=True):
        if text[end + 1 : limit].strip():
            break
        trailing.append((start, end))
        limit = start
    return trailing[::-1]


def remove_spans(text: str, spans: Sequence[Span]) -> str:
    """Return `text` without the given groups, with spaces collapsed."""
    if not spans:
        return " ".join(text.split())
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = end + 1
    pieces.append(text[position:])
    return " ".join(" ".join(pieces).split())


def _find_opener(stack: list[tuple[str, int]], shape: str) -> int | None:
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == shape:
            return depth
    return None


def _outermost(pairs: list[Span]) -> tuple[Span, ...]:
    if len(pairs) < 2:
        return tuple(pairs)
    outermost: list[Span] = []
    for start, end in sorted(pairs):
        if outermost and start < outermost[-1][1]:
            continue
        outermost.append((start, end))
    return tuple(outermost)
