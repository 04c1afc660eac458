"""The order of searches in one lookup, with a recording searcher in place of
Bilibili."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from bilimq.bilibili.errors import RiskControlError, VideoUnavailableError
from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.core import MemoryQueue
from bilimq.jobs import CACHE_FORMAT, _cached
from bilimq.lookup import MAX_PART_LOOKUPS, find_upload
from bilimq.matching import search_queries
from bilimq.songs.names import parse_name
from tests.test_matching import make_hit

VIEW = "/x/web-interface/view"


@dataclass
class RecordingSearcher:
    """Serves fixed pages per endpoint and query, and records every request."""

    pages: dict[tuple[str, str], list[SearchHit]] = field(default_factory=dict)
    parts_of: dict[str, list[VideoPart]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def search(self, query: str) -> list[SearchHit]:
        self.requests.append(("search", query))
        return self.pages.get(("search", query), [])

    def search_all(self, query: str) -> list[SearchHit]:
        self.requests.append(("search_all", query))
        return self.pages.get(("search_all", query), [])

    def parts(self, bvid: str) -> Sequence[VideoPart]:
        self.requests.append(("parts", bvid))
        return self.parts_of.get(bvid, [])


def test_first_confident_query_stops() -> None:
    song = parse_name("千鱼 - 王贰浪")
    searcher = RecordingSearcher()
    searcher.pages[("search", "千鱼 王贰浪")] = [make_hit("王贰浪 - 千鱼", 0)]
    result = find_upload(searcher, song)
    assert result.chosen is not None
    assert result.chosen.hit.title == "王贰浪 - 千鱼"
    assert searcher.requests == [("search", "千鱼 王贰浪")]


def test_combined_search_comes_last() -> None:
    song = parse_name("千鱼 - 王贰浪")
    searcher = RecordingSearcher()
    searcher.pages[("search_all", "千鱼 王贰浪")] = [make_hit("王贰浪 - 千鱼", 0)]
    result = find_upload(searcher, song)
    assert result.chosen is not None
    assert searcher.requests[-1] == ("search_all", "千鱼 王贰浪")
    # Every video-search query ran first, the other-script title (千魚) included.
    assert searcher.requests[:-1] == [("search", q) for q in search_queries(song)]
    assert ("search", "千魚 王贰浪") in searcher.requests
    assert [a.endpoint for a in result.attempts][-1] == "search_all"


def test_nothing_found_keeps_every_candidate() -> None:
    song = parse_name("千鱼 (伴奏) - 王贰浪")
    searcher = RecordingSearcher()
    searcher.pages[("search", "千鱼 伴奏 王贰浪")] = [make_hit("王贰浪 - 千鱼 Live", 0)]
    searcher.pages[("search", "千鱼")] = [make_hit("千鱼 翻唱", 1)]
    result = find_upload(searcher, song)
    assert result.chosen is None
    titles = {c.hit.title for c in result.candidates}
    assert titles == {"王贰浪 - 千鱼 Live", "千鱼 翻唱"}


def test_parts_fetched_for_compilations() -> None:
    song = parse_name("像鱼 - 王贰浪")
    compilations = [
        make_hit(f"【合集】王贰浪 热门歌曲合集 {n}", n, duration=0) for n in range(5)
    ]
    searcher = RecordingSearcher()
    searcher.pages[("search", "像鱼 王贰浪")] = compilations
    searcher.parts_of[compilations[0].bvid] = [
        VideoPart(cid=1, page=1, title="往后余生", duration=223),
        VideoPart(cid=2, page=2, title="像鱼", duration=279),
    ]
    result = find_upload(searcher, song)
    fetched = [bvid for kind, bvid in searcher.requests if kind == "parts"]
    assert len(fetched) == MAX_PART_LOOKUPS
    assert result.chosen is not None
    assert result.chosen.hit.bvid == compilations[0].bvid
    assert result.chosen.part is not None
    assert result.chosen.part.page == 2


def test_ambiguous_page_stops_lookup() -> None:
    # Two equally good uploads of different lengths, and no known length:
    # a shorter query that finds only one of them must not settle it.
    song = parse_name("夜曲 - 周杰伦")
    searcher = RecordingSearcher()
    searcher.pages[("search", "夜曲 周杰伦")] = [
        make_hit("周杰伦 - 夜曲", 0, duration=226),
        make_hit("周杰伦 - 夜曲", 1, duration=301, bvid="BV1yy411c7mD"),
    ]
    searcher.pages[("search", "夜曲")] = [make_hit("周杰伦 - 夜曲", 0, duration=301)]
    result = find_upload(searcher, song)
    assert result.chosen is None
    assert searcher.requests == [("search", "夜曲 周杰伦")]
    assert any(c.ambiguous for c in result.candidates)


def test_deleted_compilation_is_skipped() -> None:
    song = parse_name("像鱼 - 王贰浪")
    gone = make_hit("【合集】王贰浪 热门歌曲合集", 0, duration=0)
    searcher = RecordingSearcher()
    searcher.pages[("search", "像鱼 王贰浪")] = [gone, make_hit("王贰浪 - 像鱼", 1)]

    def parts(bvid: str) -> Sequence[VideoPart]:
        raise VideoUnavailableError(
            endpoint="/x/web-interface/view",
            code=62002,
            message="稿件不可见",
            bvid=bvid,
        )

    searcher.parts = parts  # type: ignore[method-assign]
    result = find_upload(searcher, song)
    assert result.chosen is not None
    assert result.chosen.hit.title == "王贰浪 - 像鱼"


def test_risk_control_in_parts_propagates() -> None:
    song = parse_name("像鱼 - 王贰浪")
    searcher = RecordingSearcher()
    searcher.pages[("search", "像鱼 王贰浪")] = [
        make_hit("【合集】王贰浪 热门歌曲合集", 0, duration=0)
    ]

    def parts(bvid: str) -> Sequence[VideoPart]:
        raise RiskControlError(
            endpoint="/x/web-interface/view", code=-352, signal="-352"
        )

    searcher.parts = parts  # type: ignore[method-assign]
    with pytest.raises(RiskControlError):
        find_upload(searcher, song)


class BrokenStore:
    """A public store whose every call fails, as Redis does when out of memory."""

    def set_public(self, key: str, value: object, ttl: float | None = None) -> None:
        raise RuntimeError("OOM command not allowed when used memory > 'maxmemory'")

    def get_public(self, key: str, default: object = None) -> object:
        raise RuntimeError("Can't get attribute 'Gone'")


def test_broken_cache_costs_request_only() -> None:
    fetched: list[str] = []
    ctx = SimpleNamespace(store=BrokenStore())

    def fetch() -> list[str]:
        fetched.append("search")
        return ["hit"]

    assert _cached(ctx, "search:千鱼", fetch) == ["hit"]  # type: ignore[arg-type]
    assert fetched == ["search"]


def test_cache_keys_carry_format() -> None:
    store = MemoryQueue()
    ctx = SimpleNamespace(store=store)
    _cached(ctx, "search:千鱼", lambda: ["hit"])  # type: ignore[arg-type]
    assert store.list_keys() == [f"{CACHE_FORMAT}:search:千鱼"]
    assert _cached(ctx, "search:千鱼", lambda: ["other"]) == ["hit"]  # type: ignore[arg-type]
