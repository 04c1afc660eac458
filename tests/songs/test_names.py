from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilimq.errors import InvalidNameError
from bilimq.songs.names import (
    MAX_LINE_CHARS,
    ORDERS,
    AmbiguousNameError,
    SongName,
    _parse_general,  # the two parser paths are compared directly
    _parse_simple,
    clean_text,
    dedupe_key,
    name_with_overrides,
    parse_name,
    stored_name,
)

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


@given(st.text(max_size=80), st.sampled_from(ORDERS))
def test_parse_raises_only_invalid_name(line: str, order: str) -> None:
    try:
        song = parse_name(line, order)  # type: ignore[arg-type]  # from ORDERS
    except InvalidNameError:
        return
    assert isinstance(song, SongName)
    assert song.title
    assert all(song.artists)
    assert parse_name(song.line, order) == song  # type: ignore[arg-type]


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


@pytest.mark.parametrize(
    ("line", "title", "artists"),
    [
        (
            "Blu-Bop - Béla Fleck and the Flecktones",
            "Blu-Bop",
            ("Béla Fleck and the Flecktones",),
        ),
        ("Butter-Fly - 和田光司", "Butter-Fly", ("和田光司",)),
        ("Bye-Bye - Ne-Yo", "Bye-Bye", ("Ne-Yo",)),
        ("RE-D - RE-D", "RE-D", ("RE-D",)),
        ("On & On - Sub Focus bbyclose", "On & On", ("Sub Focus bbyclose",)),
        ("Song - &TEAM", "Song", ("&TEAM",)),
    ],
)
def test_split_bare_hyphen_in_both_sides(
    line: str, title: str, artists: tuple[str, ...]
) -> None:
    song = parse_name(line)
    assert song.title == title
    assert song.artists == artists


def test_split_three_segments_ambiguous() -> None:
    line = "The Beatles - Yesterday - Live from The ABC Theatre, Blackpool, UK 1965"
    with pytest.raises(AmbiguousNameError) as caught:
        parse_name(line, order="artist-title")
    assert caught.value.segments == (
        "The Beatles",
        "Yesterday",
        "Live from The ABC Theatre, Blackpool, UK 1965",
    )
    assert "'Yesterday'" in caught.value.reason


@pytest.mark.parametrize(
    "line", ["像鱼 - - 王贰浪", "像鱼 – — 王贰浪", "- 像鱼 - 王贰浪"]
)
def test_split_empty_segment_ambiguous(line: str) -> None:
    with pytest.raises(AmbiguousNameError) as caught:
        parse_name(line)
    assert "" in caught.value.segments


@pytest.mark.parametrize("dash", ["_", ":", "|", "~", "/"])
def test_split_other_separators_ignored(dash: str) -> None:
    song = parse_name(f"像鱼 {dash} 王贰浪")
    assert song.title == f"像鱼 {dash} 王贰浪"
    assert song.artists == ()


def test_brackets_unclosed_warning_text() -> None:
    song = parse_name("像鱼 (伴奏 - 王贰浪")
    assert song.title == "像鱼 (伴奏"
    assert song.warnings == ("unmatched bracket '(' at character 4 kept",)


@pytest.mark.parametrize(
    ("line", "title", "versions", "aliases"),
    [
        (
            "Fiji [Oliver Smith Remix [Mixed]] - A",
            "Fiji",
            ("Oliver Smith Remix [Mixed]",),
            (),
        ),
        ("Fiji 【Remix（Mixed）】 - A", "Fiji", ("Remix（Mixed）",), ()),
        ("Fiji ［Live］ - A", "Fiji", ("Live",), ()),
        ("Fiji 〖伴奏〗 - A", "Fiji", ("伴奏",), ()),
        (
            "Song (Remix) (Translated Name) - A",
            "Song",
            ("Remix",),
            ("Translated Name",),
        ),
        ("Song (Translated) Tail - A", "Song (Translated) Tail", (), ()),
    ],
)
def test_brackets_shapes_and_kinds(
    line: str, title: str, versions: tuple[str, ...], aliases: tuple[str, ...]
) -> None:
    song = parse_name(line)
    assert song.title == title
    assert song.versions == versions
    assert song.aliases == aliases


@pytest.mark.parametrize(
    ("line", "title", "featured"),
    [
        ("Song (prod. Metro Boomin) - Future", "Song", ("Metro Boomin",)),
        ("Song (Prod by Metro Boomin) - Future", "Song", ("Metro Boomin",)),
        ("Song (ft Drake) - Future", "Song", ("Drake",)),
        ("Song prod. Metro Boomin - Future", "Song", ("Metro Boomin",)),
        ("Song featuring A _ B - Future", "Song", ("A", "B")),
        ("Song (feat. A, B) [Remix] - Future", "Song", ("A", "B")),
    ],
)
def test_featured_credit_forms(
    line: str, title: str, featured: tuple[str, ...]
) -> None:
    song = parse_name(line)
    assert song.title == title
    assert song.featured == featured
    assert song.artists == ("Future",)


@pytest.mark.parametrize(
    "line",
    ["Left ft Right - A", "The Prod Song - A", "My Feat Is Here - A"],
)
def test_featured_needs_dot_in_text(line: str) -> None:
    song = parse_name(line)
    assert song.title == line.removesuffix(" - A")
    assert song.featured == ()


def test_featured_word_in_group_not_credit() -> None:
    song = parse_name("Song (Feature Film) - A")
    assert song.featured == ()
    assert song.aliases == ("Feature Film",)


def test_featured_credit_without_names() -> None:
    song = parse_name("Song feat. - A")
    assert song.title == "Song feat."
    assert song.featured == ()


def test_featured_after_artist_prod() -> None:
    song = parse_name("Song - Future prod. Metro Boomin")
    assert song.artists == ("Future",)
    assert song.featured == ("Metro Boomin",)


def test_clean_nfd_kana_one_key() -> None:
    nfc = "ガーネット - 奥華子"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert parse_name(nfd).line == nfc
    assert dedupe_key(nfd) == dedupe_key(nfc)


def test_clean_zero_width_in_artist() -> None:
    song = parse_name("Song - Alan\u200b Walker\u2060")
    assert song.artists == ("Alan Walker",)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Ado\u200d - 唱", "Ado - 唱"),
        ("\u200dSong", "Song"),
        ("像\u200d鱼", "像鱼"),
        ("A\u200cB", "AB"),
        ("\u202eSong\u202c - A\u200e", "Song - A"),
        ("Song\u00ad - A", "Song - A"),
        ("\u2800Song\u3164", "Song"),
        ("A\u0000B\u0007C", "A B C"),
        ("A\u2028B\u2029C\u0085D", "A B C D"),
        ("像鱼\u3000\u3000（伴奏）", "像鱼 （伴奏）"),
    ],
)
def test_clean_text_cases(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f3f3\ufe0f\u200d\U0001f308",
        "\u2764\ufe0f\u200d\U0001f525",
        "\U0001f9d1\U0001f3fd\u200d\U0001f4bb",
        "\u0915\u094d\u200d\u0937",
    ],
)
def test_clean_keeps_joiner_sequences(text: str) -> None:
    assert clean_text(f"Song {text}") == f"Song {text}"


def test_clean_idempotent_example() -> None:
    text = "\u200b  Café\u0301 \u200d\U0001f468\u200d\U0001f469 \u3000"
    assert clean_text(clean_text(text)) == clean_text(text)


@given(st.text(max_size=60))
def test_clean_text_idempotent(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


def test_parse_too_long_rejected() -> None:
    line = "像" * MAX_LINE_CHARS + " - 歌手"
    with pytest.raises(InvalidNameError, match=f"more than the {MAX_LINE_CHARS}"):
        parse_name(line)


def test_parse_max_length_accepted() -> None:
    line = "a" * (MAX_LINE_CHARS - 4) + " - b"
    assert parse_name(line).artists == ("b",)


def test_overrides_raw_title_literal() -> None:
    song = name_with_overrides(
        "Love (Cover Me) Tonight - Artist", title="Love (Cover Me) Tonight"
    )
    assert song.title == "Love (Cover Me) Tonight"
    assert song.versions == ()
    assert song.artists == ("Artist",)
    assert song.line == "Love (Cover Me) Tonight - Artist"


def test_overrides_ambiguous_line_accepted() -> None:
    line = "The Beatles - Yesterday - Live from The ABC Theatre"
    song = name_with_overrides(
        line,
        title="Yesterday",
        artists=["The Beatles"],
        versions=["Live from The ABC Theatre"],
    )
    assert song.line == line
    assert song.title == "Yesterday"
    assert song.artists == ("The Beatles",)
    assert song.versions == ("Live from The ABC Theatre",)


def test_overrides_artists_not_split() -> None:
    song = name_with_overrides("Thunderstruck - AC_DC", artists=["AC/DC", "A, B"])
    assert song.title == "Thunderstruck"
    assert song.artists == ("AC/DC", "A, B")


def test_overrides_artist_keeps_title_parse() -> None:
    song = name_with_overrides("どうして… (为什么) (Live)", artists=["凋叶棕"])
    assert song.title == "どうして…"
    assert song.versions == ("Live",)
    assert song.aliases == ("为什么",)
    assert song.artists == ("凋叶棕",)


def test_overrides_artist_needs_parsable_line() -> None:
    with pytest.raises(AmbiguousNameError):
        name_with_overrides("a - b - c", artists=["b"])


@pytest.mark.parametrize("field", ["title", "artists", "versions"])
def test_overrides_empty_rejected(field: str) -> None:
    value: object = "\u200b " if field == "title" else ["\u3000"]
    with pytest.raises(InvalidNameError, match="is empty"):
        name_with_overrides("像鱼 - 王贰浪", **{field: value})  # type: ignore[arg-type]  # one override at a time


def test_overrides_cleaned() -> None:
    song = name_with_overrides("像鱼", title="\u200b像鱼\u3000", artists=[" 王贰浪\r"])
    assert song.title == "像鱼"
    assert song.artists == ("王贰浪",)


@pytest.mark.parametrize("line", [row[0] for row in EXAMPLE_TABLE])
def test_stored_name_round_trip(line: str) -> None:
    song = parse_name(line)
    rebuilt = stored_name(song.line, song.title, song.versions, song.artists)
    assert rebuilt == song


def test_stored_name_keeps_featured() -> None:
    song = parse_name("Stay (feat. Justin Bieber) - The Kid LAROI")
    rebuilt = stored_name(
        song.line, song.title, list(song.versions), list(song.artists)
    )
    assert rebuilt.featured == ("Justin Bieber",)


def test_stored_name_artist_title_order() -> None:
    song = parse_name("凋叶棕 - どうして… (为什么)", order="artist-title")
    rebuilt = stored_name(
        song.line, song.title, song.versions, song.artists, "artist-title"
    )
    assert rebuilt == song


def test_stored_name_overridden_fields_win() -> None:
    rebuilt = stored_name("a - b - c", "b", ["Live"], ["a"])
    assert rebuilt.title == "b"
    assert rebuilt.versions == ("Live",)
    assert rebuilt.artists == ("a",)
    assert rebuilt.aliases == ()


def test_stored_name_matches_overrides() -> None:
    line = "どうして… (为什么) (Live) - 凋叶棕"
    song = name_with_overrides(line, artists=["凋叶棕", "ZUN"])
    rebuilt = stored_name(song.line, song.title, song.versions, song.artists)
    assert rebuilt == song


@given(
    st.text(max_size=60),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.lists(st.text(max_size=10), max_size=3)),
)
def test_overrides_raise_only_invalid_name(
    line: str, title: str | None, artists: list[str] | None
) -> None:
    try:
        song = name_with_overrides(line, title=title, artists=artists)
    except InvalidNameError:
        return
    assert song.title
    rebuilt = stored_name(song.line, song.title, song.versions, song.artists)
    assert rebuilt == song


# Pieces that make lines near the fast path's edges: one round group, credits,
# list separators, dashes with and without spaces, empty and nested groups.
_PIECES = [
    "Song", "A", "像鱼", "Live", "伴奏", "为什么", "feat. B", "ft B", "prod. C",
    " ", " (", "(", ")", " （", "）", "[", "]", "()", " - ", " – ", "-", " -- ",
    ", ", " _ ", "、", " / ", "_", "&", ".", "x",
]  # fmt: skip


@pytest.mark.parametrize("line", [row[0] for row in EXAMPLE_TABLE])
def test_fast_path_examples(line: str) -> None:
    cleaned = clean_text(line)
    simple = _parse_simple(cleaned)
    if simple is not None:
        assert simple == _parse_general(line, cleaned, "title-artist")


def test_fast_path_used() -> None:
    assert _parse_simple("像鱼 (伴奏) - 王贰浪") is not None
    assert _parse_simple("玉盘 - 葫芦童声") is not None


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10).map("".join))
def test_fast_path_matches_general(line: str) -> None:
    cleaned = clean_text(line)
    simple = _parse_simple(cleaned) if cleaned else None
    if simple is None:
        return
    assert simple == _parse_general(line, cleaned, "title-artist")


_WORDS = st.sampled_from(
    ["Song", "像鱼", "A", "x", "-", "&", ".", "_", "B-C", "Live", "伴奏", "为什么"]
    + ["feat. B", "ft B", "prod. C", "feat.", "( feat. D)"]
)
_TEXT = st.lists(_WORDS, min_size=1, max_size=3).map(" ".join)
_GROUP = st.builds(
    "{}{}{}".format,
    st.sampled_from([" (", "(", " （", "（"]),
    st.one_of(st.just(""), st.just(" "), _TEXT),
    st.sampled_from([")", "）"]),
)
_ARTISTS = st.lists(_TEXT, min_size=1, max_size=3).flatmap(
    lambda names: st.sampled_from([", ", " _ ", "、", " / ", " x "]).map(
        lambda separator: separator.join(names)
    )
)


@settings(max_examples=1000)
@given(
    _TEXT,
    st.one_of(st.just(""), _GROUP),
    st.sampled_from([" - ", " - ", " – ", " -- "]),
    _ARTISTS,
)
def test_fast_path_shapes(title: str, group: str, dash: str, artists: str) -> None:
    line = title + group + dash + artists
    cleaned = clean_text(line)
    simple = _parse_simple(cleaned)
    if simple is None:
        return
    assert simple == _parse_general(line, cleaned, "title-artist")
