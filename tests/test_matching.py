from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.matching import (
    DEFAULT_THRESHOLD,
    GATES,
    VERSION_TAGS,
    Candidate,
    best_match,
    duration_tolerance,
    find_version_tags,
    needs_parts,
    normalize_text,
    pick_part,
    rank_candidates,
    search_queries,
    within_tolerance,
)
from bilimq.songs.names import SongName, parse_name

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "songs.txt"
MUSIC = 130  # 音乐综合, a zone with no version meaning
LIVE_ZONE = 29
COVER_ZONE = 31


def make_hit(title: str, rank: int, **fields: Any) -> SearchHit:
    values: dict[str, Any] = {
        "bvid": f"BV1xx411c7{rank:02d}",
        "aid": 1000 + rank,
        "title": title,
        "author": "路人甲",
        "mid": 1,
        "duration": 245,
        "play": 10_000,
        "typeid": MUSIC,
        "typename": "音乐综合",
        "tags": (),
        "pic": "https://i0.hdslb.com/bfs/archive/x.jpg",
        "rank": rank,
    }
    values.update(fields)
    return SearchHit(**values)


def pick(song: SongName, hits: list[SearchHit]) -> Candidate | None:
    return best_match(rank_candidates(song, hits), DEFAULT_THRESHOLD)


def test_live_ranked_first() -> None:
    song = parse_name("玉盘 - 葫芦童声")
    hits = [
        make_hit("【现场】玉盘 Live 葫芦童声", 0, typeid=LIVE_ZONE, play=900_000),
        make_hit("玉盘 - 葫芦童声", 1),
    ]
    chosen = pick(song, hits)
    assert chosen is not None
    assert chosen.hit.rank == 1


def test_cover_ranked_first() -> None:
    song = parse_name("玉盘 - 葫芦童声")
    hits = [
        make_hit("【翻唱】玉盘（原唱：葫芦童声）", 0, typeid=COVER_ZONE),
        make_hit("葫芦童声《玉盘》完整版", 1),
    ]
    chosen = pick(song, hits)
    assert chosen is not None
    assert chosen.hit.rank == 1


def test_unrequested_instrumental_first() -> None:
    song = parse_name("玉盘 - 葫芦童声")
    hits = [make_hit("玉盘 伴奏 葫芦童声", 0), make_hit("玉盘 葫芦童声", 1)]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert any("unrequested version: instrumental" in r for r in candidates[1].reasons)


def test_loop_ranked_first() -> None:
    song = parse_name("玉盘 - 葫芦童声")
    hits = [
        make_hit("玉盘 葫芦童声 1小时循环", 0, duration=3600, play=5_000_000),
        make_hit("玉盘 葫芦童声", 1),
    ]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert candidates[1].rejected is not None
    assert "over 15:00" in candidates[1].rejected


def test_requested_instrumental_wins() -> None:
    song = parse_name("像鱼 (伴奏) - 王贰浪")
    hits = [
        make_hit("王贰浪《像鱼》官方MV", 0, author="王贰浪", play=9_000_000),
        make_hit("像鱼 伴奏 王贰浪", 1),
    ]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert candidates[1].rejected == "missing requested version 伴奏"


def test_requested_instrumental_other_words() -> None:
    song = parse_name("All Alone With You (Inst_) - EGOIST")
    hits = [make_hit("EGOIST - All Alone With You (Instrumental)", 0)]
    chosen = pick(song, hits)
    assert chosen is not None
    assert "requested version Inst. present as instrumental" in chosen.reasons


def test_requested_remix_wins() -> None:
    song = parse_name("Let Her Go (DOAN Remix) - Doan")
    hits = [
        make_hit("Passenger - Let Her Go (Official Video)", 0, play=10_000_000),
        make_hit("Let Her Go (Acoustic) - Passenger", 1),
        make_hit("Let Her Go (DOAN Remix) 抖音热歌", 2, author="Doan"),
    ]
    chosen = pick(song, hits)
    assert chosen is not None
    assert chosen.hit.rank == 2


def test_requested_remix_by_other_remixer() -> None:
    song = parse_name("Ghost (The Him Remix) - Au_Ra _ Alan Walker")
    hits = [
        make_hit("Au/Ra, Alan Walker - Ghost (Alan Walker Remix)", 0),
        make_hit("Au/Ra, Alan Walker - Ghost (The Him Remix)", 1),
    ]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert candidates[1].score < candidates[0].score - 10


def test_original_mix_not_remix() -> None:
    song = parse_name("The Edge (Original Mix) - Grant _ Nevve")
    hits = [
        make_hit("Grant & Nevve - The Edge (Koven Remix)", 0),
        make_hit("Grant & Nevve - The Edge (Original Mix)", 1),
    ]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert candidates[1].rejected == "missing requested version Original Mix"


def test_below_threshold_returns_none() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hits = [
        make_hit("像鱼 翻唱 王贰浪", 0, typeid=COVER_ZONE),
        make_hit("像鱼 Live 王贰浪", 1, typeid=LIVE_ZONE),
        make_hit("风吹过八千里 王贰浪", 2),
    ]
    assert pick(song, hits) is None


def test_no_artist_evidence_below_threshold() -> None:
    song = parse_name("像鱼 - 王贰浪")
    assert pick(song, [make_hit("像鱼", 0)]) is None


def test_artist_as_uploader() -> None:
    song = parse_name("像鱼 - 王贰浪")
    chosen = pick(song, [make_hit("像鱼", 0, author="王贰浪")])
    assert chosen is not None
    assert "artist 王贰浪 is the uploader" in chosen.reasons


def test_artist_in_tags() -> None:
    song = parse_name("像鱼 - 王贰浪")
    chosen = pick(song, [make_hit("像鱼 高音质", 0, tags=("王贰浪", "华语"))])
    assert chosen is not None
    assert "artist 王贰浪 in tags" in chosen.reasons


def test_artist_part_of_credit() -> None:
    song = parse_name("Libertus - Chen-U_EG")
    chosen = pick(song, [make_hit("【Arcaea】Libertus - Chen-U", 0)])
    assert chosen is not None
    assert "artist Chen-U in title" in chosen.reasons


def test_artist_short_word_not_inside() -> None:
    song = parse_name("Song - EG")
    candidates = rank_candidates(song, [make_hit("Song legend", 0)])
    assert "no artist evidence" in candidates[0].reasons


def test_supporter_only_rejected() -> None:
    song = parse_name("像鱼 - 王贰浪")
    candidates = rank_candidates(song, [make_hit("像鱼 王贰浪", 0, is_charge=True)])
    assert candidates[0].rejected is not None
    assert "supporter-only" in candidates[0].rejected


def test_short_clip_rejected() -> None:
    song = parse_name("像鱼 - 王贰浪")
    candidates = rank_candidates(song, [make_hit("像鱼 王贰浪", 0, duration=31)])
    assert candidates[0].rejected == "duration 0:31 under 1:00 (a clip or preview)"


def test_requested_loop_allows_length() -> None:
    song = parse_name("像鱼 (1小时循环) - 王贰浪")
    chosen = pick(song, [make_hit("像鱼 1小时循环 王贰浪", 0, duration=3600)])
    assert chosen is not None


def test_zone_penalty() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hits = [
        make_hit("像鱼 王贰浪", 0, typeid=LIVE_ZONE),
        make_hit("像鱼 王贰浪", 1, bvid="BV1other"),
    ]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert "zone 29 live (-20)" in candidates[1].reasons


def test_requested_zone_no_penalty() -> None:
    song = parse_name("答案 (女声吉他弹唱) - 李瑨瑶")
    hit = make_hit("答案 女声吉他弹唱 李瑨瑶", 0, typeid=COVER_ZONE)
    chosen = pick(song, [hit])
    assert chosen is not None
    assert not any(r.startswith("zone") for r in chosen.reasons)


def test_different_song_rejected() -> None:
    song = parse_name("像鱼 - 王贰浪")
    candidates = rank_candidates(song, [make_hit("王贰浪 - 往事只能回味", 0)])
    assert candidates[0].rejected is not None
    assert "title similarity" in candidates[0].rejected


def test_title_shorter_hit_not_full_match() -> None:
    song = parse_name("RISE（中文版）登峰造极境（语言版） - 祈Inory")
    candidates = rank_candidates(song, [make_hit("RISE", 0)])
    assert candidates[0].rejected is not None
    assert "title similarity" in candidates[0].rejected


def test_artist_credited_as_original() -> None:
    song = parse_name("病名为爱-古风版 (改编版原唱_ Neru) - 杨可爱")
    title = "【翻唱】病名为爱-古风版 改编版原唱 Neru 原唱：杨可爱"
    candidates = rank_candidates(song, [make_hit(title, 0)])
    assert "artist 杨可爱 credited as the original singer" in candidates[0].reasons


def test_title_split_by_version() -> None:
    song = parse_name("RISE（中文版）登峰造极境（语言版） - 祈Inory")
    chosen = pick(song, [make_hit("RISE（中文版）登峰造极境（语言版）- 祈Inory", 0)])
    assert chosen is not None
    assert "title 100" in chosen.reasons


def test_alias_title_match() -> None:
    song = parse_name("どうして… (为什么) - 凋叶棕")
    chosen = pick(song, [make_hit("【凋叶棕】为什么", 0)])
    assert chosen is not None
    assert "title 90" in chosen.reasons


def test_rank_breaks_tie() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hits = [
        make_hit("像鱼 王贰浪", 4, play=10),
        make_hit("像鱼 王贰浪", 3, play=10),
        make_hit("像鱼 王贰浪", 5, play=50_000_000),
    ]
    assert [c.hit.rank for c in rank_candidates(song, hits)] == [3, 4, 5]


def test_popularity_breaks_equal_rank_bonus() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hits = [
        make_hit("像鱼 王贰浪", 25, play=10),
        make_hit("像鱼 王贰浪", 30, play=10**7),
    ]
    assert rank_candidates(song, hits)[0].hit.rank == 30


def test_duplicate_bvid_once() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hit = make_hit("像鱼 王贰浪", 0)
    assert len(rank_candidates(song, [hit, hit])) == 1


def test_best_match_skips_rejected() -> None:
    song = parse_name("像鱼 - 王贰浪")
    candidates = rank_candidates(song, [make_hit("像鱼 王贰浪", 0, is_charge=True)])
    assert candidates[0].score >= DEFAULT_THRESHOLD
    assert best_match(candidates, DEFAULT_THRESHOLD) is None


def test_best_match_empty() -> None:
    assert best_match([], DEFAULT_THRESHOLD) is None


def test_compilation_part_chosen() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hit = make_hit("2024热门华语歌曲合集 王贰浪", 0, duration=2400, bvid="BV1comp")
    parts = [
        VideoPart(cid=11, page=1, title="句号 - 邓紫棋", duration=240),
        VideoPart(cid=12, page=2, title="像鱼 - 王贰浪", duration=276),
        VideoPart(cid=13, page=3, title="像鱼 (Live)", duration=1200),
    ]
    candidates = rank_candidates(song, [hit], parts={"BV1comp": parts})
    chosen = best_match(candidates, DEFAULT_THRESHOLD)
    assert chosen is not None
    assert chosen.part == parts[1]


def test_compilation_without_parts_rejected() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hit = make_hit("2024热门华语歌曲合集 像鱼 王贰浪", 0, duration=2400)
    assert pick(song, [hit]) is None


def test_pick_part_none() -> None:
    song = parse_name("像鱼 - 王贰浪")
    parts = [VideoPart(cid=1, page=1, title="P1", duration=200)]
    assert pick_part(song, parts) is None


def test_to_dict_json_safe() -> None:
    song = parse_name("像鱼 (伴奏) - 王贰浪")
    hit = make_hit("像鱼 王贰浪", 0, bvid="BV1comp", duration=2400)
    parts = {"BV1comp": [VideoPart(1, 1, "像鱼 伴奏", 250), VideoPart(2, 2, "x", 9)]}
    data = rank_candidates(song, [hit], parts=parts)[0].to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["bvid"] == "BV1comp"
    assert data["part"] == {"cid": 1, "page": 1, "title": "像鱼 伴奏", "duration": 250}


def test_lexicon_markers_unique() -> None:
    markers = [normalize_text(word) for tag in VERSION_TAGS for word in tag.words]
    assert len(markers) == len(set(markers))


def test_lexicon_longest_marker_wins() -> None:
    assert find_version_tags("the edge original mix") == {
        "original mix": "original mix"
    }


def test_lexicon_ascii_whole_words() -> None:
    assert find_version_tags("olive rain brainstorm") == {}


@pytest.mark.parametrize(
    ("title", "marker"),
    [
        ("水星记 郭顶 (抖音热门 0.8x)", "0 8x"),
        ("难却 1.25X", "1 25x"),
        ("漠河舞厅 0.8倍速", "0 8倍速"),
        ("漠河舞厅 倍速版", "倍速"),
        ("后来 降3key 低音也能唱", "降3key"),
        ("下山 升2调", "升2调"),
        ("光年之外 +2key", "2key"),
        ("光年之外 -3key", "3key"),
        ("光年之外 (降Key版)", "降key"),
    ],
)
def test_speed_and_key_markers(title: str, marker: str) -> None:
    assert find_version_tags(normalize_text(title)) == {"altered": marker}


@pytest.mark.parametrize(
    "title", ["晴天 1920x1080 高清", "晴天 1.0x 原速", "key of life", "2 keys"]
)
def test_speed_and_key_lookalikes(title: str) -> None:
    assert "altered" not in find_version_tags(normalize_text(title))


def test_speed_factor_costs_points() -> None:
    song = parse_name("水星记 - 郭顶")
    hits = [
        make_hit("水星记 郭顶 (抖音热门 0.8x)", 0, duration=400),
        make_hit("郭顶 - 水星记", 1, duration=325),
    ]
    ranked = rank_candidates(song, hits)
    slowed = next(c for c in ranked if c.hit.rank == 0)
    assert "unrequested version: altered '0 8x' (-40)" in slowed.reasons
    assert slowed.unrequested == ("altered",)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1


def test_requested_speed_needs_same_factor() -> None:
    song = parse_name("水星记 (0.8x) - 郭顶")
    hits = [
        make_hit("水星记 郭顶 1.25x", 0),
        make_hit("水星记 郭顶 0.8x", 1),
    ]
    ranked = rank_candidates(song, hits)
    other_speed = next(c for c in ranked if c.hit.rank == 0)
    assert "requested version 0.8x only as altered (-20)" in other_speed.reasons
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1


def distractor_page(song: SongName) -> list[SearchHit]:
    """Build a page with the right upload at rank 6 and distractors above it."""
    title = song.clean_title()
    versions = " ".join(song.clean_versions())
    artist = song.clean_artists()[0]
    requested = f"{title} ({versions})" if versions else title
    hits = [
        make_hit(f"【现场】{requested} Live {artist}", 0, typeid=LIVE_ZONE),
        make_hit(f"【翻唱】{requested} 原唱：{artist}", 1, typeid=COVER_ZONE),
        make_hit(f"{requested} {artist} 1小时循环", 2, duration=3600),
        make_hit(f"{requested} {artist} 无损音质", 3, is_charge=True),
        make_hit(f"热歌合集 {title} {artist} 等50首", 4, duration=9000),
    ]
    if versions:
        hits.append(make_hit(f"{artist}《{title}》官方MV", 5, play=20_000_000))
    else:
        hits.append(make_hit(f"{title} 伴奏 {artist}", 5))
    hits.append(make_hit(f"{artist} - {requested}", 6, author=artist, play=3_000))
    return hits


@pytest.mark.parametrize(
    "line", EXAMPLES.read_text(encoding="utf-8").splitlines(), ids=lambda s: s[:12]
)
def test_example_picks_right_upload(line: str) -> None:
    song = parse_name(line)
    chosen = pick(song, distractor_page(song))
    assert chosen is not None
    assert chosen.hit.rank == 6


# -- reference length -----------------------------------------------------------


def test_reference_rejects_far_upload() -> None:
    song = parse_name("紅蓮華 - LiSA")
    hits = [make_hit("【鬼灭之刃OP】紅蓮華 - LiSA", 0, duration=90)]
    candidate = rank_candidates(song, hits, reference=238)[0]
    assert candidate.gate == "duration"
    assert candidate.rejected == (
        "duration 1:30 is 148 s from the reference 3:58 (tolerance 20 s)"
    )


def test_reference_accepts_near_upload() -> None:
    song = parse_name("紅蓮華 - LiSA")
    hits = [make_hit("LiSA 紅蓮華 MV", 0, duration=250)]
    chosen = best_match(rank_candidates(song, hits, reference=238))
    assert chosen is not None
    assert "duration 4:10 within 12 s of the reference 3:58" in chosen.reasons


def test_reference_overrides_clip_gate() -> None:
    song = parse_name("夢灯籠 - RADWIMPS")
    hits = [make_hit("RADWIMPS - 夢灯籠", 0, duration=52)]
    assert best_match(rank_candidates(song, hits)) is None
    assert best_match(rank_candidates(song, hits, reference=50)) is not None


def test_reference_overrides_long_gate() -> None:
    song = parse_name("Suite Op_ 1 - 久石让")
    hits = [make_hit("久石让 - Suite Op. 1", 0, duration=17 * 60)]
    candidate = rank_candidates(song, hits, reference=17 * 60 + 30)[0]
    assert candidate.rejected is None


def test_reference_picks_near_tie() -> None:
    song = parse_name("天外来物 - 薛之谦")
    hits = [
        make_hit("薛之谦《天外来物》", 0, duration=331),
        make_hit("薛之谦 - 天外来物", 1, duration=257),
    ]
    chosen = best_match(rank_candidates(song, hits, reference=257))
    assert chosen is not None
    assert chosen.hit.rank == 1


# -- lengths without a reference ------------------------------------------------


def studio_and_live(**live: Any) -> list[SearchHit]:
    """Build a page where an unmarked live take outranks the studio upload."""
    return [
        make_hit("薛之谦《天外来物》", 0, duration=331, **live),
        make_hit("薛之谦 - 天外来物", 1, duration=257),
    ]


def test_unmarked_live_without_reference_ambiguous() -> None:
    song = parse_name("天外来物 - 薛之谦")
    hits = studio_and_live()
    ranked = rank_candidates(song, hits)
    assert best_match(ranked) is None
    live, studio = ranked
    assert live.ambiguous == (
        f"ambiguous: {hits[1].bvid} scores within 0.5 points but lasts 4:17 "
        "where this upload lasts 5:31"
    )
    assert studio.ambiguous is not None
    assert hits[0].bvid in studio.ambiguous
    assert live.ambiguous in live.reasons
    assert live.to_dict()["ambiguous"] == live.ambiguous


def test_reference_turns_length_rule_off() -> None:
    song = parse_name("天外来物 - 薛之谦")
    ranked = rank_candidates(song, studio_and_live(), reference=257)
    assert all(c.ambiguous is None for c in ranked)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1


def test_rival_below_margin_not_ambiguous() -> None:
    song = parse_name("天外来物 - 薛之谦")
    hits = studio_and_live(typeid=LIVE_ZONE)
    ranked = rank_candidates(song, hits)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1
    assert all(c.ambiguous is None for c in ranked)


def test_equal_length_reuploads_picked() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hits = [
        make_hit("王贰浪《像鱼》无损音质", 0, duration=286),
        make_hit("王贰浪 - 像鱼 动态歌词", 1, duration=287),
        make_hit("像鱼 王贰浪 高音质", 2, duration=284),
    ]
    ranked = rank_candidates(song, hits)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 0
    assert all(c.ambiguous is None and c.rejected is None for c in ranked)


def test_longer_music_video_picked_over_audio() -> None:
    song = parse_name("告白气球 - 周杰伦")
    hits = [
        make_hit("周杰伦 - 告白气球 (无损音质)", 0, duration=215),
        make_hit("周杰伦《告白气球》官方MV", 1, duration=242, typeid=193),
    ]
    ranked = rank_candidates(song, hits)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1
    assert any("music video runs up to 40 s longer" in r for r in chosen.reasons)
    audio = next(c for c in ranked if c.hit.rank == 0)
    assert audio.gate == "length-conflict"
    assert f"{hits[1].bvid} was preferred" in (audio.rejected or "")


def test_music_video_far_longer_ambiguous() -> None:
    song = parse_name("告白气球 - 周杰伦")
    hits = [
        make_hit("周杰伦 - 告白气球 (无损音质)", 0, duration=215),
        make_hit("周杰伦《告白气球》MV 完整剧情版", 1, duration=300),
    ]
    assert best_match(rank_candidates(song, hits)) is None


def test_music_video_with_clear_gap_picked() -> None:
    song = parse_name("告白气球 - 周杰伦")
    hits = [
        make_hit("告白气球 MV 超清", 0, duration=262, typeid=193),
        make_hit("周杰伦 - 告白气球 (无损音质)", 1, duration=215),
    ]
    ranked = rank_candidates(song, hits)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1
    assert ranked[0].score - ranked[1].score > 15
    assert all(c.ambiguous is None for c in ranked)


def test_majority_length_outvotes_live() -> None:
    song = parse_name("天外来物 - 薛之谦")
    hits = [
        *studio_and_live(),
        make_hit("天外来物 薛之谦 无损音质", 2, duration=258),
        make_hit("天外来物 伴奏 薛之谦", 3, duration=257),
    ]
    ranked = rank_candidates(song, hits)
    chosen = best_match(ranked)
    assert chosen is not None
    assert chosen.hit.rank == 1
    live = next(c for c in ranked if c.hit.rank == 0)
    assert live.gate == "length-conflict"
    assert "3 uploads last about 4:17, 1 about 5:31" in (live.rejected or "")


def test_two_equal_copies_no_majority() -> None:
    song = parse_name("下山 - 要不要买菜")
    hits = [
        make_hit("下山 要不要买菜 抖音爆火完整版", 0, duration=178),
        make_hit("要不要买菜《下山》热门", 1, duration=178),
        make_hit("要不要买菜 - 下山", 2, duration=204),
    ]
    assert best_match(rank_candidates(song, hits)) is None


def test_requested_live_lengths_may_differ() -> None:
    song = parse_name("晴天 (Live) - 周杰伦")
    hits = [
        make_hit("周杰伦 晴天 Live 2019嘉年华", 0, duration=335),
        make_hit("周杰伦 晴天 Live 2004无与伦比", 1, duration=302),
    ]
    chosen = best_match(rank_candidates(song, hits))
    assert chosen is not None
    assert chosen.hit.rank == 0


def test_requested_instrumental_keeps_rule() -> None:
    song = parse_name("一路生花 (伴奏) - 温奕心")
    hits = [
        make_hit("一路生花 伴奏 温奕心 抖音热门", 0, duration=178),
        make_hit("一路生花 伴奏 温奕心", 1, duration=248),
    ]
    assert best_match(rank_candidates(song, hits)) is None


def test_tolerance_grows_for_long_pieces() -> None:
    assert duration_tolerance(200) == 20
    assert duration_tolerance(240) == 20
    assert duration_tolerance(480) == 40
    assert duration_tolerance(480, base=10) == 20


def test_within_tolerance_edges() -> None:
    assert within_tolerance(221, 241)
    assert not within_tolerance(220, 241)
    assert within_tolerance(520, 480)


def test_gate_names_in_order() -> None:
    song = parse_name("像鱼 (伴奏) - 王贰浪")
    hit = make_hit("往事只能回味", 0, is_charge=True, duration=10)
    candidate = rank_candidates(song, [hit], reference=286)[0]
    assert GATES[-1] == "length-conflict"
    assert candidate.gate == GATES[0] == "supporter-only"
    assert "rejected: title similarity 0 below 60" in candidate.reasons
    assert candidate.to_dict()["gate"] == "supporter-only"


# -- folding --------------------------------------------------------------------


def test_traditional_matches_simplified() -> None:
    song = parse_name("夢燈籠 (R7CKY 你的名字 Mix) - R7CKY")
    hits = [make_hit("【电音】梦灯笼 (R7CKY 你的名字 Mix)", 0, author="R7CKY")]
    chosen = pick(song, hits)
    assert chosen is not None
    assert "title 100" in chosen.reasons


def test_japanese_forms_fold() -> None:
    assert normalize_text("千本桜") == normalize_text("千本樱")
    assert normalize_text("後來 劉若英") == normalize_text("后来 刘若英")


def test_width_case_accents_fold() -> None:
    assert normalize_text("ＬｉＳＡ") == "lisa"
    assert normalize_text("Céline Dion") == "celine dion"
    assert normalize_text("が") != normalize_text("か")


def test_import_loads_no_converter() -> None:
    code = "import sys, bilimq.matching; print('opencc' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


# -- versions -------------------------------------------------------------------


def test_marker_in_own_title_not_version() -> None:
    song = parse_name("Live While We're Young - One Direction")
    hits = [
        make_hit("One Direction - Live While We're Young (Live at MSG)", 0),
        make_hit("One Direction - Live While We're Young (Official Video)", 1),
    ]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert any("unrequested version: live" in r for r in candidates[1].reasons)


def test_instrument_in_own_title() -> None:
    song = parse_name("Piano Man - Billy Joel")
    hits = [
        make_hit("Piano Man 钢琴教学", 0, author="Billy Joel"),
        make_hit("Billy Joel - Piano Man", 1),
    ]
    assert rank_candidates(song, hits)[0].hit.rank == 1


def test_alias_with_version_words_required() -> None:
    song = parse_name("可能 (AI周深) - 程响")
    hits = [make_hit("程响 - 可能 完整版", 0), make_hit("【AI周深】可能 | 程响", 1)]
    candidates = rank_candidates(song, hits, {})
    assert candidates[0].hit.rank == 1
    assert candidates[1].rejected == "missing requested version AI周深"


def test_generic_version_any_synonym() -> None:
    song = parse_name("ドライフラワー (Off Vocal) - 優里")
    chosen = pick(song, [make_hit("ドライフラワー 伴奏 優里", 0)])
    assert chosen is not None
    assert "requested version Off Vocal present as 伴奏" in chosen.reasons


def test_instrument_version_not_synonym() -> None:
    song = parse_name("大鱼 (钢琴版) - 周深")
    hits = [make_hit("大鱼 古筝版 周深", 0), make_hit("大鱼 钢琴 周深", 1)]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert any("only as performance" in r for r in candidates[1].reasons)


def test_full_version_request_optional() -> None:
    song = parse_name("白月光与朱砂痣 (完整版) - 大籽")
    hits = [
        make_hit("白月光与朱砂痣 抖音片段 大籽", 0),
        make_hit("大籽 - 白月光与朱砂痣", 1),
    ]
    chosen = pick(song, hits)
    assert chosen is not None
    assert chosen.hit.rank == 1


def test_cover_by_artist_not_penalised() -> None:
    song = parse_name("我的一个道姑朋友 - 以冬")
    hit = make_hit("以冬 - 我的一个道姑朋友 (Cover Lon)", 0, author="以冬", typeid=31)
    chosen = pick(song, [hit])
    assert chosen is not None
    assert not any(r.startswith("zone") for r in chosen.reasons)


def test_cover_by_other_penalised() -> None:
    song = parse_name("我的一个道姑朋友 - 以冬")
    hit = make_hit("我的一个道姑朋友 翻唱 以冬", 0, author="路人甲", typeid=31)
    assert pick(song, [hit]) is None


def test_loop_word_ignored_at_reference_length() -> None:
    song = parse_name("恋愛サーキュレーション - 花澤香菜")
    hits = [make_hit("恋愛サーキュレーション 花澤香菜 (恋爱循环)", 0, duration=254)]
    assert pick(song, hits) is None
    assert best_match(rank_candidates(song, hits, reference=254)) is not None


def test_outside_music_zone_penalty() -> None:
    song = parse_name("像鱼 - 王贰浪")
    hits = [make_hit("像鱼 王贰浪", 0, typeid=20), make_hit("像鱼 王贰浪", 1)]
    candidates = rank_candidates(song, hits)
    assert candidates[0].hit.rank == 1
    assert any("outside music" in r for r in candidates[1].reasons)


def test_rank_prior_settles_near_tie() -> None:
    song = parse_name("像鱼 - 王贰浪")
    by_uploader = make_hit("像鱼", 0, author="王贰浪")
    near = [by_uploader, make_hit("像鱼 王贰浪", 1, bvid="BV1near")]
    far = [by_uploader, make_hit("像鱼 王贰浪", 9, bvid="BV1far")]
    assert rank_candidates(song, near)[0].hit.bvid == "BV1near"
    assert rank_candidates(song, far)[0].hit.rank == 0


# -- parts ----------------------------------------------------------------------


def test_part_studio_over_live() -> None:
    song = parse_name("夜曲 - 周杰伦")
    parts = [
        VideoPart(cid=1, page=1, title="夜曲 (Live)", duration=270),
        VideoPart(cid=2, page=2, title="夜曲", duration=226),
    ]
    assert pick_part(song, parts) == parts[1]


def test_part_requested_version() -> None:
    song = parse_name("入海 (伴奏) - 毛不易")
    parts = [
        VideoPart(cid=1, page=1, title="入海 原版", duration=284),
        VideoPart(cid=2, page=2, title="入海 伴奏", duration=284),
    ]
    assert pick_part(song, parts) == parts[1]


def test_part_by_reference_length() -> None:
    song = parse_name("God knows... - 平野綾")
    parts = [
        VideoPart(cid=1, page=1, title="God knows... (TV size)", duration=90),
        VideoPart(cid=2, page=2, title="God knows...", duration=278),
    ]
    assert pick_part(song, parts) == parts[1]
    assert pick_part(song, parts, reference=90) == parts[0]


@pytest.mark.parametrize(
    ("title", "duration", "expected"),
    [
        ("周杰伦 经典歌曲合集 持续更新", 2400, True),
        ("毛不易 - 入海 (P1原版 P2伴奏)", 568, True),
        ("周杰伦 地表最强演唱会 全场", 8400, True),
        ("晴天 周杰伦 一小时循环", 3600, False),
        ("周杰伦 - 晴天 MV 1080P", 270, False),
    ],
)
def test_needs_parts(title: str, duration: int, expected: bool) -> None:
    assert needs_parts(make_hit(title, 0, duration=duration)) is expected


# -- queries --------------------------------------------------------------------


def test_queries_full_then_reduced() -> None:
    song = parse_name("像鱼 (伴奏) - 王贰浪")
    assert search_queries(song) == [
        "像鱼 伴奏 王贰浪",
        "像鱼 王贰浪",
        "像魚 王贰浪",
        "像鱼",
    ]


def test_queries_simplified_variant() -> None:
    song = parse_name("夢燈籠 - RADWIMPS")
    assert search_queries(song) == ["夢燈籠 RADWIMPS", "梦灯笼 RADWIMPS", "夢燈籠"]


def test_queries_no_variant_for_kana() -> None:
    song = parse_name("アイドル - YOASOBI")
    assert search_queries(song) == ["アイドル YOASOBI", "アイドル"]


def test_queries_deduplicated() -> None:
    assert search_queries(parse_name("Lemon")) == ["Lemon"]
