"""Rank Bilibili search hits for a parsed song name, with the reason for each score.

A hit scores from its title similarity (rapidfuzz, on NFKC case-folded text with
punctuation removed) and its artist evidence (artist named in the title, as the
uploader, or in the tags). Versions are symmetric: a version the user asked for
must be in the hit's title or tags, or the hit is rejected, and a version marker
the user did not ask for costs points. The music zones for live, cover,
instrumental performance, AI and fan-cam uploads cost points too. Gates reject
supporter-only uploads and lengths outside one song (a loop, a compilation or a
clip) unless a requested version or a matching part explains them. Bilibili's own
rank, then popularity on a log scale, add at most a couple of points, so they only
break near-ties.

The rules live in the tables below (VERSION_TAGS, ZONE_RULES and the weights),
so a new marker is one line of data.

NOTE: simplified and traditional Chinese are not folded together, so `夢燈籠`
does not match an upload titled `梦灯笼`. A conversion library such as OpenCC
would fix that; it is not a dependency yet.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from loguru import logger
from rapidfuzz import fuzz

from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.songs.names import SongName, restore_underscores

DEFAULT_THRESHOLD: float = 70.0
"""Lowest score picked without review. An exact title with the artist in it scores
about 100, and an unrequested live, cover, instrumental or remix marker (35 points)
drops even that below this."""

TITLE_WEIGHT = 0.6
ARTIST_WEIGHT = 0.4
MIN_TITLE_SCORE = 60.0
"""Hits whose title similarity is below this are a different song."""
ALIAS_FACTOR = 0.9
"""An alias (a translation in brackets) counts a little less than the title."""
PARTIAL_MATCH_CAP = 95.0
"""A fuzzy match scores at most this, so an exact title wins a near-tie."""
ARTIST_IN_TITLE = 100.0
ARTIST_IS_UPLOADER = 90.0
ARTIST_IN_TAGS = 80.0
ARTIST_CREDITED_AS_ORIGINAL = 40.0
"""A cover names the singer it copies (`原唱：王贰浪`): weak evidence."""
UPLOADER_MIN_RATIO = 85.0
WEAK_VERSION_PENALTY = 20.0
"""A requested version found only as its kind (another remixer's Remix)."""
VERSION_MIN_RATIO = 90.0
MIN_DURATION = 60
MAX_DURATION = 15 * 60
PART_MIN_TITLE = 80.0
RANK_BONUS_MAX = 2.0
RANK_BONUS_STEP = 0.1
PLAY_BONUS_PER_DECADE = 0.01
PLAY_BONUS_MAX = 0.09
"""Below RANK_BONUS_STEP, so popularity reorders only hits of equal rank bonus."""
BASE_SCALE = (100 - RANK_BONUS_MAX - PLAY_BONUS_MAX) / 100
"""Leaves room under 100 for the tie-breakers, so a perfect hit keeps them."""


@dataclass(frozen=True)
class VersionTag:
    """A kind of version and the words that mark it in a title."""

    name: str
    penalty: float
    """Points lost when a hit's title has the marker but the request does not."""
    words: tuple[str, ...]
    """Markers in any script; ASCII ones match only as whole words."""


VERSION_TAGS: tuple[VersionTag, ...] = (
    VersionTag("instrumental", 35, (
        "伴奏", "纯伴奏", "伴奏版", "消音", "消音版", "无人声", "去人声", "消人声",
        "纯音乐", "instrumental", "inst", "off vocal", "offvocal", "karaoke", "ktv",
        "卡拉ok", "backing track", "オフボーカル", "インスト", "カラオケ",
    )),
    VersionTag("live", 35, (
        "live", "现场", "演唱会", "音乐节", "concert", "舞台", "纯享", "直播",
        "饭拍", "fancam", "ライブ",
    )),
    VersionTag("cover", 35, (
        "cover", "翻唱", "翻自", "翻弹", "改编", "填词", "女声版", "男声版",
        "女生版", "男生版", "カバー", "歌ってみた",
    )),
    VersionTag("performance", 35, (
        "弹唱", "演奏", "弹奏", "指弹", "钢琴", "piano", "吉他", "guitar", "古筝",
        "二胡", "小提琴", "violin", "笛子", "八音盒", "music box", "弾いてみた",
    )),
    VersionTag("remix", 35, (
        "remix", "rmx", "mix", "dj", "dj版", "bootleg", "mashup", "混音", "rework",
    )),
    VersionTag("original mix", 5, ("original mix",)),
    VersionTag("tv size", 15, (
        "tv size", "tv ver", "tv version", "tv edit", "tv版", "radio edit",
        "short ver", "short version",
    )),
    VersionTag("language", 15, (
        "国语", "国语版", "粤语", "粤语版", "日语版", "日文版", "英文版", "英语版",
        "韩语版", "中文版", "闽南语",
    )),
    VersionTag("acoustic", 35, (
        "acoustic", "unplugged", "不插电", "清唱", "acapella", "a cappella",
        "纯人声", "人声版", "干声",
    )),
    VersionTag("altered", 40, (
        "nightcore", "slowed", "reverb", "sped up", "speed up", "加速", "降速",
        "降调", "升调", "变调", "8d", "环绕", "bass boosted", "重低音", "抖音版",
    )),
    VersionTag("clip", 40, (
        "片段", "剪辑", "副歌", "试听", "预览", "preview", "snippet", "抢先听",
    )),
    VersionTag("ai", 40, ("ai", "ai翻唱", "ai cover")),
    VersionTag("tutorial", 50, (
        "教程", "教学", "tutorial", "教你", "怎么唱", "曲谱", "吉他谱", "钢琴谱",
        "简谱", "动态谱",
    )),
    VersionTag("reaction", 50, (
        "reaction", "反应", "听后感", "乐评", "解析", "盘点", "测评",
    )),
    VersionTag("compilation", 40, (
        "合集", "串烧", "歌单", "精选", "合辑", "全集", "连播", "medley", "playlist",
    )),
    VersionTag("loop", 40, (
        "循环", "单曲循环", "小时", "1小时", "一小时", "loop", "hour", "hours",
    )),
)  # fmt: skip


@dataclass(frozen=True)
class ZoneRule:
    """A music zone (typeid) that contains one kind of version."""

    label: str
    penalty: float
    expected_for: frozenset[str]
    """Version tags that, when requested, make this zone the right place."""


ZONE_RULES: Mapping[int, ZoneRule] = {
    29: ZoneRule("live", 20, frozenset({"live"})),
    31: ZoneRule("cover", 20, frozenset({"cover", "performance"})),
    59: ZoneRule("performance", 20, frozenset({"performance", "instrumental"})),
    265: ZoneRule("AI", 30, frozenset({"ai"})),
    266: ZoneRule("fan-cam", 30, frozenset({"live"})),
}

ORIGINAL_CREDIT_WORDS: tuple[str, ...] = (
    "原唱", "原曲", "原作", "翻自", "cover", "original by", "orig",
)  # fmt: skip
"""Words a cover puts before the singer it copies."""

SHORT_EXPLAINED_BY = frozenset({"clip"})
LONG_EXPLAINED_BY = frozenset({"loop", "compilation"})


@dataclass(frozen=True)
class Candidate:
    """A search hit with its score and the reasons for it."""

    hit: SearchHit
    score: float
    """0 to 100; compare with a threshold such as DEFAULT_THRESHOLD."""
    reasons: tuple[str, ...]
    """Human-readable steps, e.g. "title 96" or "unrequested version: live (-35)"."""
    rejected: str | None = None
    """The gate that rejected the hit, e.g. "missing requested version 伴奏"."""
    part: VideoPart | None = None
    """The part of a multi-part upload that contains the song, if one was chosen."""

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
            "part": None if self.part is None else _part_dict(self.part),
        }


def _part_dict(part: VideoPart) -> dict[str, Any]:
    return {
        "cid": part.cid,
        "page": part.page,
        "title": part.title,
        "duration": part.duration,
    }


def rank_candidates(
    song: SongName,
    hits: Sequence[SearchHit],
    parts: Mapping[str, Sequence[VideoPart]] | None = None,
) -> list[Candidate]:
    """Score every hit and return them best first, rejected ones last.

    `parts` maps a bvid to the parts of that upload. A multi-part upload with a
    part that matches the song is judged by that part's title and length.
    """
    profile = _SongProfile.of(song)
    candidates = [
        _score_hit(profile, hit, _matching_part(song, hit, parts))
        for hit in _unique_hits(hits)
    ]
    candidates.sort(key=lambda c: (c.rejected is not None, -c.score, c.hit.rank))
    logger.debug(
        "ranked {} hits for {}; best {}",
        len(candidates),
        song.line,
        candidates[0].hit.bvid if candidates else None,
    )
    return candidates


def best_match(
    candidates: Sequence[Candidate], threshold: float = DEFAULT_THRESHOLD
) -> Candidate | None:
    """Return the best candidate that passed every gate and reached the threshold.

    None means no candidate is confident enough and the song needs review.
    """
    passed = [c for c in candidates if c.rejected is None and c.score >= threshold]
    if not passed:
        return None
    return max(passed, key=lambda c: (c.score, -c.hit.rank))


def pick_part(song: SongName, parts: Sequence[VideoPart]) -> VideoPart | None:
    """Return the part of an upload that contains the song, or None.

    A part qualifies when its length is that of one song and its title matches
    the song title at PART_MIN_TITLE or more. The best title wins, then the
    earliest part.
    """
    profile = _SongProfile.of(song)
    best: tuple[float, int] | None = None
    chosen: VideoPart | None = None
    for part in parts:
        if not MIN_DURATION <= part.duration <= MAX_DURATION:
            continue
        similarity = profile.title_similarity(part.title)
        key = (similarity, -part.page)
        if similarity >= PART_MIN_TITLE and (best is None or key > best):
            best, chosen = key, part
    return chosen


def normalize_text(text: str) -> str:
    """Return text in NFKC, case folded, with punctuation and brackets as spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    chars = (c if unicodedata.category(c)[0] in "LNM" else " " for c in folded)
    return " ".join("".join(chars).split())


def contains_term(term: str, text: str) -> bool:
    """Return whether normalised `term` occurs in normalised `text`.

    An edge of `term` that is an ASCII letter or digit must sit on a word
    boundary, so `eg` is not found in `legend`; CJK text has no such boundary.
    """
    if not term:
        return False
    return _term_pattern(term).search(text) is not None


def find_version_tags(text: str) -> dict[str, str]:
    """Return the version tags marked in normalised text, each with its marker.

    Longer markers win over the shorter ones they contain, so `original mix` is
    not also counted as `mix`.
    """
    found: dict[str, str] = {}
    for match in _marker_pattern().finditer(text):
        tag = _MARKER_TAGS[match.group(0)]
        found.setdefault(tag, match.group(0))
    return found


_MARKER_TAGS: dict[str, str] = {
    normalize_text(word): tag.name for tag in VERSION_TAGS for word in tag.words
}
_TAG_PENALTIES: dict[str, float] = {tag.name: tag.penalty for tag in VERSION_TAGS}


@lru_cache(maxsize=1)
def _marker_pattern() -> re.Pattern[str]:
    markers = sorted(_MARKER_TAGS, key=len, reverse=True)
    return re.compile("|".join(_bounded(marker) for marker in markers))


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(_bounded(term))


def _bounded(term: str) -> str:
    pattern = re.escape(term)
    if _is_ascii_alnum(term[0]):
        pattern = r"(?<![a-z0-9])" + pattern
    if _is_ascii_alnum(term[-1]):
        pattern += r"(?![a-z0-9])"
    return pattern


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True)
class _SongProfile:
    """The normalised parts of a song name that scoring compares against."""

    title: str
    aliases: tuple[str, ...]
    artists: tuple[tuple[str, str], ...]
    """(display form, normalised form) for each artist and artist alias."""
    versions: tuple[tuple[str, str], ...]
    """(clean form, normalised form) for each requested version."""
    expected_tags: frozenset[str]
    """Version tags that the song's own words mark, so a hit may carry them."""

    @classmethod
    def of(cls, song: SongName) -> _SongProfile:
        versions = tuple((v, normalize_text(v)) for v in song.clean_versions())
        aliases = tuple(
            normalize_text(restore_underscores(alias, inner="/"))
            for alias in song.aliases
        )
        own_words = [song.clean_title(), *song.clean_versions(), *song.aliases]
        own_words += [*song.clean_artists(), *song.featured]
        return cls(
            title=normalize_text(song.clean_title()),
            aliases=aliases,
            artists=tuple(_artist_terms(song)),
            versions=versions,
            expected_tags=frozenset(
                find_version_tags(normalize_text(" ".join(own_words)))
            ),
        )

    def title_similarity(self, text: str) -> float:
        target = normalize_text(text)
        best = _similarity(self.title, target)
        for alias in self.aliases:
            best = max(best, ALIAS_FACTOR * _similarity(alias, target))
        return best


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


def _similarity(term: str, text: str) -> float:
    if not term or not text:
        return 0.0
    if contains_term(term, text):
        return 100.0
    tokens = term.split()
    coverage = 100.0 * sum(len(t) for t in tokens if contains_term(t, text))
    coverage /= sum(len(t) for t in tokens)
    # partial_ratio aligns the shorter string inside the longer one, so a hit
    # title shorter than the song title must use the plain ratio instead.
    if len(text) >= len(term):
        fuzzy = fuzz.partial_ratio(term, text)
    else:
        fuzzy = fuzz.ratio(term, text)
    return max(coverage, min(PARTIAL_MATCH_CAP, fuzzy))


@dataclass
class _Scorecard:
    """Reasons, penalties and the first gate that failed, built up per hit."""

    reasons: list[str] = field(default_factory=list)
    points: float = 0.0
    rejected: str | None = None

    def adjust(self, points: float, reason: str) -> None:
        self.points += points
        self.reasons.append(reason)

    def reject(self, reason: str) -> None:
        self.reasons.append(f"rejected: {reason}")
        if self.rejected is None:
            self.rejected = reason


def _score_hit(
    profile: _SongProfile, hit: SearchHit, part: VideoPart | None
) -> Candidate:
    card = _Scorecard()
    expected = profile.expected_tags
    if part is not None:
        card.reasons.append(
            f"part P{part.page} {part.title!r} ({_format_duration(part.duration)})"
        )
        # The part is the song, so the upload being a compilation is no fault.
        expected |= LONG_EXPLAINED_BY
    base = _base_score(profile, hit, part, card)
    _check_supporter_only(hit, card)
    _check_requested_versions(profile, hit, card)
    _penalise_unrequested(hit, expected, card)
    _penalise_zone(hit, expected, card)
    _check_duration(part.duration if part else hit.duration, expected, card)
    _add_tie_breakers(hit, card)
    score = max(0.0, min(100.0, BASE_SCALE * base + card.points))
    return Candidate(hit, score, tuple(card.reasons), card.rejected, part)


def _base_score(
    profile: _SongProfile, hit: SearchHit, part: VideoPart | None, card: _Scorecard
) -> float:
    title = profile.title_similarity(hit.title)
    if part is not None:
        title = max(title, profile.title_similarity(part.title))
    card.reasons.append(f"title {title:.0f}")
    if title < MIN_TITLE_SCORE:
        card.reject(f"title similarity {title:.0f} below {MIN_TITLE_SCORE:.0f}")
    titles = hit.title if part is None else f"{hit.title} {part.title}"
    artist = _artist_evidence(profile, titles, hit, card)
    if artist is None:
        return title
    return TITLE_WEIGHT * title + ARTIST_WEIGHT * artist


def _artist_evidence(
    profile: _SongProfile, titles: str, hit: SearchHit, card: _Scorecard
) -> float | None:
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
    card.reasons.append(reason)
    return best


def _credited_as_original(term: str, title: str) -> bool:
    """Return whether every mention of the artist follows a word such as 原唱."""
    mentions = len(_term_pattern(term).findall(title))
    return len(_credit_pattern(term).findall(title)) == mentions


@lru_cache(maxsize=1024)
def _credit_pattern(term: str) -> re.Pattern[str]:
    words = "|".join(_bounded(normalize_text(w)) for w in ORIGINAL_CREDIT_WORDS)
    return re.compile(f"(?:{words}) ?{_bounded(term)}")


def _is_uploader(term: str, uploader: str) -> bool:
    if contains_term(term, uploader):
        return True
    return bool(uploader) and fuzz.ratio(term, uploader) >= UPLOADER_MIN_RATIO


def _check_supporter_only(hit: SearchHit, card: _Scorecard) -> None:
    if hit.is_charge:
        card.reject("supporter-only upload: only a preview plays")


def _check_requested_versions(
    profile: _SongProfile, hit: SearchHit, card: _Scorecard
) -> None:
    haystack = normalize_text(" ".join([hit.title, *hit.tags]))
    found_tags = find_version_tags(haystack)
    for clean, term in profile.versions:
        if _version_in(term, haystack):
            card.reasons.append(f"requested version {clean} present")
            continue
        kinds = find_version_tags(term)
        if kinds and kinds.keys() <= found_tags.keys():
            card.adjust(
                -WEAK_VERSION_PENALTY,
                f"requested version {clean} only as {', '.join(kinds)} "
                f"(-{WEAK_VERSION_PENALTY:.0f})",
            )
            continue
        card.reject(f"missing requested version {clean}")


def _version_in(term: str, haystack: str) -> bool:
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


def _penalise_unrequested(
    hit: SearchHit, expected: frozenset[str], card: _Scorecard
) -> None:
    # Only the title counts: tags are loose, and even official MVs carry 循环.
    for tag, marker in find_version_tags(normalize_text(hit.title)).items():
        if tag in expected:
            continue
        penalty = _TAG_PENALTIES[tag]
        card.adjust(-penalty, f"unrequested version: {tag} {marker!r} (-{penalty:.0f})")


def _penalise_zone(hit: SearchHit, expected: frozenset[str], card: _Scorecard) -> None:
    rule = ZONE_RULES.get(hit.typeid)
    if rule is None or rule.expected_for & expected:
        return
    card.adjust(
        -rule.penalty,
        f"zone {hit.typeid} {rule.label} (-{rule.penalty:.0f})",
    )


def _check_duration(seconds: int, expected: frozenset[str], card: _Scorecard) -> None:
    length = _format_duration(seconds)
    if seconds <= 0:
        card.reasons.append("duration unknown")
    elif seconds < MIN_DURATION and not expected & SHORT_EXPLAINED_BY:
        card.reject(f"duration {length} under 1:00 (a clip or preview)")
    elif seconds > MAX_DURATION and not expected & LONG_EXPLAINED_BY:
        card.reject(f"duration {length} over 15:00 (a loop, compilation or concert)")


def _add_tie_breakers(hit: SearchHit, card: _Scorecard) -> None:
    rank_bonus = max(0.0, RANK_BONUS_MAX - RANK_BONUS_STEP * hit.rank)
    card.adjust(rank_bonus, f"rank {hit.rank} (+{rank_bonus:.1f})")
    decades = math.log10(1 + max(0, hit.play))
    play_bonus = min(PLAY_BONUS_MAX, PLAY_BONUS_PER_DECADE * decades)
    card.adjust(play_bonus, f"plays {hit.play} (+{play_bonus:.2f})")


def _matching_part(
    song: SongName,
    hit: SearchHit,
    parts: Mapping[str, Sequence[VideoPart]] | None,
) -> VideoPart | None:
    if not parts or len(parts.get(hit.bvid, ())) < 2:
        return None
    return pick_part(song, parts[hit.bvid])


def _unique_hits(hits: Iterable[SearchHit]) -> list[SearchHit]:
    # Pages can overlap when results shift between requests; keep the first.
    first: dict[str, SearchHit] = {}
    for hit in hits:
        first.setdefault(hit.bvid, hit)
    return list(first.values())


def _format_duration(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes}:{rest:02d}"
