"""BilibiliClient against the fake server: cookies, signing, parsing, key cache."""

from __future__ import annotations

import re

import pytest

from bilimq.bilibili import BilibiliClient
from bilimq.bilibili.client import generate_buvid3
from bilimq.bilibili.constants import (
    NAV_PATH,
    SEARCH_ALL_PATH,
    SEARCH_TYPE_PATH,
    WBI_KEY_TTL_SECONDS,
)
from tests.bilibili.conftest import FakeClock
from tests.fakebili import EXPECTED_BVID, TEST_IMG_KEY, TEST_SUB_KEY, FakeBilibili

SPI_PATH = "/x/frontend/finger/spi"
XIANGYU = "像鱼 伴奏 王贰浪"


def test_nav_logged_out(client: BilibiliClient) -> None:
    info = client.nav()
    assert info.is_login is False
    assert (info.img_key, info.sub_key) == (TEST_IMG_KEY, TEST_SUB_KEY)


def test_nav_logged_in_with_sessdata(fake: FakeBilibili) -> None:
    cookies = {"SESSDATA": "abc%2C123"}
    with BilibiliClient(fake.api_base, cookies=cookies) as client:
        info = client.nav()
    assert info.is_login is True
    assert info.uname == "bilimq测试用户"


def test_search_gets_buvid3_from_spi(
    fake: FakeBilibili, client: BilibiliClient
) -> None:
    client.search_videos(XIANGYU)
    client.search_videos(XIANGYU, page=2)
    assert len(fake.requests_to(SPI_PATH)) == 1
    [first, second] = fake.requests_to(SEARCH_TYPE_PATH)
    assert "buvid3" in first.cookie_names
    assert "buvid3" in second.cookie_names


def test_search_keeps_given_buvid3(fake: FakeBilibili) -> None:
    with BilibiliClient(fake.api_base, cookies={"buvid3": "given"}) as client:
        client.search_videos(XIANGYU)
    assert fake.requests_to(SPI_PATH) == []


def test_buvid3_generated_when_spi_fails(
    fake: FakeBilibili, client: BilibiliClient
) -> None:
    fake.fail_next(SPI_PATH, "http500")
    hits = client.search_videos(XIANGYU)
    assert len(hits) == 7
    assert "buvid3" in fake.requests_to(SEARCH_TYPE_PATH)[0].cookie_names


def test_generated_buvid3_shape() -> None:
    pattern = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\d{5}infoc"
    assert re.fullmatch(pattern, generate_buvid3())


def test_search_sends_signed_query(fake: FakeBilibili, client: BilibiliClient) -> None:
    client.search_videos(XIANGYU)
    [request] = fake.requests_to(SEARCH_TYPE_PATH)
    assert "%20" in request.raw_query
    assert "+" not in request.raw_query
    assert request.query["keyword"] == XIANGYU
    assert re.fullmatch(r"[0-9a-f]{32}", request.query["w_rid"])
    assert request.query["wts"] == "1702204169"


def test_search_sends_browser_headers(
    fake: FakeBilibili, client: BilibiliClient
) -> None:
    client.search_videos(XIANGYU)
    headers = fake.requests_to(SEARCH_TYPE_PATH)[0].headers
    assert "Chrome/" in headers["User-Agent"]
    assert headers["Referer"] == "https://www.bilibili.com/"
    assert headers["Origin"] == "https://www.bilibili.com"


def test_search_rank_order(client: BilibiliClient) -> None:
    hits = client.search_videos(XIANGYU)
    assert [hit.rank for hit in hits] == list(range(7))
    assert hits[3].bvid == EXPECTED_BVID["像鱼 (伴奏) - 王贰浪"]


def test_search_cleans_titles(client: BilibiliClient) -> None:
    hits = client.search_videos("The Edge Original Mix Grant")
    assert hits[0].title == "Grant & Nevve - The Edge (Original Mix)"


def test_search_cleans_quotes(client: BilibiliClient) -> None:
    hits = client.search_videos("LEVEL5-judgelight- instrumental fripSide")
    assert hits[1].title == '【钢琴】"LEVEL5-judgelight-" 超电磁炮S OP 钢琴演奏'


def test_search_parses_fields(fake: FakeBilibili, client: BilibiliClient) -> None:
    hits = {hit.title: hit for hit in client.search_videos(XIANGYU)}
    loop = hits["【1小时循环】像鱼 - 王贰浪"]
    charge = hits["【伴奏】王贰浪 - 像鱼 高品质伴奏 充电专属"]
    live = hits["像鱼 - 王贰浪 Live 现场版 超好听"]
    assert loop.duration == 3600
    assert charge.is_charge is True
    assert live.typeid == 29
    assert live.typename == "音乐现场"
    assert live.duration == 301
    assert live.pic == f"{fake.api_base}/cover/{live.bvid}.jpg"
    assert "现场" in live.tags


def test_search_unknown_keyword(client: BilibiliClient) -> None:
    assert client.search_videos("没有这首歌 nothing") == []


def test_search_pagination(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.page_size = 3
    pages = [client.search_videos(XIANGYU, page=n) for n in (1, 2, 3, 4)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert pages[1][0].rank == 0
    assert pages[1][0].bvid == EXPECTED_BVID["像鱼 (伴奏) - 王贰浪"]


def test_search_skips_non_video_items(client: BilibiliClient) -> None:
    hits = client.search_videos("答案 女声吉他弹唱 李瑨瑶")
    assert len(hits) == 5
    assert all("教学" not in hit.title for hit in hits)


def test_search_rejects_bad_arguments(client: BilibiliClient) -> None:
    with pytest.raises(ValueError, match="empty"):
        client.search_videos("  ")
    with pytest.raises(ValueError, match="page 0"):
        client.search_videos(XIANGYU, page=0)


def test_search_all_video_group(fake: FakeBilibili, client: BilibiliClient) -> None:
    hits = client.search_all("Ghost The Him Remix Au Ra")
    assert len(hits) == 5
    assert hits[2].bvid == EXPECTED_BVID["Ghost (The Him Remix) - Au_Ra _ Alan Walker"]
    assert len(fake.requests_to(SEARCH_ALL_PATH)) == 1


def test_search_all_unknown_keyword(client: BilibiliClient) -> None:
    assert client.search_all("没有这首歌") == []


def test_video_info_multipart(client: BilibiliClient) -> None:
    compilation = client.search_videos(XIANGYU)[6]
    info = client.video_info(compilation.bvid)
    assert [part.title for part in info.pages] == ["往后余生", "像鱼", "离人愁"]
    assert [part.page for part in info.pages] == [1, 2, 3]
    assert info.duration == sum(part.duration for part in info.pages)
    assert info.pages[1].duration == 279


def test_video_info_single_part(fake: FakeBilibili, client: BilibiliClient) -> None:
    bvid = EXPECTED_BVID["玉盘 - 葫芦童声"]
    info = client.video_info(bvid)
    assert info.title == "葫芦童声《玉盘》完整版 官方音源"
    assert info.owner == "葫芦童声官方"
    assert info.duration == 207
    assert len(info.pages) == 1
    assert info.pic == f"{fake.api_base}/cover/{bvid}.jpg"


def test_wbi_keys_cached(fake: FakeBilibili, client: BilibiliClient) -> None:
    client.search_videos(XIANGYU)
    client.search_all(XIANGYU)
    assert len(fake.requests_to(NAV_PATH)) == 1


def test_wbi_keys_expire(
    fake: FakeBilibili, client: BilibiliClient, clock: FakeClock
) -> None:
    client.search_videos(XIANGYU)
    clock.advance(WBI_KEY_TTL_SECONDS - 1)
    client.search_videos(XIANGYU)
    assert len(fake.requests_to(NAV_PATH)) == 1
    clock.advance(2)
    client.search_videos(XIANGYU)
    assert len(fake.requests_to(NAV_PATH)) == 2


def test_wbi_keys_refetched_on_rotation(
    fake: FakeBilibili, client: BilibiliClient
) -> None:
    client.search_videos(XIANGYU)
    fake.rotate_keys()
    hits = client.search_videos(XIANGYU)
    assert len(hits) == 7
    assert len(fake.requests_to(NAV_PATH)) == 2
    assert len(fake.requests_to(SEARCH_TYPE_PATH)) == 3


def test_wbi_keys_refetched_on_code_403(
    fake: FakeBilibili, client: BilibiliClient
) -> None:
    fake.fail_next(SEARCH_TYPE_PATH, "code-403")
    assert len(client.search_videos(XIANGYU)) == 7
    assert len(fake.requests_to(NAV_PATH)) == 2


def test_cookie_values_not_logged(fake: FakeBilibili, log_lines: list[str]) -> None:
    secret = "d1a2b3c4%2C1999999999%2Csecret"
    with BilibiliClient(fake.api_base, cookies={"SESSDATA": secret}) as client:
        client.search_videos(XIANGYU)
        client.video_info(EXPECTED_BVID["玉盘 - 葫芦童声"])
    assert len(log_lines) == 4
    assert not any(secret in line for line in log_lines)


def test_one_debug_line_per_request(fake: FakeBilibili, log_lines: list[str]) -> None:
    with BilibiliClient(fake.api_base) as client:
        client.nav()
    assert [line.strip() for line in log_lines] == [f"DEBUG GET {NAV_PATH} -> 200"]
