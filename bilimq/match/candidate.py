"""A scored search hit and the reasons for its score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bilimq.bilibili.models import SearchHit, VideoPart


@dataclass(frozen=True)
class Candidate:
    """A search hit with its score and the reasons for it."""

    hit: SearchHit
    score: float
    """0 to 100; compare with a threshold such as DEFAULT_THRESHOLD."""
    reasons: tuple[str, ...]
    """Human-readable steps, e.g. "title 96" or "unrequested version: live (-35)"."""
    rejected: str | None = None
    """The reason given by the first failed gate, e.g. "missing requested
    version 伴奏", or None when every gate passed."""
    part: VideoPart | None = None
    """The part of a multi-part upload that contains the song, if one was chosen."""
    gate: str | None = None
    """The name of the first failed gate: one of GATES, or None."""
    unrequested: tuple[str, ...] = ()
    """The unrequested versions that cost points: version tag names found in
    the title (`live`) and zone labels (`zone live`, `zone outside music`)."""
    ambiguous: str | None = None
    """Why the candidate may not be picked without review although it passed
    every gate: without a reference length, an upload of near-equal score
    lasts clearly longer or shorter. None when nothing is in doubt."""

    @property
    def duration(self) -> int:
        """Return the length in seconds of the chosen part, else of the upload."""
        return self.part.duration if self.part is not None else self.hit.duration

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe summary for storing on the task."""
        hit = self.hit
        return {
            "bvid": hit.bvid,
            "aid": hit.aid,
            "title": hit.title,
            "author": hit.author,
            "duration": hit.duration,
            "typeid": hit.typeid,
            "rank": hit.rank,
            "play": hit.play,
            "pic": hit.pic,
            "score": round(self.score, 2),
            "reasons": list(self.reasons),
            "rejected": self.rejected,
            "gate": self.gate,
            "ambiguous": self.ambiguous,
            "part": None if self.part is None else part_dict(self.part),
        }


GATES: tuple[str, ...] = (
    "supporter-only",
    "title",
    "version",
    "duration",
    "length",
    "length-conflict",
)
"""Gate names in the order they are checked: supporter-only uploads, a different
song, a missing requested version, a length outside the tolerance of the
reference, and (without a reference) a length outside one song. The last gate
compares the uploads that passed the others: without a reference, a near-equal
upload of another length was preferred (see `bilimq.match.ambiguity`)."""


def part_dict(part: VideoPart) -> dict[str, Any]:
    """Return a JSON-safe summary of a part."""
    return {
        "cid": part.cid,
        "page": part.page,
        "title": part.title,
        "duration": part.duration,
    }
