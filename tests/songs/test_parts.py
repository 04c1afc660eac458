from __future__ import annotations

import pytest

from bilimq.errors import InvalidNameError
from bilimq.songs.parts import join_parts, name_from_parts


def test_join_parts_title_first() -> None:
    assert join_parts("像鱼 (伴奏)", ["王贰浪"]) == "像鱼 (伴奏) - 王贰浪"
    assert (
        join_parts("Ghost", ["Au_Ra", "Alan Walker"]) == "Ghost - Au_Ra _ Alan Walker"
    )
    assert join_parts(" Solo ", ["", " "]) == "Solo"


def test_parts_keep_title_versions() -> None:
    song = name_from_parts("像鱼 (伴奏)", ["王贰浪"])
    assert song.line == "像鱼 (伴奏) - 王贰浪"
    assert song.title == "像鱼"
    assert song.versions == ("伴奏",)
    assert song.artists == ("王贰浪",)


def test_parts_split_one_artist_text() -> None:
    song = name_from_parts("Ghost (The Him Remix)", ["Au_Ra, Alan Walker"])
    assert song.artists == ("Au_Ra", "Alan Walker")
    assert song.versions == ("The Him Remix",)


def test_parts_keep_separate_artists() -> None:
    song = name_from_parts("Earfquake", ["Tyler, the Creator", "Playboi Carti"])
    assert song.artists == ("Tyler, the Creator", "Playboi Carti")
    assert song.line == "Earfquake - Tyler, the Creator _ Playboi Carti"


def test_parts_no_split_keeps_one_artist() -> None:
    song = name_from_parts("Earfquake", ["Tyler, the Creator"], split=False)
    assert song.artists == ("Tyler, the Creator",)
    assert name_from_parts("Earfquake", ["Tyler, the Creator"]).artists == (
        "Tyler",
        "the Creator",
    )


def test_parts_title_with_spaced_dash() -> None:
    # As a typed line this has two spaced dashes and would be rejected.
    song = name_from_parts("Yesterday - Live", ["The Beatles"])
    assert song.title == "Yesterday - Live"
    assert song.artists == ("The Beatles",)
    assert song.line == "Yesterday - Live - The Beatles"


def test_parts_title_only_with_dash() -> None:
    song = name_from_parts("Yesterday - Remastered 2009", [])
    assert song.title == "Yesterday - Remastered 2009"
    assert song.artists == ()


def test_parts_artist_with_spaced_dash() -> None:
    song = name_from_parts("Song (Live)", ["A - B"])
    assert song.title == "Song"
    assert song.versions == ("Live",)
    assert song.artists == ("A - B",)


def test_parts_keep_alias_and_featured() -> None:
    song = name_from_parts("どうして… (为什么) (feat. ZUN)", ["凋叶棕"])
    assert song.aliases == ("为什么",)
    assert song.featured == ("ZUN",)


def test_parts_empty_title_rejected() -> None:
    with pytest.raises(InvalidNameError):
        name_from_parts(" ", ["王贰浪"])
