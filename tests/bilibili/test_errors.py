"""Every failure the client classifies, injected through the fake server."""

from __future__ import annotations

import socket

import pytest

from bilimq.bilibili import (
    ApiError,
    BilibiliClient,
    BilibiliError,
    NetworkError,
    RateLimitedError,
    ResponseError,
    RiskControlError,
    VideoUnavailableError,
)
from bilimq.bilibili.constants import NAV_PATH, SEARCH_TYPE_PATH, VIEW_PATH
from bilimq.errors import BilimqError
from tests.fakebili import EXPECTED_BVID, FakeBilibili

XIANGYU = "像鱼 伴奏 王贰浪"
YUPAN = EXPECTED_BVID["玉盘 - 葫芦童声"]


@pytest.mark.parametrize(
    ("failure", "error_class", "code", "kind"),
    [
        ("http412", RiskControlError, 412, "global"),
        ("code-412", RiskControlError, -412, "global"),
        ("code-352", RiskControlError, -352, "global"),
        ("code-799", RateLimitedError, -799, "global"),
        ("code-509", RateLimitedError, -509, "global"),
        ("code-400", ApiError, -400, "permanent"),
        ("code-500", ApiError, -500, "transient"),
        ("http500", ResponseError, 500, "transient"),
        ("http404", ResponseError, 404, "transient"),
    ],
)
def test_search_failure_classified(
    fake: FakeBilibili,
    client: BilibiliClient,
    failure: str,
    error_class: type[BilibiliError],
    code: int,
    kind: str,
) -> None:
    fake.fail_next(SEARCH_TYPE_PATH, failure)
    with pytest.raises(error_class) as caught:
        client.search_videos(XIANGYU)
    assert caught.value.code == code
    assert caught.value.kind == kind
    assert SEARCH_TYPE_PATH in str(caught.value)
    assert str(code) in str(caught.value)


def test_errors_are_bilimq_errors() -> None:
    assert issubclass(BilibiliError, BilimqError)


def test_risk_control_message(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next(SEARCH_TYPE_PATH, "code-352")
    with pytest.raises(RiskControlError) as caught:
        client.search_videos(XIANGYU)
    assert "risk control" in str(caught.value)
    assert "SESSDATA" in str(caught.value)


def test_html_error_names_title(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next(SEARCH_TYPE_PATH, "http500")
    with pytest.raises(ResponseError, match="text/html titled '500'"):
        client.search_videos(XIANGYU)


def test_voucher_only_once_recovers(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next(SEARCH_TYPE_PATH, "voucher-only")
    assert len(client.search_videos(XIANGYU)) == 7
    assert len(fake.requests_to(NAV_PATH)) == 2


def test_voucher_only_twice_fails(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next(SEARCH_TYPE_PATH, "voucher-only", count=2)
    with pytest.raises(RiskControlError) as caught:
        client.search_videos(XIANGYU)
    assert caught.value.code == 0
    assert len(fake.requests_to(SEARCH_TYPE_PATH)) == 2


def test_risk_after_searches(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.risk_after(2)
    client.search_videos(XIANGYU)
    client.search_all(XIANGYU)
    with pytest.raises(RiskControlError) as caught:
        client.search_videos(XIANGYU)
    assert caught.value.code == -352


def test_tool_user_agent_blocked(fake: FakeBilibili) -> None:
    agent = "python-httpx/0.29.0"
    with BilibiliClient(fake.api_base, user_agent=agent) as client:
        with pytest.raises(RiskControlError) as caught:
            client.search_videos(XIANGYU)
    assert caught.value.code == 412


def test_view_injected_404(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next(VIEW_PATH, "code-404")
    with pytest.raises(VideoUnavailableError) as caught:
        client.video_info(YUPAN)
    assert caught.value.kind == "permanent"
    assert caught.value.bvid == YUPAN
    assert caught.value.code == -404


def test_view_unknown_bvid(client: BilibiliClient) -> None:
    with pytest.raises(VideoUnavailableError, match="BV1xxxxxxxxx"):
        client.video_info("BV1xxxxxxxxx")


@pytest.mark.parametrize("code", [62002, 62004, 62012])
def test_view_hidden_video(
    fake: FakeBilibili, client: BilibiliClient, code: int
) -> None:
    fake.remove_video(YUPAN, code)
    with pytest.raises(VideoUnavailableError) as caught:
        client.video_info(YUPAN)
    assert caught.value.code == code
    assert str(code) in str(caught.value)


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with BilibiliClient(f"http://127.0.0.1:{port}", timeout=2.0) as client:
        with pytest.raises(NetworkError) as caught:
            client.nav()
    assert caught.value.unreachable is True
    assert caught.value.kind == "transient"
    assert NAV_PATH in str(caught.value)


def test_stall_times_out(fake: FakeBilibili) -> None:
    fake.fail_next(VIEW_PATH, "stall")
    with BilibiliClient(fake.api_base, timeout=0.3) as client:
        with pytest.raises(NetworkError, match="timed out") as caught:
            client.video_info(YUPAN)
    assert caught.value.unreachable is False


def test_dropped_connection(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next(VIEW_PATH, "drop")
    with pytest.raises(NetworkError) as caught:
        client.video_info(YUPAN)
    assert caught.value.unreachable is False


def test_spi_network_error_raised(fake: FakeBilibili, client: BilibiliClient) -> None:
    fake.fail_next("/x/frontend/finger/spi", "drop")
    with pytest.raises(NetworkError):
        client.search_videos(XIANGYU)
    assert fake.requests_to(SEARCH_TYPE_PATH) == []
