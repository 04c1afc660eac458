"""Run the matcher over corpus cases and judge each pick against the label."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bilimq.matching import (
    DEFAULT_THRESHOLD,
    Candidate,
    best_match,
    rank_candidates,
)
from tests.corpus.loader import DIFFERENT_SONG_KIND, CorpusCase

WRONG_PART = "wrong part"
"""The `wrong_kind` of a pick of the right upload but the wrong part."""


class Verdict(enum.StrEnum):
    """The judgement of the matcher's pick for one case against the label."""

    RIGHT = "right"
    """An acceptable upload (and part) was picked."""
    NO_UPLOAD = "no upload"
    """Nothing was picked and nothing on the page is right: also correct."""
    REVIEW = "review"
    """Nothing was picked although a right upload was on the page."""
    WRONG = "wrong"
    """A wrong upload or part was picked with confidence."""


@dataclass(frozen=True)
class CaseResult:
    """The matcher's pick (or review) for one case, and its verdict."""

    case: CorpusCase
    chosen: Candidate | None
    ranked: tuple[Candidate, ...]
    verdict: Verdict
    wrong_kind: str | None = None
    """The label of a wrongly picked hit, or WRONG_PART."""

    @property
    def correct(self) -> bool:
        """Return whether the result is what a careful person would choose."""
        return self.verdict in (Verdict.RIGHT, Verdict.NO_UPLOAD)

    @property
    def wrong_version(self) -> bool:
        """Return whether a wrong pick is the same song in another version."""
        return self.verdict is Verdict.WRONG and self.wrong_kind not in (
            DIFFERENT_SONG_KIND,
            WRONG_PART,
        )


def run_case(
    case: CorpusCase,
    *,
    use_reference: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
) -> CaseResult:
    """Rank the case's hits, pick one and judge the pick."""
    reference = case.reference if use_reference else None
    ranked = rank_candidates(case.song, case.hits, case.parts, reference=reference)
    return judge(case, best_match(ranked, threshold), ranked)


def run_corpus(
    cases: Iterable[CorpusCase],
    *,
    use_reference: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[CaseResult]:
    """Run every case; see run_case."""
    return [
        run_case(case, use_reference=use_reference, threshold=threshold)
        for case in cases
    ]


def judge(
    case: CorpusCase, chosen: Candidate | None, ranked: Sequence[Candidate] = ()
) -> CaseResult:
    """Return the verdict on `chosen` (None for review) as the pick for `case`."""
    if chosen is None:
        verdict = Verdict.REVIEW if case.expect else Verdict.NO_UPLOAD
        return CaseResult(case, None, tuple(ranked), verdict)
    bvid = chosen.hit.bvid
    if bvid not in case.acceptable:
        return CaseResult(case, chosen, tuple(ranked), Verdict.WRONG, case.kinds[bvid])
    if bvid in case.parts:
        page = chosen.part.page if chosen.part is not None else None
        if page != case.part:
            return CaseResult(case, chosen, tuple(ranked), Verdict.WRONG, WRONG_PART)
    return CaseResult(case, chosen, tuple(ranked), Verdict.RIGHT)


@dataclass(frozen=True)
class Summary:
    """Counts over a set of case results."""

    cases: int
    answerable: int
    """Cases whose page has a right upload."""
    correct: int
    strict: int
    """Right picks of exactly the `expect` upload, plus correct no-upload cases."""
    review: int
    wrong: int
    wrong_version: int

    @property
    def top1(self) -> float:
        """Return the share of cases with a correct result (a pick or no pick)."""
        return self.correct / self.cases if self.cases else 0.0

    @property
    def review_rate(self) -> float:
        """Return the share of answerable cases sent to review."""
        return self.review / self.answerable if self.answerable else 0.0


def summarize(results: Sequence[CaseResult]) -> Summary:
    """Count verdicts over `results`."""
    return Summary(
        cases=len(results),
        answerable=sum(r.case.expect is not None for r in results),
        correct=sum(r.correct for r in results),
        strict=sum(_strictly_right(r) for r in results),
        review=sum(r.verdict is Verdict.REVIEW for r in results),
        wrong=sum(r.verdict is Verdict.WRONG for r in results),
        wrong_version=sum(r.wrong_version for r in results),
    )


def _strictly_right(result: CaseResult) -> bool:
    if result.verdict is Verdict.NO_UPLOAD:
        return True
    chosen = result.chosen
    return (
        result.verdict is Verdict.RIGHT
        and chosen is not None
        and (chosen.hit.bvid == result.case.expect)
    )
