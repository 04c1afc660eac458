from __future__ import annotations

import pytest

from bilimq.songs.stems import has_track_prefix, names_agree, strip_track_number


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("01 - 千鱼", "千鱼"),
        ("02. 像鱼", "像鱼"),
        ("03 王贰浪 - 千鱼", "王贰浪 - 千鱼"),
        ("04-千鱼", "千鱼"),
        ("1-05 Other - Art", "Other - Art"),
        ("2.03 Title", "Title"),
        ("12. Song - Band", "Song - Band"),
        ("007_Skyfall - Adele", "Skyfall - Adele"),
        ("1 - Song - Artist", "Song - Artist"),
    ],
)
def test_track_number_stripped(stem: str, name: str) -> None:
    assert strip_track_number(stem) == name


@pytest.mark.parametrize(
    "stem",
    [
        "99 Luftballons - Nena",
        "22 - Taylor Swift",
        "7 rings - Ariana Grande",
        "1999",
        "Song 2 - Blur",
        "01",
        "01. ",
        "3 - 14",
    ],
)
def test_title_numbers_kept(stem: str) -> None:
    assert strip_track_number(stem) == stem


def test_track_tag_confirms_number() -> None:
    assert strip_track_number("7 Rings - Ariana Grande", track_tag=7) == (
        "Rings - Ariana Grande"
    )
    assert strip_track_number("7 Rings - Ariana Grande", track_tag=3) == (
        "7 Rings - Ariana Grande"
    )


def test_numbered_folder_strips_plain_numbers() -> None:
    assert strip_track_number("3 Title", numbered_folder=True) == "Title"
    assert strip_track_number("3 Title") == "3 Title"


@pytest.mark.parametrize(
    ("stem", "prefixed"),
    [("01 - A", True), ("3 A", True), ("1999", False), ("Song 2", False)],
)
def test_has_track_prefix(stem: str, prefixed: bool) -> None:
    assert has_track_prefix(stem) is prefixed


@pytest.mark.parametrize(
    ("stem", "agree"),
    [
        ("千鱼", True),
        ("千鱼 - 王贰浪", True),
        ("王贰浪 - 千鱼", True),
        ("千鱼 -  王贰浪", True),
        ("像鱼", False),
        ("千鱼 (Live) - 王贰浪", False),
    ],
)
def test_names_agree(stem: str, agree: bool) -> None:
    assert names_agree(stem, "千鱼", ("王贰浪",)) is agree


def test_names_agree_ignores_replaced_characters() -> None:
    assert names_agree("Ghost - Au_Ra _ Alan Walker", "Ghost", ("Au/Ra", "Alan Walker"))
