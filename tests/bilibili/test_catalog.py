"""The fake's catalog: one right upload and realistic distractors per song line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fakebili import EXPECTED_BVID, SONGS, Catalog, Song
from tests.fakebili.catalog import LOOP_SECONDS, keyword_tokens

SONG_LIST = Path(__file__).resolve().parents[2] / "examples" / "songs.txt"


def plain_query(line: str) -> str:
    """Return a query built from a line: brackets, hyphens and `_` as spaces."""
    return " ".join(keyword_tokens(re.sub(r"[()（）_\-]", " ", line)))


def test_expected_covers_song_list() -> None:
    lines = [line for line in SONG_LIST.read_text("utf-8").splitlines() if line]
    assert sorted(EXPECTED_BVID) == sorted(lines)


def test_bvids_unique_and_shaped() -> None:
    bvids = {upload.bvid for song in SONGS for upload in song.uploads}
    uploads = {id(upload) for song in SONGS for upload in song.uploads}
    assert len(bvids) == len(uploads)
    for bvid in bvids:
        assert re.fullmatch(r"BV1[1-9A-HJ-NP-Za-km-z]{9}", bvid)


@pytest.mark.parametrize("song", SONGS, ids=lambda song: song.line)
def test_song_found_by_its_line(song: Song) -> None:
    assert Catalog().find_song(plain_query(song.line)) is song


@pytest.mark.parametrize("song", SONGS, ids=lambda song: song.line)
def test_song_distractor_count(song: Song) -> None:
    assert 3 <= len(song.uploads) - 1 <= 6


def test_right_upload_often_not_first() -> None:
    not_first = [song for song in SONGS if song.uploads[0] is not song.expected]
    assert len(not_first) >= len(SONGS) / 2


def test_right_uploads_plain() -> None:
    for song in SONGS:
        right = song.expected
        assert right.duration < LOOP_SECONDS
        assert len(right.parts) == 1
        assert not right.is_charge


def test_find_song_unknown() -> None:
    assert Catalog().find_song("完全不存在的歌 nothing") is None


def test_find_song_prefers_specific() -> None:
    song = Catalog().find_song("病名为爱 古风版 杨可爱")
    assert song is not None
    assert song.line.startswith("病名为爱-古风版")


def test_find_song_alias() -> None:
    song = Catalog().find_song("梦灯笼 R7CKY")
    assert song is not None
    assert song.line.startswith("夢燈籠")
