"""Multi-part uploads: which hits to fetch parts for, and which part is the song."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.match.duration import (
    DEFAULT_TOLERANCE,
    MAX_DURATION,
    MIN_DURATION,
    within_tolerance,
)
from bilimq.match.lexicon import TAGS_BY_NAME, find_version_tags
from bilimq.match.profile import SongProfile
from bilimq.match.text import normalize_text
from bilimq.match.versions import assess_versions

PART_MIN_TITLE = 80.0
"""A part must name the song at least this well to be chosen."""

# `P1`, `p12` or `分P` in a title: the uploader numbered the parts.
_PART_NUMBER = re.compile(r"(?<![a-z0-9])p\d{1,3}(?![0-9])|分p")


def needs_parts(hit: SearchHit) -> bool:
    """Return whether a hit looks like a multi-part upload worth listing.

    Search results show only the total length and the upload's title, so the
    signs are a compilation word (合集, 歌单, medley, …), numbered parts in the
    title (`P1原版 P2伴奏`), or a length over MAX_DURATION that no loop marker
    explains.
    """
    text = normalize_text(hit.title)
    tags = find_version_tags(text)
    if "compilation" in tags or _PART_NUMBER.search(text):
        return True
    return hit.duration > MAX_DURATION and "loop" not in tags


def choose_part(
    profile: SongProfile,
    parts: Sequence[VideoPart],
    reference: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> VideoPart | None:
    """Return the part that is the song in the requested version, or None.

    A part qualifies when its title names the song (PART_MIN_TITLE) and its
    length fits: within the tolerance of `reference` when there is one, else
    the length of one song. Among those, a part that names every requested
    version beats one that does not, then fewer unrequested version points
    win (`夜曲` over `夜曲 (Live)`), then the better title, then the earlier part.
    """
    best: tuple[int, float, float, int] | None = None
    chosen: VideoPart | None = None
    for part in parts:
        if not _plausible_length(part.duration, profile, reference, tolerance):
            continue
        title = profile.title_similarity(part.title)
        if title < PART_MIN_TITLE:
            continue
        fit = assess_versions(profile, part.title)
        penalty = sum(TAGS_BY_NAME[tag].penalty for tag, _ in fit.unrequested)
        key = (-len(fit.missing), -penalty, title, -part.page)
        if best is None or key > best:
            best, chosen = key, part
    return chosen


def _plausible_length(
    seconds: int, profile: SongProfile, reference: float | None, tolerance: float
) -> bool:
    if reference is not None:
        return within_tolerance(seconds, reference, tolerance)
    if "clip" in profile.requested_tags:
        return 0 < seconds <= MAX_DURATION
    return MIN_DURATION <= seconds <= MAX_DURATION
