from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilimq.errors import InvalidNameError
from bilimq.songs.names import SongName, clean_text, dedupe_key, parse_name

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "songs.txt"

# line, title, versions, aliases, artists, query
EXAMPLE_TABLE = [
    ("玉盘 - 葫芦童声", "玉盘", (), (), ("葫芦童声",), "玉盘 葫芦童声"),
    ("Libertus - Chen-U_EG", "Libertus", (), (), ("Chen-U_EG",), "Libertus Chen-U/EG"),
    (
        "Silent Street (Type A) - Hyunmin Cho _ seibin _ Youngkyoung Choi _ SHIFT UP",
        "Silent Street",
        ("Type A",),
        (),
        ("Hyunmin Cho", "seibin", "Youngkyoung Choi", "SHIFT UP"),
        "Silent Street Type A Hyunmin Cho",
    ),
    (
        "病名为爱 (国语) - 祖娅纳惜",
        "病名为爱",
        ("国语",),
        (),
        ("祖娅纳惜",),
        "病名为爱 国语 祖娅纳惜",
    ),
    (
        "どうして… (为什么) - 凋叶棕",
        "どうして…",
        (),
        ("为什么",),
        ("凋叶棕",),
        "どうして… 凋叶棕",
    ),
    (
        "BLUE DRAGON ('07 ver_) - 澤野弘之",
        "BLUE DRAGON",
        ("'07 ver_",),
        (),
        ("澤野弘之",),
        "BLUE DRAGON '07 ver. 澤野弘之",
    ),
    ("像鱼 (伴奏) - 王贰浪", "像鱼", ("伴奏",), (), ("王贰浪",), "像鱼 伴奏 王贰浪"),
    (
        "Let Her Go (DOAN Remix) - Doan",
        "Let Her Go",
        ("DOAN Remix",),
        (),
        ("Doan",),
        "Let Her Go DOAN Remix Doan",
    ),
    (
        "The Edge (Original Mix) - Grant _ Nevve",
        "The Edge",
        ("Original Mix",),
        (),
        ("Grant", "Nevve"),
        "The Edge Original Mix Grant",
    ),
    (
        "LEVEL5-judgelight- (instrumental) - fripSide",
        "LEVEL5-judgelight-",
        ("instrumental",),
        (),
        ("fripSide",),
        "LEVEL5-judgelight- instrumental fripSide",
    ),
    (
        "Ghost (The Him Remix) - Au_Ra _ Alan Walker",
        "Ghost",
        ("The Him Remix",),
        (),
        ("Au_Ra", "Alan Walker"),
        "Ghost The Him Remix Au/Ra",
    ),
    (
        "夢燈籠 (R7CKY 你的名字 Mix) - R7CKY",
        "夢燈籠",
        ("R7CKY 你的名字 Mix",),
        (),
        ("R7CKY",),
        "夢燈籠 R7CKY 你的名字 Mix R7CKY",
    ),
    (
        "病名为爱-古风版 (改编版原唱_ Neru) - 杨可爱",
        "病名为爱-古风版",
        ("改编版原唱_ Neru",),
        (),
        ("杨可爱",),
        "病名为爱-古风版 改编版原唱 Neru 杨可爱",
    ),
    (
        "RISE（中文版）登峰造极境（语言版） - 祈Inory",
        "RISE 登峰造极境",
        ("中文版", "语言版"),
        (),
        ("祈Inory",),
        "RISE 登峰造极境 中文版 语言版 祈Inory",
    ),
    (
        "My Dearest (Instrumental_TV Edit) - supercell",
        "My Dearest",
        ("Instrumental_TV Edit",),
        (),
        ("supercell",),
        "My Dearest Instrumental TV Edit supercell",
    ),
    (
        "All Alone With You (Inst_) - EGOIST",
        "All Alone With You",
        ("Inst_",),
        (),
        ("EGOIST",),
        "All Alone With You Inst. EGOIST",
    ),
    (
        "答案 (女声吉他弹唱) - 李瑨瑶",
        "答案",
        ("女声吉他弹唱",),
        (),
        ("李瑨瑶",),
        "答案 女声吉他弹唱 李瑨瑶",
    ),
    (
        "勾指起誓 (甜味小少年ver) - 洛少爷",
        "勾指起誓",
        ("甜味小少年ver",),
        (),
        ("洛少爷",),
        "勾指起誓 甜味小少年ver 洛少爷",
    ),
]


def test_table_covers_examples() -> None:
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    assert [row[0] for row in EXAMPLE_TABLE] == lines


@pytest.mark.parametrize(
    ("line", "title", "versions", "aliases", "artists", "query"), EXAMPLE_TABLE
)
def test_parse_example(
    line: str,
    title: str,
    versions: tuple[str, ...],
    aliases: tuple[str, ...],
    artists: tuple[str, ...],
    query: str,
) -> None:
    song = parse_name(line)
    assert song.line == line
    assert song.title == title
    assert song.versions == versions
    assert song.aliases == aliases
    assert song.artists == artists
    assert song.featured == ()
    assert song.warnings == ()
    assert song.query() == query


def test_clean_nfd_equals_nfc() -> None:
    nfc = "Café Ｌａｔｔｅ - がくぽ"
    nfd = unicodedata.normalize("NFD", nfc)
    assert parse_name(nfd) == parse_name(nfc)


def test_clean_drops_zero_width() -> None:
    song = parse_name("像\u200b鱼 - 王\u2060贰\ufeff浪")
    assert song.title == "像鱼"
    assert song.artists == ("王贰浪",)


def test_clean_ideographic_space() -> None:
    song = parse_name("\u3000像鱼\u3000（伴奏）\u00a0-\u2003王贰浪\u3000")
    assert song.line == "像鱼 （伴奏） - 王贰浪"
    assert song.versions == ("伴奏",)
    assert song.artists == ("王贰浪",)


def test_clean_keeps_emoji_zwj() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"Song {family}") == f"Song {family}"


@pytest.mark.parametrize("line", ["", "   ", "\u200b\u3000\ufeff", "\u3164", "\t\r\n"])
def test_parse_empty_rejected(line: str) -> None:
    with pytest.raises(InvalidNameError, match="empty"):
        parse_name(line)


def test_parse_lone_surrogate_rejected() -> None:
    with pytest.raises(InvalidNameError, match="undecodable"):
        parse_name("像鱼 - \udcff")


@pytest.mark.parametrize(
    "dash", ["-", "\u2013", "\u2014", "\uff0d", "\u2014\u2014", "\u2212"]
)
def test_split_dash_variants(dash: str) -> None:
    song = parse_name(f"像鱼 {dash} 王贰浪")
    assert song.title == "像鱼"
    assert song.artists == ("王贰浪",)


@pytest.mark.parametrize(
    "line",
    ["LEVEL5-judgelight-", "病名为爱-古风版", "Blu-Bop", "像鱼 -伴奏", "像鱼- 伴奏"],
)
def test_split_bare_hyphen_stays(line: str) -> None:
    song = parse_name(line)
    assert song.title == line
    assert song.artists == ()


def test_split_title_only() -> None:
    song = parse_name("Aux")
    assert song.title == "Aux"
    assert song.artists == ()
    assert song.query() == "Aux"


def test_split_three_segments_rejected() -> None:
    line = "The Beatles - Yesterday - Live from The ABC Theatre"
    with pytest.raises(InvalidNameError) as caught:
        parse_name(line, order="artist-title")
    assert "put extra text in brackets" in caught.value.reason
    assert caught.value.value == line


@pytest.mark.parametrize("line", ["像鱼 -", "- 王贰浪", "-", " - "])
def test_split_empty_side_rejected(line: str) -> None:
    with pytest.raises(InvalidNameError, match="empty"):
        parse_name(line)


def test_split_ignores_dash_in_brackets() -> None:
    song = parse_name("Fiji (Oliver Smith Remix - Extended) - Artist")
    assert song.title == "Fiji"
    assert song.versions == ("Oliver Smith Remix - Extended",)
    assert song.artists == ("Artist",)


def test_order_artist_title() -> None:
    song = parse_name("王贰浪 - 像鱼 (伴奏)", order="artist-title")
    assert song.title == "像鱼"
    assert song.versions == ("伴奏",)
    assert song.artists == ("王贰浪",)


def test_order_unknown_rejected() -> None:
    with pytest.raises(ValueError, match="unknown name order"):
        parse_name("像鱼", order="artist-first")  # type: ignore[arg-type]  # invalid on purpose


def test_brackets_nested() -> None:
    song = parse_name("Fiji (Oliver Smith Remix (Mixed)) - Artist")
    assert song.title == "Fiji"
    assert song.versions == ("Oliver Smith Remix (Mixed)",)
    assert song.clean_versions() == ("Oliver Smith Remix Mixed",)


@pytest.mark.parametrize(
    "line",
    [
        "像鱼 (伴奏 - 王贰浪",
        "像鱼 伴奏) - 王贰浪",
        "像鱼 (伴奏] - 王贰浪",
        "((((",
        "】【",
    ],
)
def test_brackets_unmatched_kept(line: str) -> None:
    song = parse_name(line)
    assert song.versions == ()
    assert song.warnings


def test_brackets_mixed_width() -> None:
    song = parse_name("像鱼（伴奏) - 王贰浪")
    assert song.title == "像鱼"
    assert song.versions == ("伴奏",)


def test_brackets_square_versions() -> None:
    song = parse_name("【Live】像鱼 [伴奏] - 王贰浪")
    assert song.title == "像鱼"
    assert song.versions == ("Live", "伴奏")


def test_brackets_leading_alias_stays() -> None:
    song = parse_name("(I Can't Get No) Satisfaction - The Rolling Stones")
    assert song.title == "(I Can't Get No) Satisfaction"
    assert song.aliases == ()


def test_brackets_only_title() -> None:
    song = parse_name("(I Can't Get No)")
    assert song.title == "(I Can't Get No)"
    assert song.aliases == ()


def test_brackets_version_only_rejected() -> None:
    with pytest.raises(InvalidNameError, match="title is empty"):
        parse_name("(伴奏) - 王贰浪")


def test_artists_only_brackets() -> None:
    song = parse_name("Song - (Live)")
    assert song.artists == ("(Live)",)
    assert song.versions == ()


def test_versions_after_artist() -> None:
    song = parse_name("Yesterday - The Beatles (Live)")
    assert song.versions == ("Live",)
    assert song.artists == ("The Beatles",)


@pytest.mark.parametrize(
    ("line", "artists"),
    [
        ("Thunderstruck - AC_DC", ("AC_DC",)),
        (
            "California Dreamin' - The Mamas & The Papas",
            ("The Mamas & The Papas",),
        ),
        ("On & On - Sub Focus bbyclose", ("Sub Focus bbyclose",)),
        ("TOMBOY - (G)I-DLE", ("(G)I-DLE",)),
        ("Song - A x B", ("A x B",)),
        ("Song - A + B", ("A + B",)),
        ("Song - A (B, C)", ("A (B, C)",)),
        ("Song - A _ B", ("A", "B")),
        ("Song - A, B", ("A", "B")),
        ("Song - A,B", ("A", "B")),
        ("Song - A、B", ("A", "B")),
        ("Song - A; B", ("A", "B")),
        ("Song - A / B", ("A", "B")),
        ("Song - A ／ B", ("A", "B")),
        ("Song - A, , B", ("A", "B")),
    ],
)
def test_artists_split(line: str, artists: tuple[str, ...]) -> None:
    assert parse_name(line).artists == artists


def test_artists_separator_only_rejected() -> None:
    with pytest.raises(InvalidNameError, match="names no artist"):
        parse_name("Song - ,")


def test_featured_in_brackets() -> None:
    song = parse_name("Stay (feat. Justin Bieber) - The Kid LAROI")
    assert song.title == "Stay"
    assert song.featured == ("Justin Bieber",)
    assert song.versions == ()


def test_featured_after_artist() -> None:
    song = parse_name("Stay - The Kid LAROI ft. Justin Bieber, Someone")
    assert song.artists == ("The Kid LAROI",)
    assert song.featured == ("Justin Bieber", "Someone")


def test_featured_after_title() -> None:
    song = parse_name("Stay feat. Justin Bieber - The Kid LAROI")
    assert song.title == "Stay"
    assert song.featured == ("Justin Bieber",)


def test_aliases_and_versions_together() -> None:
    song = parse_name("どうして… (为什么) (Live) - 凋叶棕")
    assert song.aliases == ("为什么",)
    assert song.versions == ("Live",)


@pytest.mark.parametrize(
    ("artist", "clean"),
    [("Au_Ra", "Au/Ra"), ("AC_DC", "AC/DC"), ("Chen-U_EG", "Chen-U/EG"), ("A_", "A")],
)
def test_clean_artists_underscore(artist: str, clean: str) -> None:
    assert parse_name(f"Song - {artist}").clean_artists() == (clean,)


@pytest.mark.parametrize(
    ("version", "clean"),
    [
        ("ver_", "ver."),
        ("Inst_", "Inst."),
        ("Instrumental_TV Edit", "Instrumental TV Edit"),
        ("改编版原唱_ Neru", "改编版原唱 Neru"),
        ("TV ver_ _ Live", "TV ver. Live"),
    ],
)
def test_clean_versions_underscore(version: str, clean: str) -> None:
    assert parse_name(f"Song ({version}) - A").clean_versions() == (clean,)


def test_clean_title_underscore() -> None:
    song = parse_name("Fate_stay night - Artist")
    assert song.title == "Fate_stay night"
    assert song.clean_title() == "Fate/stay night"


def test_dedupe_key_folds_width_and_case() -> None:
    assert dedupe_key("像鱼（伴奏） - 王贰浪") == dedupe_key("像鱼(伴奏)  -  王贰浪")
    assert dedupe_key("ＬＩＶＥ Song - A") == dedupe_key("live song - a")
    assert dedupe_key("\u200b像鱼 - 王贰浪\r") == "像鱼 - 王贰浪"


def test_dedupe_key_keeps_versions_apart() -> None:
    assert dedupe_key("像鱼 (伴奏) - 王贰浪") != dedupe_key("像鱼 - 王贰浪")


@given(st.text(max_size=80))
def test_parse_raises_only_invalid_name(line: str) -> None:
    try:
        song = parse_name(line)
    except InvalidNameError:
        return
    assert isinstance(song, SongName)
    assert song.title
    assert all(song.artists)
    assert parse_name(song.line).line == song.line


@given(
    st.text(
        alphabet=st.sampled_from(list("ab _-–()（）[]【】,、/;x&+. ")),
        max_size=40,
    )
)
def test_parse_punctuation_soup(line: str) -> None:
    try:
        song = parse_name(line)
    except InvalidNameError:
        return
    assert song.title.strip() == song.title
    assert all(artist.strip() == artist for artist in song.artists)
