"""The normalised pieces of a song name that scoring compares hits against."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bilimq.match.lexicon import TAGS_BY_NAME, find_markers, find_version_tags
from bilimq.match.text import normalize_text, remove_terms, similarity
from bilimq.songs.names import SongName, restore_underscores

ALIAS_FACTOR = 0.9
"""An alias (a translation in brackets) counts a little less than the title."""

# A run of Latin text or a run of CJK and kana text, in a name that mixes them.
_SCRIPT_RUN = re.compile(
    r"[^\u3040-\u30ff\u3400-\u9fff]+|[\u3040-\u30ff\u3400-\u9fff]+"
)

# Words that only mean "a version" and name nothing of their own.
_FILLER = re.compile(r"版|的|(?<![a-z0-9])(?:ver|version|edition)(?![a-z0-9])")


@dataclass(frozen=True)
class RequestedVersion:
    """A version the user asked for, such as `伴奏` or `The Him Remix`."""

    clean: str
    """The version as shown in reasons, `_` restored."""
    term: str
    """The normalised version text."""
    tags: frozenset[str]
    """The version tags its words mark."""
    markers: frozenset[str]
    """The normalised markers in it."""
    generic: bool
    """True when the version is nothing but markers (`Live`, `伴奏版`), so any
    marker of the same kind names it; False when it also names something
    (`The Him Remix`, `AI周深`) that the hit must name too."""

    @property
    def optional(self) -> bool:
        """Return whether a hit may lack it: it describes the ordinary upload."""
        return bool(self.tags) and all(TAGS_BY_NAME[t].default for t in self.tags)


@dataclass(frozen=True)
class SongProfile:
    """The normalised parts of a song name."""

    title: str
    aliases: tuple[str, ...]
    artists: tuple[tuple[str, str], ...]
    """(display form, normalised form) for each artist and artist alias."""
    versions: tuple[RequestedVersion, ...]
    own_terms: tuple[str, ...]
    """The title, aliases and artist names, which hit titles repeat without
    meaning a version (`Live While We're Young`, `DJ Snake`)."""

    @property
    def requested_tags(self) -> frozenset[str]:
        """Return the version tags of the requested versions."""
        return frozenset(tag for version in self.versions for tag in version.tags)

    @classmethod
    def of(cls, song: SongName) -> SongProfile:
        """Build the profile of a parsed song name."""
        versions = [_requested(v) for v in song.clean_versions()]
        aliases: list[str] = []
        for alias in song.aliases:
            clean = restore_underscores(alias, inner="/")
            # The name parser reads `(AI周深)` or `(Reaction)` as another name for
            # the song, but its version words mark it as a version.
            if find_version_tags(normalize_text(clean)):
                versions.append(_requested(clean))
            else:
                aliases.append(normalize_text(clean))
        artists = tuple(_artist_terms(song))
        title = normalize_text(song.clean_title())
        return cls(
            title=title,
            aliases=tuple(aliases),
            artists=artists,
            versions=tuple(versions),
            own_terms=(title, *aliases, *(term for _, term in artists)),
        )

    def title_similarity(self, text: str) -> float:
        """Return 0 to 100 for how well a hit or part title names the song."""
        target = normalize_text(text)
        best = similarity(self.title, target)
        for alias in self.aliases:
            best = max(best, ALIAS_FACTOR * similarity(alias, target))
        return best

    def without_own_words(self, normalized: str) -> str:
        """Return a normalised hit title with the song's own words removed."""
        return remove_terms(normalized, self.own_terms)


def _requested(clean: str) -> RequestedVersion:
    term = normalize_text(clean)
    markers = find_markers(term)
    remainder = _FILLER.sub(" ", remove_terms(term, tuple(m for _, m in markers)))
    return RequestedVersion(
        clean=clean,
        term=term,
        tags=frozenset(tag for tag, _ in markers),
        markers=frozenset(marker for _, marker in markers),
        generic=bool(markers) and not remainder.strip(),
    )


def _artist_terms(song: SongName) -> Iterable[tuple[str, str]]:
    names = [
        *song.clean_artists(),
        *(restore_underscores(f, "/") for f in song.featured),
    ]
    for name in names:
        yield name, normalize_text(name)
        # `Chen-U/EG` is often credited as `Chen-U` alone; pieces under three
        # characters (`Au`, `Ra`) would match too much to be evidence.
        if "/" in name:
            pieces = [p.strip() for p in name.split("/")]
            yield from ((p, normalize_text(p)) for p in pieces if len(p) >= 3)
        yield from ((p, normalize_text(p)) for p in _script_pieces(name))


def _script_pieces(name: str) -> list[str]:
    """Return the Latin and the CJK half of a name written in both.

    `G.E.M.邓紫棋` is often written `邓紫棋`, and `TK from 凛として時雨` is often
    `凛として時雨`. Names with more than two runs (`Official髭男dism`) are left
    whole, and so are halves too short to be evidence.
    """
    runs = _SCRIPT_RUN.findall(name)
    if len(runs) != 2:
        return []
    pieces = [run.strip(" .-") for run in runs]
    return [p for p in pieces if len(p) >= (3 if p.isascii() else 2)]
