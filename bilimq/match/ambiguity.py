"""Without a reference length, hold back a pick that a rival's length puts in doubt.

Titles often do not name a live take, a TV cut or a sped-up upload, so such an
upload scores like the studio recording, but it lasts clearly longer or
shorter. When the song's length is unknown, the candidates that passed every
gate and score within NEAR_TIE_MARGIN of the best are the contenders. The pick
is the first contender, best first, whose length is explained against every
other contender:

1. the two lengths agree within the duration tolerance (re-uploads of one
   recording);
2. the contender is a music video that runs at most MUSIC_VIDEO_EXTRA seconds
   longer: the video's intro and outro. The shorter upload is not picked on
   this ground, because it may be a cut or a sped-up copy;
3. the contender's length is the majority one: at least MAJORITY_MIN uploads
   of the song without a length-changing version last that long, within
   AGREEMENT_WINDOW, and fewer last as long as the rival.

Contenders that score above the pick fail the `length-conflict` gate. When no
contender is explained against all the others, every contender is marked
ambiguous and `best_match` returns None, so the song goes to review.

The rule is off when the request names a version whose takes differ in
length (live, remix, cover, …): then differing lengths are expected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bilimq.bilibili.models import SearchHit
from bilimq.match.candidate import Candidate
from bilimq.match.duration import duration_tolerance
from bilimq.match.lexicon import (
    MUSIC_VIDEO_WORDS,
    MUSIC_VIDEO_ZONE,
    TAGS_BY_NAME,
    VERSION_TAGS,
)
from bilimq.match.profile import SongProfile
from bilimq.match.scoring import RANK_BONUS_MAX
from bilimq.match.text import contains_term, normalize_text
from bilimq.songs.durations import format_duration

NEAR_TIE_MARGIN = RANK_BONUS_MAX + TAGS_BY_NAME["other version"].penalty
"""Points (15) within which two candidates are a near-tie. Bilibili's order
alone moves a score by up to 5 points, and the weakest version word (`ver.`)
costs 10. So a closer rival may be the same song in another version, which
only its length distinguishes."""
MUSIC_VIDEO_EXTRA = 40.0
"""Seconds a music video may run longer than the audio release without doubt:
an official MV's intro and outro usually add 10 to 40 s."""
AGREEMENT_WINDOW = 3.0
"""Seconds within which two uploads last the same. Re-uploads of one recording
usually differ by a second or two of trimmed silence or encoder padding."""
MAJORITY_MIN = 3
"""Uploads that must share a length before it counts as the studio one. Two
is not enough, because a popular sped-up copy may be uploaded twice."""
WITNESS_GATES = frozenset({None, "supporter-only", "version"})
"""Gates a candidate may have failed and still show the song's length: its title
names the song and its length is one song's (a supporter-only re-upload still
lists the full length)."""
KEEPS_LENGTH = frozenset(tag.name for tag in VERSION_TAGS if tag.keeps_length)
"""Version tags whose uploads last as long as the studio recording: a request
for them keeps the rule on, and an upload marked only with them is a witness."""

_LENGTH_UNKNOWN = "length unknown"
_LENGTHS_AGREE = "the lengths agree"
_PLAIN_EXPLANATIONS = (_LENGTH_UNKNOWN, _LENGTHS_AGREE)
"""Explanations too plain to note on the pick."""


def settle_lengths(
    profile: SongProfile, candidates: Sequence[Candidate], tolerance: float
) -> list[Candidate]:
    """Apply the length rule to ranked candidates; see the module docstring.

    Call it only when no reference length is known. The candidates keep their
    order. A contender above the pick comes back rejected. When no contender
    can be picked, every contender comes back with `ambiguous` set.
    """
    if not _lengths_comparable(profile):
        return list(candidates)
    contenders = _contenders(candidates)
    if len(contenders) < 2:
        return list(candidates)
    judge = LengthJudge(_witness_lengths(candidates), tolerance)
    pick = next((c for c in contenders if not judge.rivals(c, contenders)), None)
    if pick is None:
        updates = {
            c.hit.bvid: _mark_ambiguous(c, contenders, judge) for c in contenders
        }
    else:
        above = contenders[: contenders.index(pick)]
        updates = {c.hit.bvid: _set_aside(c, pick, contenders, judge) for c in above}
        updates[pick.hit.bvid] = _note_explained(pick, contenders, judge)
    return [updates.get(c.hit.bvid, c) for c in candidates]


class LengthJudge:
    """The comparison of contenders' lengths, backed by the page's witnesses."""

    def __init__(self, witnesses: Sequence[int], tolerance: float) -> None:
        self.witnesses = witnesses
        """Lengths of the uploads that show the song's studio length."""
        self.tolerance = tolerance

    def support(self, seconds: int) -> int:
        """Return how many witnesses last `seconds`, within AGREEMENT_WINDOW."""
        return sum(abs(w - seconds) <= AGREEMENT_WINDOW for w in self.witnesses)

    def explain(self, chosen: Candidate, rival: Candidate) -> str | None:
        """Return why `chosen` may be picked over `rival`, or None if nothing does."""
        mine, theirs = chosen.duration, rival.duration
        if mine <= 0 or theirs <= 0:
            return _LENGTH_UNKNOWN
        if abs(mine - theirs) <= duration_tolerance(mine, self.tolerance):
            return _LENGTHS_AGREE
        if is_music_video(chosen.hit) and 0 < mine - theirs <= MUSIC_VIDEO_EXTRA:
            return (
                f"a music video runs up to {MUSIC_VIDEO_EXTRA:.0f} s longer than "
                "the audio (intro and outro)"
            )
        mine_count, theirs_count = self.support(mine), self.support(theirs)
        if mine_count >= MAJORITY_MIN and mine_count > theirs_count:
            return (
                f"{mine_count} uploads last about {format_duration(mine)}, "
                f"{theirs_count} about {format_duration(theirs)}"
            )
        return None

    def rivals(
        self, chosen: Candidate, contenders: Sequence[Candidate]
    ) -> list[Candidate]:
        """Return the contenders whose lengths put `chosen` in doubt."""
        return [
            rival
            for rival in contenders
            if rival is not chosen and self.explain(chosen, rival) is None
        ]


def is_music_video(hit: SearchHit) -> bool:
    """Return whether a hit is a music video: zone MV or an MV word in its title."""
    if hit.typeid == MUSIC_VIDEO_ZONE:
        return True
    title = normalize_text(hit.title)
    return any(contains_term(normalize_text(word), title) for word in MUSIC_VIDEO_WORDS)


def _lengths_comparable(profile: SongProfile) -> bool:
    return all(tag in KEEPS_LENGTH for tag in profile.requested_tags)


def _contenders(candidates: Sequence[Candidate]) -> list[Candidate]:
    passed = [c for c in candidates if c.rejected is None]
    if not passed:
        return []
    best = max(c.score for c in passed)
    near = [c for c in passed if c.score >= best - NEAR_TIE_MARGIN]
    return sorted(near, key=lambda c: (-c.score, c.hit.rank))


def _witness_lengths(candidates: Sequence[Candidate]) -> list[int]:
    return [
        c.duration
        for c in candidates
        if c.gate in WITNESS_GATES
        and c.duration > 0
        and all(version in KEEPS_LENGTH for version in c.unrequested)
    ]


def _mark_ambiguous(
    candidate: Candidate, contenders: Sequence[Candidate], judge: LengthJudge
) -> Candidate:
    rival = judge.rivals(candidate, contenders)[0]
    gap = abs(candidate.score - rival.score)
    reason = (
        f"ambiguous: {rival.hit.bvid} scores within {gap:.1f} points but lasts "
        f"{format_duration(rival.duration)} where this upload lasts "
        f"{format_duration(candidate.duration)}"
    )
    return dataclasses.replace(
        candidate, ambiguous=reason, reasons=(*candidate.reasons, reason)
    )


def _set_aside(
    candidate: Candidate,
    pick: Candidate,
    contenders: Sequence[Candidate],
    judge: LengthJudge,
) -> Candidate:
    rival = judge.rivals(candidate, contenders)[0]
    reason = (
        f"lasts {format_duration(candidate.duration)} but {rival.hit.bvid} of "
        f"near-equal score lasts {format_duration(rival.duration)}; "
        f"{pick.hit.bvid} was preferred: {judge.explain(pick, candidate)}"
    )
    return dataclasses.replace(
        candidate,
        rejected=reason,
        gate="length-conflict",
        reasons=(*candidate.reasons, f"rejected: {reason}"),
    )


def _note_explained(
    pick: Candidate, contenders: Sequence[Candidate], judge: LengthJudge
) -> Candidate:
    notes = []
    for rival in contenders:
        why = judge.explain(pick, rival)
        if rival is not pick and why not in (None, *_PLAIN_EXPLANATIONS):
            notes.append(
                f"length {format_duration(pick.duration)} against {rival.hit.bvid} "
                f"({format_duration(rival.duration)}): {why}"
            )
    return dataclasses.replace(pick, reasons=(*pick.reasons, *notes))
