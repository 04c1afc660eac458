"""Tell what a bracket group in a song line contains: a version, a credit or a name.

`(伴奏)`, `(Live)` and `(DOAN Remix)` are versions. `(feat. A)` and `(prod. B)`
credit other artists. Anything else, usually a translation such as `(为什么)`,
is another name for the song.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# A credit in running text needs the dot or the full word, because `ft` and
# `feat` also occur inside titles ("Left ft Right" stays one title).
TEXT_CREDIT = re.compile(
    r"(?i)(?<!\S)(?:feat\.|featuring\b|ft\.|prod\.(?:\s*by\b)?|produced\s+by\b)\s*"
)
# At the start of a bracket group the dot is optional: `(feat X)`, `(prod X)`.
_GROUP_CREDIT = re.compile(
    r"(?i)(?:feat\b\.?|featuring\b|ft\b\.?|prod\b\.?(?:\s*by\b)?|produced\s+by\b)\s*"
)

# Words that mark a bracket group as a version. ASCII words match only as whole
# words; CJK and kana markers match anywhere, because those scripts put no
# spaces between words (`甜味小少年ver`, `改编版原唱`).
_VERSION_WORDS_ASCII = (
    "live", "remix", "rmx", "mix", "cover", "inst", "instrumental", "karaoke",
    "off vocal", "acoustic", "unplugged", "edit", "tv size", "ver",
    "version", "remaster", "remastered", "demo", "acapella", "a cappella",
    "piano", "guitar", "orchestra", "orchestral", "arrange", "arranged",
    "bootleg", "mashup", "extended", "short", "nightcore", "slowed",
    "reverb", "sped up", "8d", "dj", "rework", "vip", "cut", "type [a-z0-9]",
    "type-[a-z0-9]",
)  # fmt: skip
_VERSION_WORDS_CJK = (
    "伴奏", "版", "现场", "翻唱", "翻自", "弹唱", "演奏", "纯音乐", "国语", "粤语",
    "日语", "英语", "韩语", "中文", "日文", "英文", "消音", "人声", "混音", "改编",
    "重制", "钢琴", "吉他", "古筝", "二胡", "八音盒", "清唱", "剪辑", "片段", "完整",
    "女声", "男声", "合唱", "降调", "升调", "纯享", "循环", "合集", "串烧",
    "カバー", "アレンジ", "ライブ", "インスト", "オフボーカル", "カラオケ",
)  # fmt: skip
_VERSION_MARKER = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(_VERSION_WORDS_ASCII)
    + r")(?![a-z0-9])|"
    + "|".join(_VERSION_WORDS_CJK)
)


def is_version_text(text: str) -> bool:
    """Return whether bracket content names a version (Live, 伴奏, Remix, …版)."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return _VERSION_MARKER.search(folded) is not None


# Lists repeat the same few group contents (伴奏, Live, Remix) many times.
@functools.lru_cache(maxsize=4096)
def classify_group(content: str) -> tuple[str, str]:
    """Return the kind of a bracket group and its content without the credit.

    The kind is `featured` for a credit such as `feat. A`, `version` for a
    version such as `伴奏` or `Live`, `empty`, or else `alias`.
    """
    content = content.strip()
    if not content:
        return "empty", content
    credit = _GROUP_CREDIT.match(content)
    if credit is not None and content[credit.end() :].strip():
        return "featured", content[credit.end() :].strip()
    if is_version_text(content):
        return "version", content
    return "alias", content
