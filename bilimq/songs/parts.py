"""Build a song name from a title and artists that a source gave apart.

A CSV column, a JSON key or a file's tags already separate the title from the
artists, so the title/artist split is never guessed again. The
stored line is `Title - Artist`, title first, with several artists joined by
` _ ` as in file names. The title is still read for its bracket groups, so
`像鱼 (伴奏)` keeps the version 伴奏.
"""

from __future__ import annotations

from collections.abc import Sequence

from bilimq.errors import InvalidNameError
from bilimq.songs.names import SongName, name_with_overrides, parse_name

ARTIST_JOINER = " _ "


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
