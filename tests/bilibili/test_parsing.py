"""Parsing of search items, durations, titles and cover URLs."""

from __future__ import annotations

import pytest

from bilimq.bilibili.parsing import (
    absolute_url,
    clean_title,
    parse_duration,
    parse_search_items,
)


def item(**fields: object) -> dict[str, object]:
    """Return a search item with realistic defaults, overridden by `fields`."""
    base: dict[str, object] = {
        "type": "video",
        "aid": 243082173,
        "bvid": "BV1De411p77r",
        "title": '梦然-《<em class="keyword">少年</em>》官方版',
        "author": "大橘爱吃猫",
        "mid": 178932626,
        "duration": "4:2",
        "play": 1037655,
        "typeid": "193",
        "typename": "MV",
        "tag": "华语MV,国语MV,梦然,少年",
        "pic": "//i0.hdslb.com/bfs/archive/cover.jpg",
        "is_charge_video": 0,
    }
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ('梦然-《<em class="keyword">少年</em>》官方版', "梦然-《少年》官方版"),
        ("Grant &amp; Nevve - The Edge", "Grant & Nevve - The Edge"),
        ("&quot;LEVEL5-judgelight-&quot; 钢琴", '"LEVEL5-judgelight-" 钢琴'),
        ("a &lt;em&gt; b", "a <em> b"),
        ('It&#39;s <em class="keyword">Ghost</em>', "It's Ghost"),
    ],
)
def test_clean_title(markup: str, text: str) -> None:
    assert clean_title(markup) == text


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("4:2", 242),
        ("4:18", 258),
        ("58:6", 3486),
        ("60:0", 3600),
        ("0:59", 59),
        ("1:02:03", 3723),
        (75, 75),
    ],
)
def test_parse_duration(value: str | int, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "4:xx", "1:2:3:4", "-1:5", "4:"])
def test_parse_duration_invalid(value: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(value)


def test_absolute_url_protocol_relative() -> None:
    url = absolute_url("//i0.hdslb.com/bfs/archive/x.jpg")
    assert url == "https://i0.hdslb.com/bfs/archive/x.jpg"


def test_absolute_url_kept() -> None:
    assert absolute_url("http://127.0.0.1:8765/cover/x.jpg") == (
        "http://127.0.0.1:8765/cover/x.jpg"
    )


def test_search_item_fields() -> None:
    [hit] = parse_search_items([item()], "/search")
    assert hit.title == "梦然-《少年》官方版"
    assert hit.duration == 242
    assert hit.typeid == 193
    assert hit.tags == ("华语MV", "国语MV", "梦然", "少年")
    assert hit.pic == "https://i0.hdslb.com/bfs/archive/cover.jpg"
    assert hit.is_charge is False


def test_search_item_charge_flag() -> None:
    [hit] = parse_search_items([item(is_charge_video=1)], "/search")
    assert hit.is_charge is True


def test_search_items_skip_other_types() -> None:
    hits = parse_search_items([item(type="ketang"), item(bvid="BV1xx")], "/search")
    assert [hit.bvid for hit in hits] == ["BV1xx"]


def test_search_items_skip_malformed(log_lines: list[str]) -> None:
    items = [item(duration="--"), item(bvid="BV1ok"), {"type": "video"}]
    hits = parse_search_items(items, "/search")
    assert [(hit.bvid, hit.rank) for hit in hits] == [("BV1ok", 0)]
    assert sum("skipped a malformed search item" in line for line in log_lines) == 2


def test_search_items_play_as_string() -> None:
    [hit] = parse_search_items([item(play="12345")], "/search")
    assert hit.play == 12345
