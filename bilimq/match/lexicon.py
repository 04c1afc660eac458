"""The words and zones that mark a version of a song, as data.

A version tag groups the markers of one kind of version (instrumental, live,
cover, …) with the points a hit loses when its title carries the marker but the
request does not. A zone rule gives the same for a music zone (typeid) whose
uploads are all of one kind. A new marker or zone is one line here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bilimq.match.text import bounded, normalize_text


@dataclass(frozen=True)
class VersionTag:
    """A kind of version and the words that mark it in a title."""

    name: str
    penalty: float
    """Points lost when a hit's title has the marker but the request does not."""
    words: tuple[str, ...]
    """Markers in any script; ASCII ones match only as whole words."""
    synonyms: bool = True
    """Whether every marker means the same as the others (`伴奏` and `Off Vocal`).
    The performance markers name different instruments, so they do not."""
    default: bool = False
    """Whether the tag describes the ordinary upload (`完整版`), so a request
    for it never rejects a hit that lacks the word."""
    about_length: bool = False
    """Whether the marker matters only through the length (a loop, a
    compilation): when the upload's length fits the reference, the marker is
    part of a name, as in `恋爱循环`, and costs nothing."""
    keeps_length: bool = False
    """Whether uploads of this kind last as long as the studio recording, as an
    instrumental made from its backing track does. Without a reference length,
    their lengths count toward the studio length (see `bilimq.match.ambiguity`)."""
    patterns: tuple[str, ...] = ()
    """Regular expressions over normalised text for markers written with
    numbers (`0.8x`, `降3key`), which a word list cannot enumerate. They use
    only non-capturing groups."""


# Normalising turns `0.8x` into `0 8x` and drops the sign of `+2key`, so the
# patterns match the folded forms. `1.0x` is the normal speed and is left out.
SPEED_FACTOR = r"(?<![a-z0-9])(?!1 0+ ?x)\d{1,2} \d{1,2} ?x(?![a-z0-9])"
"""A playback speed such as `0.8x`, `1.25x` or `0.75 x`."""
SPEED_MULTIPLE = r"(?:\d{1,2}(?: \d{1,2})? ?)?倍速"
"""A speed written in Chinese: `0.8倍速`, `1.5倍速` or plain `倍速`."""
KEY_SHIFT = r"(?<![a-z0-9])(?:[升降] ?)?\d{1,2} ?key(?![a-z0-9])"
"""A key shift in semitones: `降3key`, `升2key`, `+2key` or `-3key`."""
KEY_SHIFT_STEPS = r"[升降] ?\d{1,2} ?(?:个)?(?:调|半音)"
"""A key shift written in Chinese: `升2调`, `降3个调`, `降2半音`."""

VERSION_TAGS: tuple[VersionTag, ...] = (
    VersionTag("instrumental", 35, (
        "伴奏", "纯伴奏", "伴奏版", "消音", "消音版", "无人声", "去人声", "消人声",
        "纯音乐", "instrumental", "inst", "off vocal", "offvocal", "karaoke", "ktv",
        "卡拉ok", "backing track", "オフボーカル", "インスト", "カラオケ",
    ), keeps_length=True),
    VersionTag("live", 35, (
        "live", "现场", "演唱会", "音乐节", "concert", "舞台", "纯享", "直播",
        "饭拍", "直拍", "fancam", "ライブ", "the first take", "春晚", "晚会", "红白",
    )),
    VersionTag("cover", 35, (
        "cover", "翻唱", "翻自", "翻弹", "改编", "填词", "女声版", "男声版",
        "女生版", "男生版", "カバー", "歌ってみた",
    )),
    VersionTag("performance", 35, (
        "弹唱", "演奏", "弹奏", "指弹", "独奏", "钢琴", "piano", "吉他", "guitar",
        "古筝", "二胡", "琵琶", "口琴", "尤克里里", "ukulele", "小提琴", "violin",
        "笛子", "竖笛", "交响乐", "orchestra", "八音盒", "music box", "弾いてみた",
        "弾き語り",
    ), synonyms=False),
    VersionTag("remix", 35, (
        "remix", "rmx", "mix", "dj", "dj版", "bootleg", "mashup", "混音", "rework",
        "电音",
    )),
    VersionTag("original mix", 5, ("original mix",)),
    VersionTag("tv size", 30, (
        "tv size", "tv ver", "tv version", "tv edit", "tv版", "radio edit",
        "short ver", "short version", "ncop", "nced",
    )),
    VersionTag("language", 15, (
        "国语", "国语版", "粤语", "粤语版", "日语版", "日文版", "英文版", "英语版",
        "韩语版", "中文版", "闽南语", "japanese ver", "japanese version",
        "english ver", "english version", "korean ver", "korean version",
        "chinese ver", "chinese version",
    ), synonyms=False),
    VersionTag("acoustic", 35, (
        "acoustic", "unplugged", "不插电", "清唱", "acapella", "a cappella",
        "无伴奏", "纯人声", "人声版", "干声",
    ), synonyms=False),
    VersionTag("altered", 40, (
        "nightcore", "slowed", "reverb", "sped up", "speed up", "加速", "降速",
        "降调", "升调", "变调", "降key", "升key", "8d", "环绕", "bass boosted",
        "重低音", "抖音版",
    ), synonyms=False, patterns=(
        SPEED_FACTOR, SPEED_MULTIPLE, KEY_SHIFT, KEY_SHIFT_STEPS,
    )),
    VersionTag("clip", 40, (
        "片段", "剪辑", "副歌", "试听", "预览", "preview", "snippet", "抢先听",
        "名场面",
    )),
    VersionTag("ai", 40, ("ai", "ai翻唱", "ai cover")),
    VersionTag("tutorial", 50, (
        "教程", "教学", "tutorial", "教你", "怎么唱", "曲谱", "吉他谱", "钢琴谱",
        "简谱", "动态谱",
    ), synonyms=False),
    VersionTag("reaction", 50, (
        "reaction", "反应", "听后感", "乐评", "解析", "盘点", "测评",
    )),
    VersionTag("dance", 40, (
        "翻跳", "舞蹈", "宅舞", "编舞", "跳舞", "dance cover", "dance practice",
        "练习室", "mmd",
    )),
    VersionTag("compilation", 40, (
        "合集", "串烧", "歌单", "精选", "合辑", "全集", "连播", "全收录", "medley",
        "playlist",
    ), about_length=True),
    VersionTag("loop", 40, (
        "循环", "单曲循环", "小时", "1小时", "一小时", "loop", "hour", "hours",
    ), about_length=True),
    VersionTag(
        "other version", 10, ("ver", "version", "edition", "duet"), synonyms=False
    ),
    VersionTag("full", 0, (
        "完整版", "full", "full ver", "full version", "full size",
    ), default=True, keeps_length=True),
    VersionTag(
        "remaster", 0, ("remaster", "remastered", "修复"), default=True,
        keeps_length=True,
    ),
    VersionTag("original", 0, (
        "原版", "original ver", "original version",
    ), default=True, keeps_length=True),
)  # fmt: skip


@dataclass(frozen=True)
class ZoneRule:
    """A zone (typeid) whose uploads are one kind of version."""

    label: str
    penalty: float
    expected_for: frozenset[str]
    """Version tags that, when requested, make this zone the right place."""


ZONE_RULES: Mapping[int, ZoneRule] = {
    29: ZoneRule("live", 20, frozenset({"live"})),
    31: ZoneRule("cover", 20, frozenset({"cover", "performance"})),
    59: ZoneRule("performance", 20, frozenset({"performance", "instrumental"})),
    243: ZoneRule("commentary", 30, frozenset({"reaction"})),
    244: ZoneRule("music teaching", 30, frozenset({"tutorial"})),
    265: ZoneRule("AI", 30, frozenset({"ai"})),
    266: ZoneRule("fan-cam", 30, frozenset({"live"})),
}

MUSIC_ZONES = frozenset({28, 29, 30, 31, 59, 130, 193, 194, 243, 244, 265, 266, 267})
"""The child zones of 音乐 (tid 3). Zone 194 电音 is retired, but old uploads
keep it."""
OUTSIDE_MUSIC_PENALTY = 10.0
"""Points lost by an upload outside the music zones (dance, film, games, …),
because its sound is less often the song as released."""

MUSIC_VIDEO_ZONE = 193
"""Zone 193 MV: official and fan-made music videos."""
MUSIC_VIDEO_WORDS: tuple[str, ...] = (
    "mv", "pv", "m v", "music video", "official video", "music clip",
    "ミュージックビデオ", "뮤직비디오",
)  # fmt: skip
"""Words that mark a music video, whose intro and outro make it run longer than
the audio release."""

ORIGINAL_CREDIT_WORDS: tuple[str, ...] = (
    "原唱", "原曲", "原作", "翻自", "cover", "original by", "orig",
)  # fmt: skip
"""Words a cover puts before the singer it copies."""

TAGS_BY_NAME: Mapping[str, VersionTag] = {tag.name: tag for tag in VERSION_TAGS}


def find_version_tags(text: str) -> dict[str, str]:
    """Return the version tags marked in normalised text, each with its marker.

    Longer markers win over the shorter ones they contain, so `original mix` is
    not also counted as `mix`.
    """
    found: dict[str, str] = {}
    for tag, marker in find_markers(text):
        found.setdefault(tag, marker)
    return found


def find_markers(text: str) -> list[tuple[str, str]]:
    """Return (tag, marker) for every marker in normalised text, in text order."""
    table, pattern_tags = _marker_table(), _pattern_tags()
    found = []
    for match in _marker_pattern().finditer(text):
        marker, group = match.group(0), match.lastgroup
        # Only the number patterns are named groups; a word match has none.
        tag = table[marker] if group is None else pattern_tags[group]
        found.append((tag, marker))
    return found


@functools.cache
def _marker_table() -> dict[str, str]:
    # Built on first use: normalising the markers loads the script converter.
    return {
        normalize_text(word): tag.name for tag in VERSION_TAGS for word in tag.words
    }


@functools.cache
def _pattern_tags() -> dict[str, str]:
    """Return the tag name of each number pattern, by its regex group name."""
    patterns = [tag.name for tag in VERSION_TAGS for _ in tag.patterns]
    return {f"pattern{index}": name for index, name in enumerate(patterns)}


@functools.cache
def _marker_pattern() -> re.Pattern[str]:
    # The number patterns come first so `0 8倍速` is one marker; among the
    # words, longer ones come first so `original mix` is not also `mix`.
    patterns = [pattern for tag in VERSION_TAGS for pattern in tag.patterns]
    shapes = [
        f"(?P<{group}>{pattern})"
        for group, pattern in zip(_pattern_tags(), patterns, strict=True)
    ]
    words = sorted(_marker_table(), key=len, reverse=True)
    shapes.append(f"(?:{'|'.join(bounded(word) for word in words)})")
    return re.compile("|".join(shapes))


@functools.lru_cache(maxsize=1024)
def credit_pattern(term: str) -> re.Pattern[str]:
    """Return a pattern for `term` right after a credit word such as 原唱."""
    words = "|".join(bounded(normalize_text(w)) for w in ORIGINAL_CREDIT_WORDS)
    return re.compile(f"(?:{words}) ?{bounded(term)}")
