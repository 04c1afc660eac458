"""Parse a song line such as `像鱼 (伴奏) - 王贰浪` into title, versions and artists.

A line is `title (version) - artist _ artist`, or artist first when the order
setting is `artist-title`. The title is split from the artists only at a hyphen or dash
with a space on each side. Bracket groups, ASCII or full-width and possibly
nested, become versions when their content names a version (Live, 伴奏, Remix,
…版), featured artists when they start with `feat.`, and aliases when they sit at
the end of the title and hold anything else (usually a translation).

File names cannot contain `/ : ? *` and friends, so library names often carry `_`
in their place (`Au_Ra`, `ver_`). The record keeps the typed form. The `clean_*`
methods and `query()` give the form to search with.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from bilimq.errors import InvalidNameError

Order = Literal["title-artist", "artist-title"]
ORDERS: tuple[Order, ...] = ("title-artist", "artist-title")

# Invisible characters that only get in the way of matching. ZWJ (U+200D) stays
# because emoji sequences need it.
_DROPPED_CHARS = frozenset("\u200b\u2060\ufeff\u00ad")
# Hangul fillers render as blanks and are used to fake empty names.
_BLANK_CHARS = frozenset("\u3164\u115f\u1160\uffa0")

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
# A dash run with a space (or the line's edge) on each side. A bare hyphen, as
# in `LEVEL5-judgelight-`, belongs to the title.
_SEPARATOR = re.compile(rf"(?:^|(?<= ))[{_DASHES}]{{1,2}}(?= |$)")

_ARTIST_SEPARATOR = re.compile(r" _ |\s*[,，、;；]\s*| [/／] ")

_FEATURING = re.compile(r"(?i)(?:^|(?<=\s))(?:feat\.?|ft\.?|featuring)\s+")

# Bracket shapes: an opener matches a closer of the same shape, so `(` closes
# with `)` or `）`, but never with `]`.
_OPENERS = {"(": "round", "（": "round", "[": "square", "［": "square"}
_OPENERS |= {"【": "lenticular", "〖": "lenticular"}
_CLOSERS = {")": "round", "）": "round", "]": "square", "］": "square"}
_CLOSERS |= {"】": "lenticular", "〗": "lenticular"}
_BRACKET_CHARS = re.compile(r"[()（）\[\]［］【】〖〗]")

# Words that mark a bracket group as a version. ASCII words match only as whole
# words; CJK and kana markers match anywhere, because those scripts put no
# spaces between words (`甜味小少年ver`, `改编版原唱`).
_VERSION_WORDS_ASCII = (
    "live", "remix", "rmx", "mix", "cover", "inst", "instrumental", "karaoke",
    "off vocal", "acoustic", "unplugged", "edit", "tv size", "ver",
    "version", "remaster", "remastered", "demo", "acapella", "a cappella",
    "piano", "guitar", "orchestra", "orchestral", "arrange", "arranged",
    "bootleg", "mashup", "extended", "short", "nightcore", "slowed",
    "reverb", "sped up", "8d", "dj", "rework", "vip", "cut", "type [a-z0-9]",
    "type-[a-z0-9]",
)  # fmt: skip
_VERSION_WORDS_CJK = (
    "伴奏", "版", "现场", "翻唱", "翻自", "弹唱", "演奏", "纯音乐", "国语", "粤语",
    "日语", "英语", "韩语", "中文", "日文", "英文", "消音", "人声", "混音", "改编",
    "重制", "钢琴", "吉他", "古筝", "二胡", "八音盒", "清唱", "剪辑", "片段", "完整",
    "女声", "男声", "合唱", "降调", "升调", "纯享", "循环", "合集", "串烧",
    "カバー", "アレンジ", "ライブ", "インスト", "オフボーカル", "カラオケ",
)  # fmt: skip
_VERSION_MARKER = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(_VERSION_WORDS_ASCII)
    + r")(?![a-z0-9])|"
    + "|".join(_VERSION_WORDS_CJK)
)

# `_` after these abbreviations stood for a dot (`ver_` is `ver.`).
_ABBREVIATION_UNDERSCORE = re.compile(
    r"(?i)(?<![a-z])(ver|inst|feat|ft|vol|no|op|ed|vs|mr|mrs|dr|st|jr|pt)_+"
    r"(?![a-z0-9])"
)
_INNER_UNDERSCORE = re.compile(r"(?<=[^\s_])_+(?=[^\s_])")


@dataclass(frozen=True)
class SongName:
    """A parsed song line."""

    line: str
    """The cleaned line as the user typed it; the saved file is named after it."""
    title: str
    """Title in the typed form (`_` kept), without its version and alias groups."""
    versions: tuple[str, ...]
    """Version groups in typed form and line order, e.g. ("伴奏",)."""
    artists: tuple[str, ...]
    """Artists in the typed form (`Au_Ra` kept)."""
    aliases: tuple[str, ...] = ()
    """Other names from trailing bracket groups, e.g. a translation ("为什么",)."""
    featured: tuple[str, ...] = ()
    """Artists credited with `feat.` or `ft.`, in typed form."""
    warnings: tuple[str, ...] = ()
    """Problems that were worked around, e.g. an unclosed bracket kept as text."""

    def clean_title(self) -> str:
        """Return the title with `_` replaced by the character it most likely was."""
        return restore_underscores(self.title, inner="/")

    def clean_versions(self) -> tuple[str, ...]:
        """Return the versions with `_` restored and inner brackets removed."""
        return tuple(_clean_version(version) for version in self.versions)

    def clean_artists(self) -> tuple[str, ...]:
        """Return the artists with `_` restored (`Au_Ra` becomes `Au/Ra`)."""
        return tuple(restore_underscores(artist, inner="/") for artist in self.artists)

    def query(self) -> str:
        """Return the search query: cleaned title, versions and first artist."""
        parts = [self.clean_title(), *self.clean_versions(), *self.clean_artists()[:1]]
        return " ".join(" ".join(parts).split())


def parse_name(line: str, order: Order = "title-artist") -> SongName:
    """Parse one line; raise InvalidNameError when it cannot be parsed.

    A line without a spaced hyphen is a title with no artists. A line with two or
    more spaced hyphens, or with an empty side, is ambiguous and rejected.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown name order {order!r}; expected one of {ORDERS}")
    cleaned = clean_text(line)
    _check_cleaned(line, cleaned)
    title_part, artist_part = _split_title_artists(line, cleaned, order)
    title, versions, aliases, featured = _parse_title(line, title_part)
    artists, artist_versions, artist_featured = _parse_artists(line, artist_part)
    return SongName(
        line=cleaned,
        title=title,
        versions=versions + artist_versions,
        artists=artists,
        aliases=aliases,
        featured=featured + artist_featured,
        warnings=_unmatched_bracket_warnings(cleaned),
    )


def clean_text(text: str) -> str:
    """Normalise to NFC, drop zero-width characters and collapse spaces.

    Every Unicode space separator (U+3000 included), control character and
    Hangul filler becomes one ASCII space; runs of spaces collapse and the ends
    are trimmed.
    """
    chars: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in _DROPPED_CHARS:
            continue
        if char in _BLANK_CHARS or unicodedata.category(char) in ("Zs", "Zl", "Zp"):
            chars.append(" ")
        elif unicodedata.category(char) == "Cc":
            chars.append(" ")
        else:
            chars.append(char)
    # Dropping a zero-width character can bring a base letter and a combining
    # mark together, so normalise once more.
    return unicodedata.normalize("NFC", " ".join("".join(chars).split()))


def dedupe_key(line: str) -> str:
    """Return the key that treats two lines as the same song.

    The key is the cleaned line in NFKC (full-width letters, digits and brackets
    folded to ASCII), case folded, with runs of spaces collapsed.
    """
    folded = unicodedata.normalize("NFKC", clean_text(line)).casefold()
    return " ".join(folded.split())


def restore_underscores(text: str, inner: str) -> str:
    """Replace each `_` that stood for a character illegal in file names.

    `ver_` and `Inst_` become `ver.` and `Inst.`. A `_` between two non-space
    characters becomes `inner`. Any other `_` becomes a space.
    """
    text = _ABBREVIATION_UNDERSCORE.sub(r"\1.", text)
    text = _INNER_UNDERSCORE.sub(inner, text)
    return " ".join(text.replace("_", " ").split())


def is_version_text(text: str) -> bool:
    """Return whether bracket content names a version (Live, 伴奏, Remix, …版)."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return _VERSION_MARKER.search(folded) is not None


def _clean_version(version: str) -> str:
    # Versions are lists of descriptors (`Instrumental_TV Edit`), so an inner `_`
    # reads best as a space.
    restored = restore_underscores(version, inner=" ")
    return " ".join(_BRACKET_CHARS.sub(" ", restored).split())


def _check_cleaned(line: str, cleaned: str) -> None:
    if not cleaned:
        raise InvalidNameError(
            line,
            "the name is empty after removing spaces and invisible characters; "
            "write a title such as '像鱼 - 王贰浪'",
        )
    surrogate = next((c for c in cleaned if "\ud800" <= c <= "\udfff"), None)
    if surrogate is not None:
        raise InvalidNameError(
            line,
            f"it contains an undecodable byte (U+{ord(surrogate):04X}); "
            "retype the name or save the list as UTF-8",
        )


def _split_title_artists(
    line: str, cleaned: str, order: Order
) -> tuple[str, str | None]:
    spans = _top_level_groups(cleaned)
    cuts = [m for m in _SEPARATOR.finditer(cleaned) if not _inside(m.start(), spans)]
    if not cuts:
        return cleaned, None
    if len(cuts) > 1:
        raise InvalidNameError(
            line,
            f"it has {len(cuts)} spaced dashes, so the title cannot be told from "
            "the artists; put extra text in brackets ('Title (Live) - Artist') or "
            "remove the spaces around a dash that belongs to the title",
        )
    cut = cuts[0]
    first = cleaned[: cut.start()].strip()
    second = cleaned[cut.end() :].strip()
    if not first or not second:
        raise InvalidNameError(
            line,
            "one side of ' - ' is empty; write 'Title - Artist', or just 'Title'",
        )
    if order == "artist-title":
        return second, first
    return first, second


def _parse_title(
    line: str, text: str
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    groups = _sort_groups(text, _top_level_groups(text), _trailing_groups(text))
    aliases = groups.aliases
    title = _remove_spans(text, groups.taken + groups.alias_spans)
    if not title and aliases:
        # A title made only of a plain bracket group, such as `(I Can't Get No)`,
        # is the title itself and not an alias.
        title, aliases = _remove_spans(text, groups.taken), []

    title, title_featured = _split_featuring(title)
    if not title:
        raise InvalidNameError(
            line,
            "the title is empty outside the brackets; write the title before "
            "them, as in '像鱼 (伴奏) - 王贰浪'",
        )
    featured = groups.featured + title_featured
    return title, tuple(groups.versions), tuple(aliases), tuple(featured)


def _parse_artists(
    line: str, text: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if text is None:
        return (), (), ()
    # Only trailing groups can be versions here: a leading group belongs to the
    # name, as in `(G)I-DLE`. No group becomes an alias.
    groups = _sort_groups(text, sorted(_trailing_groups(text)), trailing=set())
    remaining = _remove_spans(text, groups.taken)
    if not remaining:
        # An artist part made only of brackets, such as `(G)`, is the name.
        groups, remaining = _Groups(), text
    artists, artist_featured = _split_featuring(remaining)
    names = _split_list(artists)
    if not names:
        raise InvalidNameError(
            line,
            f"the artist part {text!r} names no artist; write 'Title - Artist' "
            "or leave out ' - ' for a title alone",
        )
    featured = groups.featured + artist_featured
    return names, tuple(groups.versions), tuple(featured)


@dataclass
class _Groups:
    """Bracket groups of one side of a line, sorted by what they contain."""

    versions: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    featured: list[str] = field(default_factory=list)
    taken: list[tuple[int, int]] = field(default_factory=list)
    """Spans of the version and credit groups, which leave the text."""
    alias_spans: list[tuple[int, int]] = field(default_factory=list)


def _sort_groups(
    text: str, spans: list[tuple[int, int]], trailing: set[tuple[int, int]]
) -> _Groups:
    """Sort bracket groups into versions, credits and aliases.

    Only a group listed in `trailing` can become an alias.
    """
    groups = _Groups()
    for start, end in spans:
        kind, content = _classify_group(text[start + 1 : end])
        if kind == "version":
            groups.versions.append(content)
            groups.taken.append((start, end))
        elif kind == "featured":
            groups.featured.extend(_split_list(content))
            groups.taken.append((start, end))
        elif kind == "alias" and (start, end) in trailing:
            groups.aliases.append(content)
            groups.alias_spans.append((start, end))
    return groups


def _classify_group(content: str) -> tuple[str, str]:
    content = content.strip()
    if not content:
        return "empty", content
    credit = _FEATURING.search(content)
    if credit is not None and credit.start() == 0:
        return "featured", content[credit.end() :].strip()
    if is_version_text(content):
        return "version", content
    return "alias", content


def _split_featuring(text: str) -> tuple[str, list[str]]:
    spans = _top_level_groups(text)
    credits = [m for m in _FEATURING.finditer(text) if not _inside(m.start(), spans)]
    if not credits or credits[0].start() == 0:
        return text, []
    credit = credits[0]
    return text[: credit.start()].strip(), list(_split_list(text[credit.end() :]))


def _split_list(text: str) -> tuple[str, ...]:
    spans = _top_level_groups(text)
    names: list[str] = []
    start = 0
    for match in _ARTIST_SEPARATOR.finditer(text):
        if _inside(match.start(), spans):
            continue
        names.append(text[start : match.start()])
        start = match.end()
    names.append(text[start:])
    return tuple(name.strip() for name in names if name.strip())


def _bracket_pairs(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Return matched bracket pairs and the positions of unmatched brackets."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    unmatched: list[int] = []
    for index, char in enumerate(text):
        if char in _OPENERS:
            stack.append((_OPENERS[char], index))
        elif char in _CLOSERS:
            depth = _find_opener(stack, _CLOSERS[char])
            if depth is None:
                unmatched.append(index)
                continue
            # Openers above the match were never closed: they stay text.
            unmatched.extend(position for _, position in stack[depth + 1 :])
            pairs.append((stack[depth][1], index))
            del stack[depth:]
    unmatched.extend(position for _, position in stack)
    return pairs, sorted(unmatched)


def _find_opener(stack: list[tuple[str, int]], shape: str) -> int | None:
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == shape:
            return depth
    return None


def _top_level_groups(text: str) -> list[tuple[int, int]]:
    """Return the outermost matched bracket pairs as (open, close) positions."""
    pairs, _ = _bracket_pairs(text)
    outermost: list[tuple[int, int]] = []
    for start, end in sorted(pairs):
        if outermost and start < outermost[-1][1]:
            continue
        outermost.append((start, end))
    return outermost


def _trailing_groups(text: str) -> set[tuple[int, int]]:
    """Return the groups followed only by spaces and other groups."""
    trailing: set[tuple[int, int]] = set()
    limit = len(text)
    for start, end in reversed(_top_level_groups(text)):
        if text[end + 1 : limit].strip():
            break
        trailing.add((start, end))
        limit = start
    return trailing


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in spans)


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = end + 1
    pieces.append(text[position:])
    return " ".join(" ".join(pieces).split())


def _unmatched_bracket_warnings(text: str) -> tuple[str, ...]:
    _, unmatched = _bracket_pairs(text)
    return tuple(_describe_unmatched(text, unmatched))


def _describe_unmatched(text: str, positions: list[int]) -> Iterator[str]:
    for position in positions:
        yield f"unmatched bracket {text[position]!r} at character {position + 1} kept"
