"""Score one search hit: gates, evidence, penalties and tie-breakers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.match.candidate import Candidate
from bilimq.match.duration import (
    MAX_DURATION,
    MIN_DURATION,
    duration_tolerance,
    within_tolerance,
)
from bilimq.match.lexicon import (
    MUSIC_ZONES,
    OUTSIDE_MUSIC_PENALTY,
    TAGS_BY_NAME,
    ZONE_RULES,
    credit_pattern,
)
from bilimq.match.profile import SongProfile
from bilimq.match.text import contains_term, normalize_text, term_pattern
from bilimq.match.versions import assess_versions
from bilimq.songs.durations import format_duration

TITLE_WEIGHT = 0.6
ARTIST_WEIGHT = 0.4
MIN_TITLE_SCORE = 60.0
"""Hits whose title similarity is below this are a different song."""
ARTIST_IN_TITLE = 100.0
ARTIST_IS_UPLOADER = 90.0
ARTIST_IN_TAGS = 80.0
ARTIST_CREDITED_AS_ORIGINAL = 40.0
"""A cover names the singer it copies (`原唱：王贰浪`): weak evidence."""
UPLOADER_MIN_RATIO = 85.0
WEAK_VERSION_PENALTY = 20.0
"""A requested version found only as its kind (another remixer's Remix)."""
RANK_BONUS_MAX = 5.0
RANK_BONUS_STEP = 0.5
PLAY_BONUS_PER_DECADE = 0.01
PLAY_BONUS_MAX = 0.09
"""Below RANK_BONUS_STEP, so popularity reorders only hits of equal rank bonus."""
BASE_SCALE = (100 - RANK_BONUS_MAX - PLAY_BONUS_MAX) / 100
"""Leaves room under 100 for the tie-breakers, so a perfect hit keeps them."""

SHORT_EXPLAINED_BY = frozenset({"clip"})
LONG_EXPLAINED_BY = frozenset({"loop", "compilation"})


@dataclass
class Scorecard:
    """Reasons, points and the first gate that failed, built up per hit."""

    reasons: list[str] = field(default_factory=list)
    points: float = 0.0
    gate: str | None = None
    rejected: str | None = None
    unrequested: list[str] = field(default_factory=list)

    def note(self, reason: str) -> None:
        self.reasons.append(reason)

    def adjust(self, points: float, reason: str) -> None:
        self.points += points
        self.reasons.append(reason)

    def reject(self, gate: str, reason: str) -> None:
        self.reasons.append(f"rejected: {reason}")
        if self.rejected is None:
            self.gate, self.rejected = gate, reason


@dataclass(frozen=True)
class ArtistEvidence:
    """The best sign that a hit is by one of the song's artists."""

    score: float
    reason: str
    uploader: bool = False
    """True when an artist uploaded it: a cover by the artist is their version."""


def score_hit(
    profile: SongProfile,
    hit: SearchHit,
    part: VideoPart | None,
    *,
    reference: float | None,
    tolerance: float,
) -> Candidate:
    """Score one hit (or its chosen part) against the song."""
    card = Scorecard()
    if part is not None:
        length = format_duration(part.duration)
        card.note(f"part P{part.page} {part.title!r} ({length})")
    if hit.is_charge:
        card.reject("supporter-only", "supporter-only upload: only a preview plays")
    base, artist = _base_score(profile, hit, part, card)
    seconds = part.duration if part is not None else hit.duration
    fits = reference is not None and within_tolerance(seconds, reference, tolerance)
    _check_versions(profile, hit, part, artist, fits, card)
    _penalise_zone(profile, hit, artist, card)
    _check_length(seconds, profile, reference, tolerance, card)
    _add_tie_breakers(hit, card)
    score = max(0.0, min(100.0, BASE_SCALE * base + card.points))
    return Candidate(
        hit,
        score,
        tuple(card.reasons),
        card.rejected,
        part,
        card.gate,
        tuple(card.unrequested),
    )


def _base_score(
    profile: SongProfile, hit: SearchHit, part: VideoPart | None, card: Scorecard
) -> tuple[float, ArtistEvidence | None]:
    title = profile.title_similarity(hit.title)
    if part is not None:
        title = max(title, profile.title_similarity(part.title))
    card.note(f"title {title:.0f}")
    if title < MIN_TITLE_SCORE:
        card.reject(
            "title", f"title similarity {title:.0f} below {MIN_TITLE_SCORE:.0f}"
        )
    titles = hit.title if part is None else f"{hit.title} {part.title}"
    artist = _artist_evidence(profile, titles, hit)
    if artist is None:
        return title, None
    card.note(artist.reason)
    return TITLE_WEIGHT * title + ARTIST_WEIGHT * artist.score, artist


def _artist_evidence(
    profile: SongProfile, titles: str, hit: SearchHit
) -> ArtistEvidence | None:
    if not profile.artists:
        return None
    title = normalize_text(titles)
    uploader = normalize_text(hit.author)
    tags = [normalize_text(tag) for tag in hit.tags]
    best, reason = 0.0, "no artist evidence"
    for display, term in profile.artists:
        in_title = contains_term(term, title)
        if in_title and not _credited_as_original(term, title):
            evidence, detail = ARTIST_IN_TITLE, f"artist {display} in title"
        elif _is_uploader(term, uploader):
            evidence, detail = ARTIST_IS_UPLOADER, f"artist {display} is the uploader"
        elif any(contains_term(term, tag) for tag in tags):
            evidence, detail = ARTIST_IN_TAGS, f"artist {display} in tags"
        elif in_title:
            evidence = ARTIST_CREDITED_AS_ORIGINAL
            detail = f"artist {display} credited as the original singer"
        else:
            continue
        if evidence > best:
            best, reason = evidence, detail
    uploaded = any(_is_uploader(term, uploader) for _, term in profile.artists)
    return ArtistEvidence(best, reason, uploaded)


def _credited_as_original(term: str, title: str) -> bool:
    """Return whether every mention of the artist follows a word such as 原唱."""
    mentions = len(term_pattern(term).findall(title))
    return len(credit_pattern(term).findall(title)) == mentions


def _is_uploader(term: str, uploader: str) -> bool:
    if contains_term(term, uploader):
        return True
    return bool(uploader) and fuzz.ratio(term, uploader) >= UPLOADER_MIN_RATIO


def _check_versions(
    profile: SongProfile,
    hit: SearchHit,
    part: VideoPart | None,
    artist: ArtistEvidence | None,
    fits_reference: bool,
    card: Scorecard,
) -> None:
    # A part's own title names its version. The upload's title and tags
    # describe all of its parts.
    if part is None:
        fit = assess_versions(profile, hit.title, hit.tags)
    else:
        fit = assess_versions(profile, part.title)
    for version, words in fit.present:
        card.note(f"requested version {version.clean} present as {words}")
    for version in fit.optional:
        card.note(f"requested version {version.clean} not named; it is the default")
    for version in fit.weak:
        kinds = ", ".join(sorted(version.tags))
        card.adjust(
            -WEAK_VERSION_PENALTY,
            f"requested version {version.clean} only as {kinds} "
            f"(-{WEAK_VERSION_PENALTY:.0f})",
        )
    for version in fit.missing:
        card.reject("version", f"missing requested version {version.clean}")
    by_artist = artist is not None and artist.uploader
    for tag, marker in fit.unrequested:
        if tag == "cover" and by_artist:
            card.note(f"cover {marker!r} uploaded by the artist: their own version")
            continue
        if fits_reference and TAGS_BY_NAME[tag].about_length:
            card.note(f"{tag} {marker!r} ignored: the length fits the reference")
            continue
        penalty = TAGS_BY_NAME[tag].penalty
        card.adjust(-penalty, f"unrequested version: {tag} {marker!r} (-{penalty:.0f})")
        card.unrequested.append(tag)


def _penalise_zone(
    profile: SongProfile,
    hit: SearchHit,
    artist: ArtistEvidence | None,
    card: Scorecard,
) -> None:
    rule = ZONE_RULES.get(hit.typeid)
    if rule is not None:
        if rule.expected_for & profile.requested_tags:
            return
        if rule.label == "cover" and artist is not None and artist.uploader:
            return
        card.adjust(
            -rule.penalty, f"zone {hit.typeid} {rule.label} (-{rule.penalty:.0f})"
        )
        card.unrequested.append(f"zone {rule.label}")
    elif hit.typeid and hit.typeid not in MUSIC_ZONES:
        card.adjust(
            -OUTSIDE_MUSIC_PENALTY,
            f"zone {hit.typeid} {hit.typename or '?'} is outside music "
            f"(-{OUTSIDE_MUSIC_PENALTY:.0f})",
        )
        card.unrequested.append("zone outside music")


def _check_length(
    seconds: int,
    profile: SongProfile,
    reference: float | None,
    tolerance: float,
    card: Scorecard,
) -> None:
    length = format_duration(seconds)
    if seconds <= 0:
        card.note("duration unknown")
    elif reference is not None:
        _check_reference(seconds, reference, tolerance, card)
    elif seconds < MIN_DURATION and not profile.requested_tags & SHORT_EXPLAINED_BY:
        card.reject("length", f"duration {length} under 1:00 (a clip or preview)")
    elif seconds > MAX_DURATION and not profile.requested_tags & LONG_EXPLAINED_BY:
        card.reject(
            "length", f"duration {length} over 15:00 (a loop, compilation or concert)"
        )


def _check_reference(
    seconds: int, reference: float, tolerance: float, card: Scorecard
) -> None:
    # Inside the tolerance the reference overrides the clip and loop limits:
    # a 50-second jingle or a 20-minute suite is then the right length.
    allowed = duration_tolerance(reference, tolerance)
    gap = abs(seconds - reference)
    length, expected = format_duration(seconds), format_duration(reference)
    if gap > allowed:
        card.reject(
            "duration",
            f"duration {length} is {gap:.0f} s from the reference {expected} "
            f"(tolerance {allowed:.0f} s)",
        )
    else:
        card.note(f"duration {length} within {gap:.0f} s of the reference {expected}")


def _add_tie_breakers(hit: SearchHit, card: Scorecard) -> None:
    rank_bonus = max(0.0, RANK_BONUS_MAX - RANK_BONUS_STEP * hit.rank)
    card.adjust(rank_bonus, f"rank {hit.rank} (+{rank_bonus:.1f})")
    decades = math.log10(1 + max(0, hit.play))
    play_bonus = min(PLAY_BONUS_MAX, PLAY_BONUS_PER_DECADE * decades)
    card.adjust(play_bonus, f"plays {hit.play} (+{play_bonus:.2f})")
