"""Search Bilibili for one song and rank every upload the searches found.

The queries run from the most specific to the least (see `search_queries`),
then the combined search endpoint, and the search stops at the first query
with a confident match. Hits that look like compilations get their parts
fetched, so the matcher can choose the part that contains the song. Both `bilimq
run` and `bilimq search` use this module; the caller supplies a `Searcher`,
which is where results are cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from loguru import logger

from bilimq.bilibili.errors import BilibiliError
from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.matching import (
    DEFAULT_THRESHOLD,
    DEFAULT_TOLERANCE,
    Candidate,
    best_match,
    needs_parts,
    rank_candidates,
    search_queries,
)
from bilimq.songs.names import SongName

MAX_PART_LOOKUPS = 3
"""Uploads per query whose parts are fetched; each costs one more request."""


class Searcher(Protocol):
    """The Bilibili requests a lookup makes; implementations may cache them."""

    def search(self, query: str) -> list[SearchHit]: ...
    def search_all(self, query: str) -> list[SearchHit]: ...
    def parts(self, bvid: str) -> Sequence[VideoPart]: ...


@dataclass(frozen=True)
class Attempt:
    """One search request and what it gave."""

    endpoint: str
    """"search" (video search) or "search_all" (the combined endpoint)."""
    query: str
    hits: int
    chosen: str | None
    """The bvid picked from this page, if one passed."""


@dataclass
class LookupResult:
    """The outcome of a lookup: a confident choice or the candidates to review."""

    chosen: Candidate | None
    candidates: list[Candidate]
    """Every distinct upload seen, best first, rejected ones last."""
    attempts: list[Attempt] = field(default_factory=list)


def find_upload(
    searcher: Searcher,
    song: SongName,
    *,
    reference: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    tolerance: float = DEFAULT_TOLERANCE,
    excluded: frozenset[str] = frozenset(),
) -> LookupResult:
    """Search for `song` until one query gives a confident match.

    `reference` is the song's known length in seconds; candidates too far from
    it are rejected. Uploads in `excluded` (BV ids whose download had the wrong
    length) are left out. Errors from the searcher (network, risk control)
    propagate.
    """
    result = LookupResult(chosen=None, candidates=[])
    plan = [("search", query) for query in search_queries(song)]
    plan.append(("search_all", song.query()))
    for endpoint, query in plan:
        hits = [h for h in _run(searcher, endpoint, query) if h.bvid not in excluded]
        parts = _fetch_parts(searcher, hits)
        ranked = rank_candidates(
            song, hits, parts, reference=reference, tolerance=tolerance
        )
        chosen = best_match(ranked, threshold)
        result.attempts.append(
            Attempt(endpoint, query, len(hits), chosen.hit.bvid if chosen else None)
        )
        result.candidates = merge_candidates(result.candidates, ranked)
        if chosen is not None:
            result.chosen = chosen
            break
        if any(candidate.ambiguous for candidate in ranked):
            # Near-equal uploads of different lengths: a shorter query would
            # drop one of them and pick the other with false confidence.
            break
    logger.debug(
        "lookup for {}: {} request(s), chosen {}",
        song.line,
        len(result.attempts),
        result.chosen.hit.bvid if result.chosen else None,
    )
    return result


def _run(searcher: Searcher, endpoint: str, query: str) -> list[SearchHit]:
    if endpoint == "search_all":
        return searcher.search_all(query)
    return searcher.search(query)


def _fetch_parts(
    searcher: Searcher, hits: Iterable[SearchHit]
) -> dict[str, Sequence[VideoPart]]:
    wanted = [hit for hit in hits if needs_parts(hit)][:MAX_PART_LOOKUPS]
    found: dict[str, Sequence[VideoPart]] = {}
    for hit in wanted:
        try:
            found[hit.bvid] = searcher.parts(hit.bvid)
        except BilibiliError as exc:
            # A deleted or hidden compilation must not fail the song: the
            # right upload may be elsewhere on the page. Network errors and
            # risk control still stop the lookup.
            if exc.kind != "permanent":
                raise
            logger.info("parts of {} not read, skipped: {}", hit.bvid, exc)
    return found


def merge_candidates(
    seen: Sequence[Candidate], ranked: Sequence[Candidate]
) -> list[Candidate]:
    """Combine candidates from several pages, keeping each upload's best score."""
    best: dict[str, Candidate] = {}
    for candidate in (*seen, *ranked):
        kept = best.get(candidate.hit.bvid)
        if kept is None or _order_key(candidate) < _order_key(kept):
            best[candidate.hit.bvid] = candidate
    return sorted(best.values(), key=_order_key)


def _order_key(candidate: Candidate) -> tuple[bool, float, int]:
    return (candidate.rejected is not None, -candidate.score, candidate.hit.rank)
