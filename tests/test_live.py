"""Checks against the real Bilibili; run with `pytest --live` on a connected machine.

They keep the client honest about the live service, which the fake server can
only imitate. They are skipped by default and in CI, which has no network.
"""

from __future__ import annotations

import pytest

from bilimq.bilibili.client import BilibiliClient
from bilimq.matching import best_match, rank_candidates
from bilimq.songs.names import parse_name

pytestmark = pytest.mark.live


def test_live_search_returns_videos() -> None:
    with BilibiliClient() as client:
        hits = client.search_videos("像鱼 伴奏 王贰浪")

    assert hits
    assert all(hit.bvid.startswith("BV") for hit in hits)
    assert all(hit.duration > 0 for hit in hits)


def test_live_nav_gives_wbi_keys() -> None:
    with BilibiliClient() as client:
        nav = client.nav()

    assert len(nav.img_key) == 32
    assert len(nav.sub_key) == 32


def test_live_match_finds_instrumental() -> None:
    song = parse_name("像鱼 (伴奏) - 王贰浪")
    with BilibiliClient() as client:
        hits = client.search_videos(song.query())

    chosen = best_match(rank_candidates(song, hits), threshold=70.0)

    assert chosen is not None
    assert "伴奏" in chosen.hit.title
