"""Build a song name from a title and artists that a source gave apart.

A CSV column, a JSON key or a file's tags already separate the title from the
artists, so the title/artist split is never guessed again. The
stored line is `Title - Artist`, title first, with several artists joined by
` _ ` as in file names. The title is still read for its bracket groups, so
`像鱼 (伴奏)` keeps the version 伴奏.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bilimq.errors import InvalidNameError
from bilimq.songs.brackets import scan_brackets
from bilimq.songs.names import (
    Order,
    SongName,
    clean_text,
    name_with_overrides,
    parse_name,
)

ARTIST_JOINER = " _ "

# The spaced dashes `parse_name` splits a line at: a run of one or two dashes
# with a space or the line's edge on each side.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SEPARATOR = re.compile(rf"(?:^|(?<= ))[{_DASHES}]{{1,2}}(?= |$)")


def join_parts(title: str, artists: Sequence[str]) -> str:
    """Return the line `Title - Artist _ Artist` for a title and its artists."""
    title = title.strip()
    named = [artist.strip() for artist in artists if artist.strip()]
    if not named:
        return title
    return f"{title} - {ARTIST_JOINER.join(named)}"


def name_from_parts(
    title: str, artists: Sequence[str], *, split: bool = True
) -> SongName:
    """Parse a song given as a title and artists, keeping that split.

    With `split`, a single artist text is split at the usual list separators
    (`A, B` gives two artists), as it would be in a typed line. Otherwise, and
    always for several artists, each is kept as given. When the title or an
    artist contains a spaced dash, so the joined line does not parse back into
    the same parts, the parts are stored as given. Raise InvalidNameError when
    the title is empty.
    """
    line = join_parts(title, artists)
    title_alone = _parse_title(title)
    joined = _try_parse(line)
    if title_alone is not None and _same_title(joined, title_alone):
        assert joined is not None  # _same_title checked it
        given_artists = tuple(artist.strip() for artist in artists)
        if (split and len(artists) <= 1) or joined.artists == given_artists:
            return joined
        return name_with_overrides(
            line, title=joined.title, versions=joined.versions, artists=artists
        )
    if title_alone is not None:
        return name_with_overrides(
            line,
            title=title_alone.title,
            versions=title_alone.versions,
            artists=artists,
        )
    return name_with_overrides(line, title=title, artists=artists)


def _parse_title(title: str) -> SongName | None:
    """Parse a title alone, or return None when it would split into artists."""
    song = _try_parse(title)
    if song is None or song.artists:
        return None
    return song


def _same_title(joined: SongName | None, title_alone: SongName) -> bool:
    if joined is None:
        return False
    versions = joined.versions[: len(title_alone.versions)]
    return (joined.title, versions) == (title_alone.title, title_alone.versions)


def _try_parse(line: str) -> SongName | None:
    try:
        return parse_name(line, "title-artist")
    except InvalidNameError:
        return None


def name_title_first(line: str, order: Order) -> SongName:
    """Parse `line` in `order` and return it stored title first, `Title - Artist`.

    Playlist names read `Artist - Title`, and storing them title first makes
    them the same task as the song from a plain list or a table. A line
    without a spaced dash is a title alone. Raise InvalidNameError when the
    line does not parse in `order`.
    """
    song = parse_name(line, order)
    sides = split_sides(line, order)
    if sides is None:
        return song
    title, artist = sides
    return name_from_parts(title, [artist])


def split_sides(line: str, order: Order) -> tuple[str, str] | None:
    """Return the title text and the artist text of a line, brackets kept.

    Return None unless the cleaned line has exactly one spaced dash outside
    brackets with text on both sides.
    """
    cleaned = clean_text(line)
    brackets = scan_brackets(cleaned)
    cuts = [
        cut
        for cut in _SEPARATOR.finditer(cleaned)
        if not brackets.encloses(cut.start())
    ]
    if len(cuts) != 1:
        return None
    first = cleaned[: cuts[0].start()].strip()
    second = cleaned[cuts[0].end() :].strip()
    if not first or not second:
        return None
    return (second, first) if order == "artist-title" else (first, second)
