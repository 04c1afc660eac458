"""Compare the versions a hit carries with the requested versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bilimq.match.lexicon import TAGS_BY_NAME, find_markers
from bilimq.match.profile import RequestedVersion, SongProfile
from bilimq.match.text import contains_term, normalize_text

VERSION_MIN_RATIO = 90.0
"""Fuzzy ratio at which a long CJK version counts as written differently."""


@dataclass(frozen=True)
class VersionFit:
    """The fit of one title to the requested versions."""

    present: tuple[tuple[RequestedVersion, str], ...]
    """Requested versions found, each with the words that named it."""
    optional: tuple[RequestedVersion, ...]
    """Requested versions not named that describe the ordinary upload."""
    weak: tuple[RequestedVersion, ...]
    """Requested versions found only as their kind (another remixer's Remix)."""
    missing: tuple[RequestedVersion, ...]
    unrequested: tuple[tuple[str, str], ...]
    """(tag, marker) for each version marked in the title but not requested."""


def assess_versions(
    profile: SongProfile, title: str, tags: Sequence[str] = ()
) -> VersionFit:
    """Return how a title (and the upload's tags) fits the requested versions.

    Requested versions may be named in the title or the tags. Unrequested ones
    count only in the title, with the song's own words removed first: tags are
    loose (even official MVs carry 循环), and `Live While We're Young` is no live
    take just because its title contains Live.
    """
    normalized_title = normalize_text(title)
    haystack = " ".join([normalized_title, *(normalize_text(t) for t in tags)])
    markers = find_markers(haystack)
    found_tags = {tag for tag, _ in markers}
    found_markers = {marker for _, marker in markers}
    present: list[tuple[RequestedVersion, str]] = []
    optional: list[RequestedVersion] = []
    weak: list[RequestedVersion] = []
    missing: list[RequestedVersion] = []
    for version in profile.versions:
        required = _required_tags(version)
        if _named(version.term, haystack):
            present.append((version, version.clean))
        elif (
            version.generic
            and required
            and _kinds_named(version, required, found_tags, found_markers)
        ):
            present.append((version, _marker_of(required, markers)))
        elif not required and version.tags:
            optional.append(version)
        elif required and required <= found_tags:
            weak.append(version)
        else:
            missing.append(version)
    return VersionFit(
        present=tuple(present),
        optional=tuple(optional),
        weak=tuple(weak),
        missing=tuple(missing),
        unrequested=tuple(_unrequested(profile, normalized_title)),
    )


def _required_tags(version: RequestedVersion) -> frozenset[str]:
    return frozenset(t for t in version.tags if not TAGS_BY_NAME[t].default)


def _kinds_named(
    version: RequestedVersion,
    required: frozenset[str],
    found_tags: set[str],
    found_markers: set[str],
) -> bool:
    """Return whether every required kind is named, by any synonym or exactly."""
    for tag in required:
        if TAGS_BY_NAME[tag].synonyms:
            if tag not in found_tags:
                return False
        elif not {m for m in version.markers if _tag_of(m) == tag} <= found_markers:
            return False
    return True


def _tag_of(marker: str) -> str:
    return find_markers(marker)[0][0]


def _marker_of(required: frozenset[str], markers: list[tuple[str, str]]) -> str:
    return ", ".join(marker for tag, marker in markers if tag in required)


def _named(term: str, haystack: str) -> bool:
    if contains_term(term, haystack):
        return True
    if term.isascii():
        return False
    # CJK versions are often written with different spacing (`改编版 原唱`).
    compact, compact_haystack = term.replace(" ", ""), haystack.replace(" ", "")
    if len(compact) >= 4 and compact in compact_haystack:
        return True
    if len(compact) < 6:
        return False
    return fuzz.partial_ratio(compact, compact_haystack) >= VERSION_MIN_RATIO


def _unrequested(profile: SongProfile, normalized_title: str) -> list[tuple[str, str]]:
    requested = profile.requested_tags
    seen: dict[str, str] = {}
    for tag, marker in find_markers(profile.without_own_words(normalized_title)):
        if tag not in requested and TAGS_BY_NAME[tag].penalty > 0:
            seen.setdefault(tag, marker)
    return list(seen.items())
