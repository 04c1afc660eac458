"""The uploads the fake Bilibili serves, for the 18 lines of `examples/songs.txt`.

Each line has one right upload and several distractors shaped like real search
results: lives, covers, instrumentals (or the vocal original when an instrumental is
requested), hour-long loops, supporter-only uploads, multi-part compilations and AI
covers. As on Bilibili, a popular distractor often ranks above the right upload.
`EXPECTED_BVID` maps each line to the BV id a correct matcher picks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Music sub-zone ids (typeid) and their names, plus one game zone.
ORIGINAL, LIVE, VOCALOID, COVER, PERFORMANCE = 28, 29, 30, 31, 59
GENERAL, MOBILE_GAME, MV, AI_MUSIC = 130, 172, 193, 265
ZONE_NAMES = {
    ORIGINAL: "原创音乐",
    LIVE: "音乐现场",
    VOCALOID: "VOCALOID·UTAU",
    COVER: "翻唱",
    PERFORMANCE: "演奏",
    GENERAL: "音乐综合",
    MOBILE_GAME: "手机游戏",
    MV: "MV",
    AI_MUSIC: "AI音乐",
}

LOOP_SECONDS = 3600
# Supporter-only uploads play only a preview to everyone else.
CHARGE_PREVIEW_SECONDS = 30

# Bilibili's BV alphabet: base58 without 0, I, O and l.
_BV_ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
_PUBDATE_START = 1_546_300_800  # 2019-01-01 UTC
_PUBDATE_SPAN = 6 * 365 * 86_400


@dataclass(frozen=True)
class Part:
    """One part (分P) of an upload."""

    title: str
    duration: int
    """Seconds; the served audio has this length."""
    cid: int


@dataclass(frozen=True)
class Upload:
    """One search result: a video, or another kind of item named by `kind`."""

    bvid: str
    aid: int
    title: str
    """Plain text; the server escapes it and adds keyword highlights."""
    author: str
    mid: int
    typeid: int
    parts: tuple[Part, ...]
    play: int
    pubdate: int
    tags: tuple[str, ...]
    description: str
    is_charge: bool = False
    kind: str = "video"
    """The search item `type`; only "video" items have a view page and audio."""

    @property
    def duration(self) -> int:
        """Total seconds across all parts, as the view API reports it."""
        return sum(part.duration for part in self.parts)

    @property
    def typename(self) -> str:
        """Zone name shown next to the typeid."""
        return ZONE_NAMES.get(self.typeid, ZONE_NAMES[GENERAL])


@dataclass(frozen=True)
class Song:
    """One line of the song list and the uploads a search for it returns."""

    line: str
    title_words: tuple[str, ...]
    """Normalized words that must all appear in a search keyword."""
    aliases: tuple[tuple[str, ...], ...]
    """Other word sets that also find this song, e.g. another script."""
    uploads: tuple[Upload, ...]
    """Search results in Bilibili's rank order."""
    expected: Upload
    """The upload a correct matcher picks."""


def _digest(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:16], "big")


def make_bvid(seed: str) -> str:
    """Return a deterministic id shaped like a real one: `BV1` + 9 base58 chars."""
    number = _digest("bvid:" + seed)
    chars = []
    for _ in range(9):
        number, index = divmod(number, len(_BV_ALPHABET))
        chars.append(_BV_ALPHABET[index])
    return "BV1" + "".join(chars)


def _video(
    title: str,
    author: str,
    typeid: int,
    seconds: int,
    play: int,
    tags: str,
    *,
    parts: Iterable[tuple[str, int]] = (),
    charge: bool = False,
    kind: str = "video",
) -> Upload:
    seed = f"{author}|{title}"
    part_list = tuple(parts) or ((title, seconds),)
    return Upload(
        bvid=make_bvid(seed),
        aid=100_000_000 + _digest("aid:" + seed) % 900_000_000_000,
        title=title,
        author=author,
        mid=1_000_000 + _digest("mid:" + author) % 3_000_000_000,
        typeid=typeid,
        parts=tuple(
            Part(
                title=name,
                duration=length,
                cid=10**9 + _digest(f"cid:{seed}:{n}") % 10**10,
            )
            for n, (name, length) in enumerate(part_list, start=1)
        ),
        play=play,
        pubdate=_PUBDATE_START + _digest("date:" + seed) % _PUBDATE_SPAN,
        tags=tuple(tag for tag in tags.split(",") if tag),
        description=f"{title}\n喜欢的话请三连支持一下~",
        is_charge=charge,
        kind=kind,
    )


def _song(
    line: str,
    words: tuple[str, ...],
    uploads: tuple[Upload, ...],
    right: int,
    aliases: tuple[tuple[str, ...], ...] = (),
) -> Song:
    return Song(line, words, aliases, uploads, uploads[right])


# Uploads that the searches for two different lines both return.
_NERU_ORIGINAL = _video(
    "【鏡音リン・レン】病名は愛だった / 病名为爱【Neru】",
    "Neru_official", VOCALOID, 213, 3_210_000, "VOCALOID,镜音双子,病名为爱,Neru,原曲",
)  # fmt: skip
_ZUYA_MANDARIN = _video(
    "祖娅纳惜《病名为爱》国语版 完整版",
    "祖娅纳惜", GENERAL, 211, 1_870_000, "祖娅纳惜,病名为爱,国语,古风,翻唱",
)  # fmt: skip
_YANG_GUFENG = _video(
    "杨可爱《病名为爱-古风版》改编版 原唱：Neru",
    "杨可爱Ukulele", GENERAL, 217, 642_000, "杨可爱,病名为爱,古风版,改编,Neru",
)  # fmt: skip

# One table per line; the arguments of _video are title, uploader, typeid,
# seconds, play count and comma-separated tags.
SONGS: tuple[Song, ...] = (
    _song("玉盘 - 葫芦童声", ("玉盘",), right=1, uploads=(
        _video("【1小时循环】玉盘 - 葫芦童声 | 玉盘一样的月亮挂天上", "循环音乐站",
               GENERAL, LOOP_SECONDS, 853_000, "循环,1小时,玉盘,葫芦童声"),
        _video("葫芦童声《玉盘》完整版 官方音源", "葫芦童声官方", GENERAL, 207,
               1_204_000, "葫芦童声,玉盘,童声,国风"),
        _video("玉盘 翻唱 | 葫芦童声原唱 温柔女声版", "小鹿Deer", COVER, 212,
               96_000, "翻唱,玉盘,女声"),
        _video("【伴奏】玉盘 - 葫芦童声 纯伴奏 高品质", "伴奏小仓库", GENERAL, 207,
               41_000, "伴奏,玉盘,葫芦童声,纯伴奏"),
        _video("玉盘 AI翻唱 | AI孙燕姿", "AI歌手研究所", AI_MUSIC, 205, 23_000,
               "AI翻唱,玉盘,AI孙燕姿"),
    )),
    _song("Libertus - Chen-U_EG", ("libertus",), right=0, uploads=(
        _video("Chen-U & EG - Libertus【官方音源】", "Chen-U", ORIGINAL, 152, 318_000,
               "Libertus,Chen-U,EG,Phigros,音游"),
        _video("【Phigros】Libertus AT Lv.16 全连手元", "指尖音游人", MOBILE_GAME, 160,
               207_000, "Phigros,Libertus,音游,手元"),
        _video("Libertus - Chen-U 钢琴改编", "钢琴喵", PERFORMANCE, 158, 35_000,
               "钢琴,Libertus,音游曲"),
        _video("【音游曲合集】Phigros 精选 Libertus / Rrharil / Spasmodic",
               "音游曲收藏夹", GENERAL, 0, 112_000, "合集,Phigros,Libertus",
               parts=(("Rrharil", 141), ("Libertus - Chen-U & EG", 152),
                      ("Spasmodic", 167), ("Igallta", 149))),
    )),
    _song("Silent Street (Type A) - Hyunmin Cho _ seibin _ Youngkyoung Choi _ SHIFT UP",
          ("silent", "street"), right=2, uploads=(
        _video("【剑星 Stellar Blade】OST 全集 Silent Street / Eidos 7 / Xion【合集】",
               "游戏原声收藏家", GENERAL, 0, 488_000, "剑星,Stellar Blade,OST,合集",
               parts=(("Eidos 7", 214), ("Silent Street (Type A)", 198),
                      ("Silent Street (Type B)", 185), ("Xion", 232),
                      ("Wasteland", 206))),
        _video("Stellar Blade OST - Silent Street (Type B)", "游戏原声收藏家", GENERAL,
               185, 64_000, "剑星,Stellar Blade,OST,Silent Street"),
        _video("Stellar Blade OST - Silent Street (Type A) | Hyunmin Cho, seibin, "
               "Youngkyoung Choi", "游戏原声收藏家", GENERAL, 198, 57_000,
               "剑星,Stellar Blade,OST,SHIFT UP,Silent Street"),
        _video("【剑星】Silent Street 钢琴演奏", "琴键上的猫", PERFORMANCE, 170,
               18_000, "钢琴,剑星,Silent Street"),
        _video("剑星 Silent Street (Type A) 1小时循环 工作学习BGM", "循环音乐站",
               GENERAL, LOOP_SECONDS, 29_000, "循环,1小时,剑星,BGM"),
    )),
    _song("病名为爱 (国语) - 祖娅纳惜", ("病名为爱",), right=1, uploads=(
        _NERU_ORIGINAL,
        _ZUYA_MANDARIN,
        _YANG_GUFENG,
        _video("【翻唱】病名为爱 国语 温柔版 cover 祖娅纳惜", "糖糖想唱歌", COVER,
               215, 88_000, "翻唱,病名为爱,国语"),
        _video("病名为爱 国语版 伴奏 纯伴奏", "伴奏小仓库", GENERAL, 211, 52_000,
               "伴奏,病名为爱,国语"),
    )),
    _song("どうして… (为什么) - 凋叶棕", ("どうして",), right=0, uploads=(
        _video("【凋叶棕】どうして…（为什么）【东方Vocal / 中文字幕】",
               "凋叶棕字幕组", GENERAL, 276, 264_000, "东方,凋叶棕,东方Vocal,どうして"),
        _video("【东方Vocal】凋叶棕 名曲合集 Vol.3（含 どうして…）", "东方音乐馆",
               GENERAL, 0, 131_000, "东方,凋叶棕,合集",
               parts=(("遠野幻想物語", 301), ("どうして…", 276), ("儚きもの人間", 262),
                      ("暮色蒼然", 245))),
        _video("どうして…（为什么）中文翻唱【凋叶棕】", "翻唱的小明", COVER, 270,
               23_000, "翻唱,东方,凋叶棕"),
        _video("【东方】どうして… 凋叶棕 Live 现场 2019 例大祭", "同人展现场",
               LIVE, 290, 15_000, "Live,现场,东方,凋叶棕"),
    )),
    _song("BLUE DRAGON ('07 ver_) - 澤野弘之", ("blue", "dragon"), right=2, uploads=(
        _video("澤野弘之 LIVE [nZk] 2019 - BLUE DRAGON 现场", "澤野弘之资讯站", LIVE,
               265, 401_000, "澤野弘之,Live,现场,nZk"),
        _video("【作业BGM】BLUE DRAGON 澤野弘之 1小时循环", "循环音乐站", GENERAL,
               LOOP_SECONDS, 188_000, "循环,1小时,澤野弘之,BGM"),
        _video("澤野弘之 - BLUE DRAGON ('07 ver.)【高音质】", "SawanoHiroyuki资讯",
               GENERAL, 241, 176_000, "澤野弘之,BLUE DRAGON,进击的巨人"),
        _video("BLUE DRAGON (main theme) - 澤野弘之 钢琴演奏", "琴键上的猫",
               PERFORMANCE, 236, 22_000, "钢琴,澤野弘之"),
        _video("Blue Dragon 蓝龙 原声全集 (植松伸夫)", "游戏原声收藏家", GENERAL, 0,
               41_000, "蓝龙,Blue Dragon,植松伸夫,合集",
               parts=(("Blue Dragon Main Theme", 226), ("Eternity", 272),
                      ("Fire Dragon", 198))),
    )),
    _song("像鱼 (伴奏) - 王贰浪", ("像鱼",), right=3, uploads=(
        _video("王贰浪《像鱼》官方MV「我要记住你的样子 像鱼记住水的拥抱」", "王贰浪",
               MV, 279, 5_312_000, "王贰浪,像鱼,华语MV,治愈"),
        _video("【伴奏】王贰浪 - 像鱼 高品质伴奏 充电专属", "伴奏库", GENERAL, 279,
               82_000, "伴奏,像鱼,王贰浪", charge=True),
        _video("像鱼 - 王贰浪 Live 现场版 超好听", "现场音乐收藏", LIVE, 301,
               744_000, "Live,现场,像鱼,王贰浪"),
        _video("王贰浪 - 像鱼 伴奏 (纯伴奏 / 消音版)", "KTV伴奏制作人", GENERAL, 279,
               138_000, "伴奏,纯伴奏,消音,像鱼,王贰浪"),
        _video("像鱼 翻唱 | 女生版 cover 王贰浪", "糖糖想唱歌", COVER, 270, 96_000,
               "翻唱,像鱼,女声"),
        _video("【1小时循环】像鱼 - 王贰浪", "循环音乐站", GENERAL, LOOP_SECONDS,
               410_000, "循环,1小时,像鱼"),
        _video("【合集】王贰浪 热门歌曲合集 像鱼 / 往后余生 / 离人愁", "华语歌单",
               GENERAL, 0, 260_000, "合集,王贰浪,华语",
               parts=(("往后余生", 223), ("像鱼", 279), ("离人愁", 254))),
    )),
    _song("Let Her Go (DOAN Remix) - Doan", ("let", "her", "go"), right=1, uploads=(
        _video("Passenger - Let Her Go (Official Video) 官方MV", "欧美音乐搬运",
               MV, 253, 2_760_000, "Passenger,Let Her Go,欧美"),
        _video("Let Her Go (DOAN Remix) - Passenger / Doan 抖音热门", "电音搬运工",
               GENERAL, 190, 388_000, "Let Her Go,Remix,DOAN,电音"),
        _video("Let Her Go (Jasper Remix) 车载DJ", "车载DJ精选", GENERAL, 205, 97_000,
               "DJ,Remix,Let Her Go"),
        _video("Let Her Go 翻唱 | 吉他弹唱 cover", "吉他少年阿杰", COVER, 240,
               45_000, "翻唱,吉他弹唱,Let Her Go"),
        _video("Let Her Go (DOAN Remix) 1小时循环 睡眠版", "循环音乐站", GENERAL,
               LOOP_SECONDS, 66_000, "循环,1小时,Let Her Go"),
    )),
    _song("The Edge (Original Mix) - Grant _ Nevve", ("the", "edge"), right=0, uploads=(
        _video("Grant & Nevve - The Edge (Original Mix)", "Monstercat搬运", GENERAL,
               232, 143_000, "Monstercat,Grant,Nevve,电音"),
        _video("Grant & Nevve - The Edge (Radio Edit)", "电音搬运工", GENERAL, 176,
               52_000, "Monstercat,Grant,Nevve"),
        _video("【Monstercat】The Edge 1小时循环 Grant & Nevve", "循环音乐站",
               GENERAL, LOOP_SECONDS, 31_000, "循环,1小时,Monstercat"),
        _video("The Edge (Grant & Nevve) 钢琴版 Piano Cover", "琴键上的猫",
               PERFORMANCE, 214, 12_000, "钢琴,Piano Cover"),
    )),
    _song("LEVEL5-judgelight- (instrumental) - fripSide", ("level5", "judgelight"),
          right=2, uploads=(
        _video("【超电磁炮S OP】fripSide - LEVEL5-judgelight- 官方MV 高清",
               "ACG音乐MV", MV, 257, 1_980_000, "fripSide,超电磁炮,OP,动漫"),
        _video('【钢琴】"LEVEL5-judgelight-" 超电磁炮S OP 钢琴演奏', "琴键上的猫",
               PERFORMANCE, 250, 301_000, "钢琴,超电磁炮,演奏"),
        _video("fripSide - LEVEL5-judgelight- (instrumental)", "ACG伴奏资源",
               GENERAL, 257, 76_000, "fripSide,instrumental,伴奏,超电磁炮"),
        _video("fripSide LEVEL5-judgelight- Live 现场 2014 武道馆", "现场音乐收藏",
               LIVE, 270, 254_000, "fripSide,Live,现场"),
        _video("LEVEL5-judgelight- 翻唱【超电磁炮】", "糖糖想唱歌", COVER, 255,
               39_000, "翻唱,超电磁炮"),
    )),
    _song("Ghost (The Him Remix) - Au_Ra _ Alan Walker", ("ghost",), right=2, uploads=(
        _video("Au/Ra, Alan Walker - Ghost (Official Music Video)", "Alan Walker搬运",
               MV, 196, 1_350_000, "Alan Walker,Au/Ra,Ghost,电音"),
        _video("Justin Bieber - Ghost (Official Video)", "欧美音乐搬运", MV, 153,
               902_000, "Justin Bieber,Ghost,欧美"),
        _video("Au/Ra & Alan Walker - Ghost (The Him Remix)", "电音搬运工", GENERAL,
               211, 83_000, "Alan Walker,Au/Ra,The Him,Remix"),
        _video("Ghost (The Him Remix) 1小时循环", "循环音乐站", GENERAL, LOOP_SECONDS,
               14_000, "循环,1小时,Ghost"),
        _video("Au/Ra - Ghost 翻唱 cover", "糖糖想唱歌", COVER, 198, 21_000,
               "翻唱,Ghost"),
    )),
    _song("夢燈籠 (R7CKY 你的名字 Mix) - R7CKY", ("夢燈籠",), right=1,
          aliases=(("夢灯籠",), ("梦灯笼",)), uploads=(
        _video("RADWIMPS - 夢灯籠《你的名字》OP 官方", "RADWIMPS资讯", MV, 132,
               2_210_000, "RADWIMPS,你的名字,夢灯籠,新海诚"),
        _video("R7CKY - 夢燈籠 (R7CKY 你的名字 Mix)", "R7CKY", GENERAL, 165,
               487_000, "R7CKY,夢燈籠,你的名字,Remix"),
        _video("【AI翻唱】夢灯籠 - 你的名字 AI孙燕姿", "AI歌手研究所", AI_MUSIC, 134,
               58_000, "AI翻唱,夢灯籠,你的名字"),
        _video("夢燈籠 翻唱 | 你的名字 cover 日语", "糖糖想唱歌", COVER, 135, 33_000,
               "翻唱,你的名字,日语"),
        _video("RADWIMPS 夢灯籠 Live 现场 2016", "现场音乐收藏", LIVE, 150, 121_000,
               "RADWIMPS,Live,现场"),
    )),
    _song("病名为爱-古风版 (改编版原唱_ Neru) - 杨可爱", ("病名为爱", "古风版"),
          right=2, uploads=(
        _NERU_ORIGINAL,
        _ZUYA_MANDARIN,
        _YANG_GUFENG,
        _video("病名为爱 古风版 伴奏", "伴奏小仓库", GENERAL, 217, 28_000,
               "伴奏,病名为爱,古风版"),
        _video("【1小时循环】病名为爱-古风版 杨可爱", "循环音乐站", GENERAL,
               LOOP_SECONDS, 47_000, "循环,1小时,病名为爱"),
    )),
    _song("RISE（中文版）登峰造极境（语言版） - 祈Inory", ("rise", "登峰造极境"),
          right=1, uploads=(
        _video("RISE - The Glitch Mob, Mako, The Word Alive | 英雄联盟全球总决赛主题曲 "
               "登峰造极境", "英雄联盟赛事", MV, 192, 8_860_000,
               "英雄联盟,S8,RISE,登峰造极境"),
        _video("祈Inory《RISE 登峰造极境》中文版（语言版）", "祈Inory", GENERAL, 195,
               1_120_000, "祈Inory,RISE,登峰造极境,中文版"),
        _video("祈Inory 登峰造极境 Live 现场 2019 BW", "现场音乐收藏", LIVE, 210,
               233_000, "祈Inory,Live,现场,BW"),
        _video("【AI翻唱】登峰造极境 RISE 中文版 AI祈Inory", "AI歌手研究所", AI_MUSIC,
               195, 41_000, "AI翻唱,RISE,登峰造极境"),
        _video("RISE 登峰造极境 中文版 伴奏", "伴奏小仓库", GENERAL, 195, 19_000,
               "伴奏,RISE,登峰造极境"),
    )),
    _song("My Dearest (Instrumental_TV Edit) - supercell", ("my", "dearest"), right=2,
          uploads=(
        _video("supercell - My Dearest 官方MV【罪恶王冠 OP】", "ACG音乐MV", MV, 327,
               2_430_000, "supercell,罪恶王冠,OP,My Dearest"),
        _video("supercell - My Dearest (Instrumental)", "ACG伴奏资源", GENERAL, 327,
               95_000, "supercell,instrumental,伴奏,罪恶王冠"),
        _video("supercell - My Dearest (Instrumental / TV Edit)", "ACG伴奏资源",
               GENERAL, 90, 37_000, "supercell,instrumental,TV size,罪恶王冠"),
        _video("【罪恶王冠】My Dearest TV size 无字幕OP", "ACG音乐MV", MV, 90,
               611_000, "罪恶王冠,OP,TV size"),
        _video("【合集】罪恶王冠 OST 全集 (澤野弘之 / supercell / EGOIST)",
               "游戏原声收藏家", GENERAL, 0, 154_000, "罪恶王冠,OST,合集",
               parts=(("My Dearest", 327), ("My Dearest (TV Edit)", 90),
                      ("Euterpe", 263), ("βίος", 281))),
    )),
    _song("All Alone With You (Inst_) - EGOIST", ("all", "alone", "with", "you"),
          right=1, uploads=(
        _video("EGOIST - All Alone With You 官方MV【心理测量者 ED】", "ACG音乐MV", MV,
               268, 880_000, "EGOIST,心理测量者,ED"),
        _video("EGOIST - All Alone With You (Inst.) | Instrumental", "ACG伴奏资源",
               PERFORMANCE, 268, 26_000, "EGOIST,Inst.,伴奏,心理测量者"),
        _video("EGOIST All Alone With You Live 现场 2015", "现场音乐收藏", LIVE, 283,
               132_000, "EGOIST,Live,现场"),
        _video("All Alone With You 翻唱 | 心理测量者 ED cover", "糖糖想唱歌", COVER,
               265, 17_000, "翻唱,心理测量者"),
        _video("【1小时循环】All Alone With You - EGOIST", "循环音乐站", GENERAL,
               LOOP_SECONDS, 9_000, "循环,1小时,EGOIST"),
    )),
    _song("答案 (女声吉他弹唱) - 李瑨瑶", ("答案",), right=0, uploads=(
        _video("李瑨瑶《答案》女声吉他弹唱 完整版", "李瑨瑶", GENERAL, 221, 702_000,
               "李瑨瑶,答案,吉他弹唱,女声"),
        _video("杨坤 & 郭采洁《答案》官方MV", "华语MV收藏", MV, 230, 1_640_000,
               "杨坤,郭采洁,答案,华语MV"),
        _video("【吉他教学】答案 女声吉他弹唱 零基础教程", "吉他课堂", GENERAL, 1260,
               54_000, "吉他教学,答案", kind="ketang"),
        _video("答案 吉他弹唱 男声翻唱 cover", "吉他少年阿杰", COVER, 215, 61_000,
               "翻唱,吉他弹唱,答案"),
        _video("答案 - 杨坤 郭采洁 伴奏", "伴奏小仓库", GENERAL, 230, 22_000,
               "伴奏,答案"),
        _video("【1小时循环】答案 李瑨瑶 女声吉他弹唱", "循环音乐站", GENERAL,
               LOOP_SECONDS, 36_000, "循环,1小时,答案"),
    )),
    _song("勾指起誓 (甜味小少年ver) - 洛少爷", ("勾指起誓",), right=2, uploads=(
        _video("【洛天依原创】勾指起誓【ilem】", "ilem", VOCALOID, 233, 6_040_000,
               "洛天依,ilem,勾指起誓,VOCALOID"),
        _video("勾指起誓 翻唱 | 元气少女版", "糖糖想唱歌", COVER, 230, 72_000,
               "翻唱,勾指起誓"),
        _video("洛少爷《勾指起誓》甜味小少年ver.", "洛少爷", GENERAL, 232, 356_000,
               "洛少爷,勾指起誓,翻唱,少年音"),
        _video("【AI翻唱】勾指起誓 AI洛少爷", "AI歌手研究所", AI_MUSIC, 232, 15_000,
               "AI翻唱,勾指起誓"),
        _video("勾指起誓 甜味小少年ver 1小时循环", "循环音乐站", GENERAL,
               LOOP_SECONDS, 11_000, "循环,1小时,勾指起誓"),
    )),
)  # fmt: skip

EXPECTED_BVID: dict[str, str] = {song.line: song.expected.bvid for song in SONGS}


def normalize(text: str) -> str:
    """Return `text` in NFKC, case folded, the form keywords are compared in."""
    return unicodedata.normalize("NFKC", text).casefold()


def keyword_tokens(keyword: str) -> list[str]:
    """Split a keyword into normalized word tokens, dropping punctuation."""
    return re.findall(r"\w+", normalize(keyword))


class Catalog:
    """Songs and uploads, indexed for the server's routes."""

    def __init__(self, songs: Iterable[Song] = SONGS) -> None:
        self.songs = tuple(songs)
        self._by_bvid: dict[str, Upload] = {}
        self._by_aid: dict[int, Upload] = {}
        for song in self.songs:
            for upload in song.uploads:
                self._add(upload)

    def _add(self, upload: Upload) -> None:
        known = self._by_bvid.get(upload.bvid)
        if known is not None and known is not upload:
            raise ValueError(f"two different uploads share the BV id {upload.bvid}")
        self._by_bvid[upload.bvid] = upload
        self._by_aid[upload.aid] = upload

    def upload(self, bvid: str) -> Upload | None:
        """Return the video with this BV id, or None."""
        upload = self._by_bvid.get(bvid)
        return upload if upload is not None and upload.kind == "video" else None

    def upload_by_aid(self, aid: int) -> Upload | None:
        """Return the video with this av id, or None."""
        upload = self._by_aid.get(aid)
        return upload if upload is not None and upload.kind == "video" else None

    def find_song(self, keyword: str) -> Song | None:
        """Return the song a search keyword is about, or None.

        A song matches when all of its title words (or one alias set) appear in
        the keyword. When several match, the one with the longest words wins, so
        "病名为爱 古风版" finds the 古风版 line rather than plain 病名为爱.
        """
        tokens = keyword_tokens(keyword)
        best: Song | None = None
        best_score = 0
        for song in self.songs:
            for words in (song.title_words, *song.aliases):
                if all(_contains_word(tokens, word) for word in words):
                    score = sum(len(word) for word in words)
                    if score > best_score:
                        best, best_score = song, score
        return best


def _contains_word(tokens: list[str], word: str) -> bool:
    """Return True when `word` is a keyword token or, for CJK text, inside one.

    Chinese and Japanese queries are often typed without spaces, so a non-ASCII
    word may be part of a longer token.
    """
    if word.isascii():
        return word in tokens
    return any(word in token for token in tokens)
