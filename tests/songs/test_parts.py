from __future__ import annotations

import pytest

from bilimq.errors import InvalidNameError
from bilimq.songs.names import Order, parse_name
from bilimq.songs.parts import (
    join_parts,
    name_from_parts,
    name_title_first,
    split_sides,
)

FISH = "像鱼 (伴奏) - 王贰浪"


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


# -- playlist names stored title first -----------------------------------------


@pytest.mark.parametrize(
    ("line", "order", "stored", "title", "versions", "artists"),
    [
        ("王贰浪 - 千鱼", "artist-title", "千鱼 - 王贰浪", "千鱼", (), ("王贰浪",)),
        ("千鱼 - 王贰浪", "title-artist", "千鱼 - 王贰浪", "千鱼", (), ("王贰浪",)),
        (
            "Au_Ra _ Alan Walker - Ghost (The Him Remix)",
            "artist-title",
            "Ghost (The Him Remix) - Au_Ra _ Alan Walker",
            "Ghost",
            ("The Him Remix",),
            ("Au_Ra", "Alan Walker"),
        ),
        ("Only Title", "artist-title", "Only Title", "Only Title", (), ()),
        (
            "X (A - B) - Song",
            "artist-title",
            "Song - X (A - B)",
            "Song",
            (),
            ("X (A - B)",),
        ),
    ],
)
def test_name_title_first(
    line: str,
    order: Order,
    stored: str,
    title: str,
    versions: tuple[str, ...],
    artists: tuple[str, ...],
) -> None:
    song = name_title_first(line, order)
    assert song.line == stored
    assert song.title == title
    assert song.versions == versions
    assert song.artists == artists


def test_name_title_first_same_key_as_plain_line() -> None:
    from_playlist = name_title_first("王贰浪 - 像鱼 (伴奏)", "artist-title")
    assert from_playlist.dedupe_key() == parse_name(FISH).dedupe_key()


def test_name_title_first_ambiguous_rejected() -> None:
    with pytest.raises(InvalidNameError, match="3 parts separated by spaced dashes"):
        name_title_first("A - B - C", "artist-title")


@pytest.mark.parametrize(
    ("line", "order", "sides"),
    [
        ("A - B", "title-artist", ("A", "B")),
        ("A - B", "artist-title", ("B", "A")),
        ("A – B", "title-artist", ("A", "B")),
        (
            "LEVEL5-judgelight- - fripSide",
            "title-artist",
            ("LEVEL5-judgelight-", "fripSide"),
        ),
        ("A (x - y) - B", "title-artist", ("A (x - y)", "B")),
        ("A", "title-artist", None),
        ("A - B - C", "title-artist", None),
    ],
)
def test_split_sides(line: str, order: Order, sides: tuple[str, str] | None) -> None:
    assert split_sides(line, order) == sides
