"""Rank Bilibili search hits for a parsed song name, with the reason for each score.

A hit first passes gates, in this order: not supporter-only, a title that names
the song, every requested version present (`像鱼 (伴奏)` needs 伴奏), and a
length that fits: within the tolerance of the song's known length when the
caller gives one, else the length of one song (no clip, loop or compilation
unless asked for). The first gate a hit fails is recorded on its candidate.

A hit that passes scores from its title similarity and its artist evidence
(artist named in the title, as the uploader, or in the tags). Folding makes
`夢燈籠`, `夢灯籠` and `梦灯笼` equal, and `Céline` equal to `celine`. Version
markers the request did not ask for cost points (live, cover, instrumental,
remix, TV size, clip, AI, …), counted in the title after the song's own words
are removed, so `Live While We're Young` is not a live take. Zones for live,
cover, performance, AI, fan-cam, commentary and teaching uploads cost points
unless that kind is requested, and zones outside music cost a few. Among the
hits that passed the gates, Bilibili's own order adds up to 5 points and
popularity less than a tenth of one, so they settle near-ties but never
overturn a gate or a version penalty.

Without a reference length, a live take, TV cut or sped-up upload whose title
names no version scores like the studio recording. So candidates within a few
points of the best are compared by length (`bilimq.match.ambiguity`): a rival
of clearly different length that neither a music video's intro nor a majority
of equal-length uploads explains makes the match ambiguous, and `best_match`
returns None.

The rules live in `bilimq.match.lexicon` (VERSION_TAGS, ZONE_RULES), so a new
marker is one line of data; docs/matching.md explains each factor and the
corpus that measures them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from loguru import logger

from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.match.ambiguity import settle_lengths
from bilimq.match.candidate import GATES, Candidate
from bilimq.match.duration import (
    DEFAULT_TOLERANCE,
    duration_tolerance,
    within_tolerance,
)
from bilimq.match.lexicon import (
    VERSION_TAGS,
    ZONE_RULES,
    VersionTag,
    ZoneRule,
    find_version_tags,
)
from bilimq.match.parts import choose_part, needs_parts
from bilimq.match.profile import SongProfile
from bilimq.match.queries import search_queries
from bilimq.match.scoring import score_hit
from bilimq.match.text import contains_term, normalize_text
from bilimq.songs.durations import format_duration
from bilimq.songs.names import SongName

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOLERANCE",
    "GATES",
    "VERSION_TAGS",
    "ZONE_RULES",
    "Candidate",
    "VersionTag",
    "ZoneRule",
    "best_match",
    "contains_term",
    "duration_tolerance",
    "find_version_tags",
    "format_duration",
    "needs_parts",
    "normalize_text",
    "pick_part",
    "rank_candidates",
    "search_queries",
    "within_tolerance",
]

DEFAULT_THRESHOLD: float = 70.0
"""Lowest score picked without review. An exact title with the artist in it scores
about 100; an unrequested live, cover, instrumental or remix marker (35 points)
drops even that below this, and so does an upload with no artist evidence."""


def rank_candidates(
    song: SongName,
    hits: Sequence[SearchHit],
    parts: Mapping[str, Sequence[VideoPart]] | None = None,
    *,
    reference: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Candidate]:
    """Score every hit and return them best first, rejected ones last.

    `parts` maps a bvid to the parts of that upload. A multi-part upload with a
    part that is the song is judged by that part's title and length.
    `reference` is the song's known length in seconds; a hit (or part) further
    from it than `duration_tolerance(reference, tolerance)` is rejected. Without
    it, near-tied candidates of clearly different lengths are settled by the
    length rule or marked `ambiguous` (see `bilimq.match.ambiguity`).
    """
    profile = SongProfile.of(song)
    candidates = [
        score_hit(
            profile,
            hit,
            _matching_part(profile, hit, parts, reference, tolerance),
            reference=reference,
            tolerance=tolerance,
        )
        for hit in _unique_hits(hits)
    ]
    candidates.sort(key=_rank_order)
    if reference is None:
        candidates = settle_lengths(profile, candidates, tolerance)
        candidates.sort(key=_rank_order)
    logger.debug(
        "ranked {} hits for {}; best {}{}",
        len(candidates),
        song.line,
        candidates[0].hit.bvid if candidates else None,
        " (ambiguous)" if candidates and candidates[0].ambiguous else "",
    )
    return candidates


def best_match(
    candidates: Sequence[Candidate], threshold: float = DEFAULT_THRESHOLD
) -> Candidate | None:
    """Return the best candidate that passed every gate and reached the threshold.

    None means no candidate is confident enough, or the best one is
    `ambiguous` (a near-equal upload of another length), and the song needs
    review.
    """
    passed = [c for c in candidates if c.rejected is None and c.score >= threshold]
    if not passed:
        return None
    best = max(passed, key=lambda c: (c.score, -c.hit.rank))
    return None if best.ambiguous else best


def pick_part(
    song: SongName,
    parts: Sequence[VideoPart],
    *,
    reference: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> VideoPart | None:
    """Return the part of an upload that is the song, or None.

    See `bilimq.match.parts.choose_part` for how parts are compared.
    """
    return choose_part(SongProfile.of(song), parts, reference, tolerance)


def _matching_part(
    profile: SongProfile,
    hit: SearchHit,
    parts: Mapping[str, Sequence[VideoPart]] | None,
    reference: float | None,
    tolerance: float,
) -> VideoPart | None:
    if not parts or len(parts.get(hit.bvid, ())) < 2:
        return None
    return choose_part(profile, parts[hit.bvid], reference, tolerance)


def _rank_order(candidate: Candidate) -> tuple[bool, float, int]:
    return (candidate.rejected is not None, -candidate.score, candidate.hit.rank)


def _unique_hits(hits: Iterable[SearchHit]) -> list[SearchHit]:
    # Pages can overlap when results shift between requests; keep the first.
    first: dict[str, SearchHit] = {}
    for hit in hits:
        first.setdefault(hit.bvid, hit)
    return list(first.values())
