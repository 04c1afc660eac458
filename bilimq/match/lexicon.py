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


VERSION_TAGS: tuple[VersionTag, ...] = (
    VersionTag("instrumental", 35, (
        "伴奏", "纯伴奏", "伴奏版", "消音", "消音版", "无人声", "去人声", "消人声",
        "纯音乐", "instrumental", "inst", "off vocal", "offvocal", "karaoke", "ktv",
        "卡拉ok", "backing track", "オフボーカル", "インスト", "カラオケ",
    )),
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
        "降调", "升调", "变调", "8d", "环绕", "bass boosted", "重低音", "抖音版",
    ), synonyms=False),
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
    ), default=True),
    VersionTag("remaster", 0, ("remaster", "remastered", "修复"), default=True),
    VersionTag("original", 0, (
        "原版", "original ver", "original version",
    ), default=True),
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
    table = _marker_table()
    return [(table[m.group(0)], m.group(0)) for m in _marker_pattern().finditer(text)]


@functools.cache
def _marker_table() -> dict[str, str]:
    # Built on first use: normalising the markers loads the script converter.
    return {
        normalize_text(word): tag.name for tag in VERSION_TAGS for word in tag.words
    }


@functools.cache
def _marker_pattern() -> re.Pattern[str]:
    markers = sorted(_marker_table(), key=len, reverse=True)
    return re.compile("|".join(bounded(marker) for marker in markers))


@functools.lru_cache(maxsize=1024)
def credit_pattern(term: str) -> re.Pattern[str]:
    """Return a pattern for `term` right after a credit word such as 原唱."""
    words = "|".join(bounded(normalize_text(w)) for w in ORIGINAL_CREDIT_WORDS)
    return re.compile(f"(?:{words}) ?{bounded(term)}")
