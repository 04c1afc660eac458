"""Parse a song line such as `像鱼 (伴奏) - 王贰浪` into title, versions and artists.

A line is `title (version) - artist _ artist`, or artist first when the order is
`artist-title`. The title is split from the artists only at a hyphen or dash
with a space on each side. Bracket groups may be ASCII or full-width and may
nest. A group becomes a version when its content names one (Live, 伴奏, Remix,
…版), and featured artists when it starts with a credit (`feat.`, `ft.`,
`prod.`). Any other group at the end of the title is an alias, usually a
translation.

File names cannot contain `/ : ? *` and friends, so library names often carry `_`
in their place (`Au_Ra`, `ver_`). The record keeps the typed form. The `clean_*`
methods and `query()` give the form to search with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from bilimq.errors import InvalidNameError
from bilimq.songs.brackets import (
    Brackets,
    Span,
    remove_spans,
    scan_brackets,
    trailing_groups,
)
from bilimq.songs.groups import TEXT_CREDIT, classify_group, is_version_text
from bilimq.songs.text import (
    clean_text,
    dedupe_key,
    fold_key,
    restore_underscores,
    shorten,
)

__all__ = [
    "MAX_LINE_CHARS",
    "ORDERS",
    "AmbiguousNameError",
    "Order",
    "SongName",
    "clean_text",
    "dedupe_key",
    "is_version_text",
    "name_with_overrides",
    "parse_name",
    "restore_underscores",
    "stored_name",
]

Order = Literal["title-artist", "artist-title"]
ORDERS: tuple[Order, ...] = ("title-artist", "artist-title")

MAX_LINE_CHARS = 512
_SHOWN_SEGMENT_CHARS = 40
"""Characters of each part an ambiguous-name error shows."""
"""Longest cleaned line accepted, because the ledger's title column is 512 wide."""

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# A dash run with a space (or the line's edge) on each side. A bare hyphen, as
# in `LEVEL5-judgelight-`, belongs to the title.
_SEPARATOR = re.compile(rf"(?:^|(?<= ))[{_DASHES}]{{1,2}}(?= |$)")

_ARTIST_SEPARATOR = re.compile(r" _ |\s*[,，、;；]\s*| [/／] ")

_BRACKET_TEXT = re.compile(r"[()（）\[\]［］【】〖〗]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# The most common shape, `Title - Artists` or `Title (Group) - Artists` with
# round brackets only, has a fast path. It must agree with the general parser;
# a property test checks that it does.
_SIMPLE_LINE = re.compile(
    r"([^()（）\[\]［］【】〖〗]+?) ?(?:[(（]([^()（）\[\]［］【】〖〗]*)[)）])? - "
    r"([^()（）\[\]［］【】〖〗]+)"
)


class AmbiguousNameError(InvalidNameError):
    """A line has more than one spaced dash, so title and artists are a guess."""

    def __init__(self, value: str, segments: Sequence[str]) -> None:
        # Each part is cut, so a long line does not fill the screen twice.
        shown = ", ".join(
            repr(shorten(segment, _SHOWN_SEGMENT_CHARS)) for segment in segments
        )
        super().__init__(
            value,
            f"it has {len(segments)} parts separated by spaced dashes ({shown}), so "
            "the title cannot be told from the artists; put extra text in brackets "
            "('Title (Live) - Artist') or remove the spaces around a dash that "
            "belongs to the title",
        )
        self.segments = tuple(segments)


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
    """Artists credited with `feat.`, `ft.` or `prod.`, in typed form."""
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

    def dedupe_key(self) -> str:
        """Return the key that makes two lines the same song (see `dedupe_key`)."""
        return fold_key(self.line)

    def query(self) -> str:
        """Return the search query: cleaned title, versions and first artist."""
        parts = [self.clean_title(), *self.clean_versions(), *self.clean_artists()[:1]]
        return " ".join(" ".join(parts).split())


def parse_name(line: str, order: Order = "title-artist") -> SongName:
    """Parse one line; raise InvalidNameError when it cannot be parsed.

    A line without a spaced dash is a title with no artists. A line with two or
    more spaced dashes raises AmbiguousNameError; one with an empty side raises
    InvalidNameError.
    """
    _check_order(order)
    cleaned = _cleaned_line(line)
    if order == "title-artist":
        simple = _parse_simple(cleaned)
        if simple is not None:
            return simple
    return _parse_general(line, cleaned, order)


def name_with_overrides(
    line: str,
    order: Order = "title-artist",
    *,
    title: str | None = None,
    artists: Sequence[str] | None = None,
    versions: Sequence[str] | None = None,
) -> SongName:
    """Parse `line`, then replace the parts the user gave explicitly.

    `title` is taken literally, brackets and all, with no versions unless
    `versions` are given too. `artists` replace the parsed artists and are never
    split further. The line itself stays as typed, since the file is named
    after it. When a title is given, a line that does not parse (an ambiguous
    one, say) is accepted. Raise InvalidNameError when the line or an override
    is empty after cleaning.
    """
    _check_order(order)
    cleaned = _cleaned_line(line)
    parsed: SongName | None
    if title is None:
        parsed = parse_name(line, order)
        title_value, version_values = parsed.title, parsed.versions
    else:
        parsed = _try_parse(cleaned, order)
        title_value, version_values = _cleaned_override(line, "title", title), ()
    if versions is not None:
        version_values = tuple(_cleaned_override(line, "version", v) for v in versions)
    if artists is not None:
        artist_values = tuple(_cleaned_override(line, "artist", a) for a in artists)
    else:
        artist_values = parsed.artists if parsed is not None else ()
    return _assemble(cleaned, parsed, title_value, version_values, artist_values)


def stored_name(
    line: str,
    title: str,
    versions: Sequence[str],
    artists: Sequence[str],
    order: str = "title-artist",
) -> SongName:
    """Rebuild a SongName from the fields stored with a task.

    The stored title, versions and artists win, because the user may have set
    them by hand. Aliases and featured artists are not stored, so they come
    from parsing the line again wherever that parse agrees with the stored
    fields. A line that no longer parses gives the stored fields alone, so this
    raises nothing for a stored task.
    """
    chosen: Order = "artist-title" if order == "artist-title" else "title-artist"
    cleaned = clean_text(line)
    parsed = _try_parse(cleaned, chosen)
    return _assemble(cleaned, parsed, title, tuple(versions), tuple(artists))


def _parse_simple(cleaned: str) -> SongName | None:
    """Parse a title-artist line of the most common shape, or return None.

    Lines with square or nested brackets, more than one spaced dash, a dash
    other than `-`, or a `feat.`-style credit outside brackets go to the
    general parser.
    """
    match = _SIMPLE_LINE.fullmatch(cleaned)
    if match is None or len(_SEPARATOR.findall(cleaned)) != 1:
        return None
    if TEXT_CREDIT.search(cleaned) is not None:
        return None
    head, content, artist_text = match.groups()
    artists = _split_list(artist_text)
    if not artists:
        return None
    title, versions, aliases, featured = head, (), (), ()
    kind, value = classify_group(content) if content is not None else ("", "")
    if kind == "version":
        versions = (value,)
    elif kind == "featured":
        featured = _split_list(value)
    elif kind == "alias":
        aliases = (value,)
    else:
        title = cleaned[: match.start(3) - 3]
    return SongName(cleaned, title, versions, artists, aliases, featured)


def _parse_general(line: str, cleaned: str, order: Order) -> SongName:
    brackets = scan_brackets(cleaned)
    title_side, artist_side = _split_title_artists(line, cleaned, brackets, order)
    title, versions, aliases, featured = _parse_title(line, title_side)
    artists, artist_versions, artist_featured = _parse_artists(line, artist_side)
    return SongName(
        line=cleaned,
        title=title,
        versions=versions + artist_versions,
        artists=artists,
        aliases=aliases,
        featured=featured + artist_featured,
        warnings=tuple(_describe_unmatched(cleaned, brackets.unmatched)),
    )


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise ValueError(f"unknown name order {order!r}; expected one of {ORDERS}")


def _try_parse(cleaned: str, order: Order) -> SongName | None:
    try:
        return parse_name(cleaned, order)
    except InvalidNameError:
        return None


def _assemble(
    cleaned: str,
    parsed: SongName | None,
    title: str,
    versions: tuple[str, ...],
    artists: tuple[str, ...],
) -> SongName:
    """Build a name from chosen fields, keeping what the parse agrees with."""
    same_title = parsed is not None and (parsed.title, parsed.versions) == (
        title,
        versions,
    )
    same_artists = parsed is not None and parsed.artists == artists
    return SongName(
        line=cleaned,
        title=title,
        versions=versions,
        artists=artists,
        aliases=parsed.aliases if parsed is not None and same_title else (),
        featured=parsed.featured if parsed is not None and same_artists else (),
        warnings=parsed.warnings if parsed is not None else (),
    )


def _cleaned_override(line: str, what: str, value: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise InvalidNameError(
            line, f"the {what} given for it is empty; pass a non-empty {what}"
        )
    _check_cleaned(value, cleaned)
    return cleaned


def _cleaned_line(line: str) -> str:
    cleaned = clean_text(line)
    if not cleaned:
        raise InvalidNameError(
            line,
            "the name is empty after removing spaces and invisible characters; "
            "write a title such as '像鱼 - 王贰浪'",
        )
    _check_cleaned(line, cleaned)
    return cleaned


def _check_cleaned(line: str, cleaned: str) -> None:
    if len(cleaned) > MAX_LINE_CHARS:
        raise InvalidNameError(
            line[:60] + "…",
            f"it is {len(cleaned)} characters long, more than the "
            f"{MAX_LINE_CHARS} a song name may have; shorten it",
        )
    surrogate = None if cleaned.isascii() else _SURROGATE.search(cleaned)
    if surrogate is not None:
        raise InvalidNameError(
            line,
            f"it contains an undecodable byte (U+{ord(surrogate.group()):04X}); "
            "retype the name or save the list as UTF-8",
        )


class _Side(NamedTuple):
    """The title or the artist part of a line, with its bracket groups."""

    text: str
    groups: tuple[Span, ...]
    """Outermost bracket groups, as positions in `text`."""


def _split_title_artists(
    line: str, cleaned: str, brackets: Brackets, order: Order
) -> tuple[_Side, _Side | None]:
    cuts = list(_SEPARATOR.finditer(cleaned))
    if cuts and brackets.groups:
        cuts = [cut for cut in cuts if not brackets.encloses(cut.start())]
    if not cuts:
        return _Side(cleaned, brackets.groups), None
    if len(cuts) > 1:
        raise AmbiguousNameError(line, _segments(cleaned, cuts))
    cut = cuts[0]
    # `cleaned` has single spaces, so each side is one space away from the dash.
    first = _side(cleaned, brackets, 0, cut.start() - 1)
    second = _side(cleaned, brackets, cut.end() + 1, len(cleaned))
    if not first.text or not second.text:
        raise InvalidNameError(
            line,
            "one side of ' - ' is empty; write 'Title - Artist', or just 'Title'",
        )
    if order == "artist-title":
        return second, first
    return first, second


def _side(cleaned: str, brackets: Brackets, start: int, end: int) -> _Side:
    # A group never spans the dash (the dash would be inside it), so the groups
    # of a side are exactly the line's groups that lie within it.
    if end < start:
        return _Side("", ())
    if not brackets.groups:
        return _Side(cleaned[start:end], ())
    groups = [
        (open_at - start, close_at - start)
        for open_at, close_at in brackets.groups
        if start <= open_at and close_at < end
    ]
    return _Side(cleaned[start:end], tuple(groups))


def _segments(cleaned: str, cuts: list[re.Match[str]]) -> list[str]:
    bounds = [0, *(edge for cut in cuts for edge in cut.span()), len(cleaned)]
    pairs = zip(bounds[::2], bounds[1::2], strict=True)
    return [cleaned[start:end].strip() for start, end in pairs]


def _parse_title(
    line: str, side: _Side
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    text = side.text
    groups = _sort_groups(text, side.groups, trailing_groups(text, side.groups))
    title = remove_spans(text, groups.taken + groups.alias_spans)
    aliases = groups.aliases
    if not title and aliases:
        # A title made only of a plain bracket group, such as `(I Can't Get No)`,
        # is the title itself and not an alias.
        title, aliases = remove_spans(text, groups.taken), []

    title, title_featured = _split_credit(title)
    if not title:
        raise InvalidNameError(
            line,
            "the title is empty outside the brackets; write the title before "
            "them, as in '像鱼 (伴奏) - 王贰浪'",
        )
    featured = groups.featured + title_featured
    return title, tuple(groups.versions), tuple(aliases), tuple(featured)


def _parse_artists(
    line: str, side: _Side | None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if side is None:
        return (), (), ()
    # Only trailing groups can be versions here: a leading group belongs to the
    # name, as in `(G)I-DLE`. No group becomes an alias.
    text = side.text
    groups = _sort_groups(text, trailing_groups(text, side.groups), ())
    remaining = remove_spans(text, groups.taken)
    if not remaining:
        # An artist part made only of brackets, such as `(G)`, is the name.
        groups, remaining = _NO_GROUPS, text
    artists, artist_featured = _split_credit(remaining)
    names = _split_list(artists)
    if not names:
        raise InvalidNameError(
            line,
            f"the artist part {text!r} names no artist; write 'Title - Artist' "
            "or leave out ' - ' for a title alone",
        )
    featured = groups.featured + artist_featured
    return names, tuple(groups.versions), tuple(featured)


class _Groups(NamedTuple):
    """Bracket groups of one side of a line, sorted by what they contain."""

    versions: list[str]
    aliases: list[str]
    featured: list[str]
    taken: list[Span]
    """Spans of the version and credit groups, which leave the text."""
    alias_spans: list[Span]


_NO_GROUPS = _Groups([], [], [], [], [])


def _sort_groups(
    text: str, spans: Sequence[Span], alias_candidates: Sequence[Span]
) -> _Groups:
    """Sort bracket groups into versions, credits and aliases.

    Only a group in `alias_candidates` can become an alias; any other group
    that is neither a version nor a credit stays in the text.
    """
    if not spans:
        return _NO_GROUPS
    groups = _Groups([], [], [], [], [])
    for start, end in spans:
        kind, content = classify_group(text[start + 1 : end])
        if kind == "version":
            groups.versions.append(content)
            groups.taken.append((start, end))
        elif kind == "featured":
            groups.featured.extend(_split_list(content))
            groups.taken.append((start, end))
        elif kind == "alias" and (start, end) in alias_candidates:
            groups.aliases.append(content)
            groups.alias_spans.append((start, end))
    return groups


def _split_credit(text: str) -> tuple[str, list[str]]:
    """Split `Title feat. A, B` into the text before the credit and its names."""
    if TEXT_CREDIT.search(text) is None:
        return text, []
    credits = list(TEXT_CREDIT.finditer(text))
    brackets = scan_brackets(text)
    outside = [m for m in credits if not brackets.encloses(m.start())]
    if not outside or outside[0].start() == 0:
        return text, []
    credit = outside[0]
    names = list(_split_list(text[credit.end() :]))
    if not names:
        return text, []
    return text[: credit.start()].strip(), names


def _split_list(text: str) -> tuple[str, ...]:
    if _ARTIST_SEPARATOR.search(text) is None:
        return (text.strip(),) if text.strip() else ()
    brackets = scan_brackets(text)
    separators = [
        match
        for match in _ARTIST_SEPARATOR.finditer(text)
        if not brackets.encloses(match.start())
    ]
    names: list[str] = []
    start = 0
    for match in separators:
        names.append(text[start : match.start()])
        start = match.end()
    names.append(text[start:])
    return tuple(name.strip() for name in names if name.strip())


def _clean_version(version: str) -> str:
    # Versions are lists of descriptors (`Instrumental_TV Edit`), so an inner `_`
    # reads best as a space.
    restored = restore_underscores(version, inner=" ")
    return " ".join(_BRACKET_TEXT.sub(" ", restored).split())


def _describe_unmatched(text: str, positions: Sequence[int]) -> list[str]:
    return [
        f"unmatched bracket {text[position]!r} at character {position + 1} kept"
        for position in positions
    ]
