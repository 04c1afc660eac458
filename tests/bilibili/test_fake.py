"""The fake server's own checks, routes and media, through plain HTTP requests."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yt_dlp

from bilimq.bilibili.constants import REFERER, USER_AGENT
from bilimq.bilibili.wbi import mixin_key, sign_query
from tests.fakebili import EXPECTED_BVID, TEST_IMG_KEY, TEST_SUB_KEY, FakeBilibili

SEARCH = "/x/web-interface/wbi/search/type"
LEGACY_SEARCH = "/x/web-interface/search/type"
XIANGYU_LINE = "像鱼 (伴奏) - 王贰浪"
XIANGYU = EXPECTED_BVID[XIANGYU_LINE]
MIXIN = mixin_key(TEST_IMG_KEY, TEST_SUB_KEY)
BROWSER = {"User-Agent": USER_AGENT, "Referer": REFERER}


@pytest.fixture
def http(fake: FakeBilibili) -> Iterator[httpx.Client]:
    """A plain HTTP client with a browser UA, a Referer and a buvid3 cookie."""
    cookies = {"buvid3": "ABC-12345infoc"}
    # Plain HTTP only, so skip loading the CA bundle.
    with httpx.Client(
        base_url=fake.api_base, headers=BROWSER, cookies=cookies, verify=False
    ) as c:
        yield c


def signed_search(keyword: str) -> str:
    query = sign_query({"search_type": "video", "keyword": keyword}, MIXIN, 1702204169)
    return f"{SEARCH}?{query}"


def video_url(fake: FakeBilibili, bvid: str) -> str:
    return f"{fake.video_base}{bvid}"


def probe_seconds(path: Path) -> float:
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration"]
        + ["-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output)


def test_search_without_buvid3(fake: FakeBilibili) -> None:
    with httpx.Client(base_url=fake.api_base, headers=BROWSER, verify=False) as bare:
        body = bare.get(signed_search("像鱼")).json()
    assert body == {"code": -412, "message": "request was banned", "ttl": 1}


def test_search_foreign_referer(http: httpx.Client) -> None:
    headers = {"Referer": "https://example.com/"}
    body = http.get(signed_search("像鱼"), headers=headers).json()
    assert body["code"] == -412


def test_search_bad_signature(http: httpx.Client) -> None:
    query = signed_search("像鱼").replace("w_rid=", "w_rid=0")
    body = http.get(query).json()
    assert body["code"] == 0
    assert list(body["data"]) == ["v_voucher"]


def test_search_unsigned_wbi_path(http: httpx.Client) -> None:
    body = http.get(SEARCH, params={"search_type": "video", "keyword": "像鱼"}).json()
    assert list(body["data"]) == ["v_voucher"]


def test_legacy_search_unsigned(http: httpx.Client) -> None:
    params = {"search_type": "video", "keyword": "像鱼"}
    body = http.get(LEGACY_SEARCH, params=params).json()
    assert len(body["data"]["result"]) == 7


def test_search_unknown_type(http: httpx.Client) -> None:
    params = {"search_type": "nonsense", "keyword": "像鱼"}
    assert http.get(LEGACY_SEARCH, params=params).json()["code"] == -1200


def test_tool_user_agent_gets_html(http: httpx.Client) -> None:
    response = http.get(signed_search("像鱼"), headers={"User-Agent": "curl/8.5.0"})
    assert response.status_code == 412
    assert "<title>出错啦! - bilibili.com</title>" in response.text


def test_code_352_voucher_header(fake: FakeBilibili, http: httpx.Client) -> None:
    fake.fail_next(SEARCH, "code-352")
    response = http.get(signed_search("像鱼"))
    voucher = response.json()["data"]["v_voucher"]
    assert voucher.startswith("voucher_")
    assert response.headers["x-bili-gaia-vvoucher"] == voucher


def test_fail_next_count(fake: FakeBilibili, http: httpx.Client) -> None:
    fake.fail_next(SEARCH, "code-412", count=2)
    codes = [http.get(signed_search("像鱼")).json()["code"] for _ in range(3)]
    assert codes == [-412, -412, 0]


def test_fail_next_unknown_kind(fake: FakeBilibili) -> None:
    with pytest.raises(ValueError, match="unknown failure kind"):
        fake.fail_next(SEARCH, "explode")


def test_search_item_shape(http: httpx.Client) -> None:
    result = http.get(signed_search("Grant Nevve The Edge")).json()["data"]["result"]
    item = result[0]
    assert item["title"] == (
        '<em class="keyword">Grant</em> &amp; <em class="keyword">Nevve</em> - '
        '<em class="keyword">The</em> <em class="keyword">Edge</em> (Original Mix)'
    )
    assert item["duration"] == "3:52"
    assert item["typeid"] == "130"
    assert item["type"] == "video"


def test_search_empty_result_absent(http: httpx.Client) -> None:
    data = http.get(signed_search("完全不存在的歌")).json()["data"]
    assert "result" not in data
    assert data["numResults"] == 0


def test_search_page_past_end(http: httpx.Client) -> None:
    query = sign_query({"keyword": "像鱼", "page": 9}, MIXIN, 1702204169)
    data = http.get(f"{LEGACY_SEARCH}?search_type=video&{query}").json()["data"]
    assert data["result"] == []


def test_search_all_groups(http: httpx.Client) -> None:
    query = sign_query({"keyword": "像鱼"}, MIXIN, 1702204169)
    data = http.get(f"/x/web-interface/wbi/search/all/v2?{query}").json()["data"]
    groups = {group["result_type"]: group["data"] for group in data["result"]}
    assert len(groups["video"]) == 7
    assert groups["bili_user"] == []


def test_nav_vip(fake: FakeBilibili, http: httpx.Client) -> None:
    fake.vip = True
    headers = {"Cookie": "buvid3=a; SESSDATA=x"}
    body = http.get("/x/web-interface/nav", headers=headers).json()
    assert body["code"] == 0
    assert body["data"]["vipStatus"] == 1


def test_requests_log_hides_cookie_values(
    fake: FakeBilibili, http: httpx.Client
) -> None:
    headers = {"Cookie": "buvid3=a; SESSDATA=secret-value"}
    http.get("/x/web-interface/nav", headers=headers)
    [request] = fake.requests
    assert set(request.cookie_names) == {"buvid3", "SESSDATA"}
    assert "secret-value" not in json.dumps(request.headers)


def test_pagelist_parts(http: httpx.Client) -> None:
    hits = http.get(signed_search("像鱼")).json()["data"]["result"]
    body = http.get("/x/player/pagelist", params={"bvid": hits[6]["bvid"]}).json()
    assert [page["part"] for page in body["data"]] == ["往后余生", "像鱼", "离人愁"]


def test_pagelist_unknown(http: httpx.Client) -> None:
    body = http.get("/x/player/pagelist", params={"bvid": "BV1xxxxxxxxx"}).json()
    assert body["code"] == -404


def test_video_needs_referer(fake: FakeBilibili) -> None:
    response = httpx.get(video_url(fake, XIANGYU), headers={"User-Agent": USER_AGENT})
    assert response.status_code == 403


def test_video_full_body(fake: FakeBilibili, http: httpx.Client) -> None:
    response = http.get(video_url(fake, XIANGYU))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mp4"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.content[4:8] == b"ftyp"


def test_video_range(fake: FakeBilibili, http: httpx.Client) -> None:
    url = video_url(fake, XIANGYU)
    size = len(http.get(url).content)
    response = http.get(url, headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert len(response.content) == 100


def test_video_suffix_range(fake: FakeBilibili, http: httpx.Client) -> None:
    response = http.get(video_url(fake, XIANGYU), headers={"Range": "bytes=-10"})
    assert response.status_code == 206
    assert len(response.content) == 10


def test_video_range_unsatisfiable(fake: FakeBilibili, http: httpx.Client) -> None:
    headers = {"Range": "bytes=999999999-"}
    response = http.get(video_url(fake, XIANGYU), headers=headers)
    assert response.status_code == 416


def test_video_ignore_range(fake: FakeBilibili, http: httpx.Client) -> None:
    fake.fail_next("/video/", "ignore-range")
    response = http.get(video_url(fake, XIANGYU), headers={"Range": "bytes=100-199"})
    assert response.status_code == 200
    assert len(response.content) > 100


def test_video_head(fake: FakeBilibili, http: httpx.Client) -> None:
    response = http.head(video_url(fake, XIANGYU))
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) > 0


def test_video_drop_mid_body(fake: FakeBilibili, http: httpx.Client) -> None:
    fake.fail_next("/video/", "drop")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(video_url(fake, XIANGYU))


def test_video_removed(fake: FakeBilibili, http: httpx.Client) -> None:
    fake.remove_video(XIANGYU)
    assert http.get(video_url(fake, XIANGYU)).status_code == 404


def test_video_part_out_of_range(fake: FakeBilibili, http: httpx.Client) -> None:
    response = http.get(video_url(fake, XIANGYU), params={"p": 2})
    assert response.status_code == 404


def test_video_av_url(fake: FakeBilibili, http: httpx.Client) -> None:
    aid = fake.catalog.upload(XIANGYU).aid
    response = http.head(f"{fake.video_base}av{aid}")
    assert response.status_code == 200


def test_audio_duration_single_part(fake: FakeBilibili) -> None:
    path = fake.audio_file(fake.catalog.upload(XIANGYU), page=1)
    assert round(probe_seconds(path)) == 279


def test_audio_duration_of_part(fake: FakeBilibili, http: httpx.Client) -> None:
    hits = http.get(signed_search("像鱼")).json()["data"]["result"]
    compilation = fake.catalog.upload(hits[6]["bvid"])
    path = fake.audio_file(compilation, page=3)
    assert round(probe_seconds(path)) == 254


def test_audio_charge_preview(fake: FakeBilibili, http: httpx.Client) -> None:
    hits = http.get(signed_search("像鱼")).json()["data"]["result"]
    charge = fake.catalog.upload(hits[1]["bvid"])
    assert charge.is_charge
    assert round(probe_seconds(fake.audio_file(charge, page=1))) == 30


def test_cover_jpeg(fake: FakeBilibili, http: httpx.Client) -> None:
    response = http.get(f"/cover/{XIANGYU}.jpg")
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"


def test_ytdlp_downloads_video_page(fake: FakeBilibili, tmp_path: Path) -> None:
    options = {
        "outtmpl": str(tmp_path / "%(id)s.%(ext)s"),
        "quiet": True,
        "noprogress": True,
        "http_headers": {"Referer": REFERER},
    }
    with yt_dlp.YoutubeDL(options) as downloader:
        info = downloader.extract_info(video_url(fake, XIANGYU), download=True)
    [saved] = tmp_path.iterdir()
    assert info["extractor"] == "generic"
    assert saved.suffix == ".m4a"
    assert round(probe_seconds(saved)) == 279


def test_cli_prints_bases() -> None:
    command = [sys.executable, "-m", "tests.fakebili", "--port", "0"]
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        api_line = process.stdout.readline().split()
        video_line = process.stdout.readline().split()
        nav = httpx.get(f"{api_line[1]}/x/web-interface/nav", headers=BROWSER)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert api_line[0] == "api_base"
    assert video_line == ["video_base", f"{api_line[1]}/video/"]
    assert nav.json()["code"] == -101
