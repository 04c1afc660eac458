"""A faithful local fake of Bilibili's web API and video pages, for offline tests.

    with FakeBilibili() as fake:
        client = BilibiliClient(fake.api_base)
        hits = client.search_videos("像鱼 伴奏 王贰浪")

`EXPECTED_BVID` maps each line of `examples/songs.txt` to the upload a correct
matcher picks from the fake's search results.
"""

from __future__ import annotations

from tests.fakebili.catalog import EXPECTED_BVID, SONGS, Catalog, Song, Upload
from tests.fakebili.records import RecordedRequest
from tests.fakebili.server import FakeBilibili
from tests.fakebili.signing import TEST_IMG_KEY, TEST_SUB_KEY

__all__ = [
    "EXPECTED_BVID",
    "SONGS",
    "TEST_IMG_KEY",
    "TEST_SUB_KEY",
    "Catalog",
    "FakeBilibili",
    "RecordedRequest",
    "Song",
    "Upload",
]
