from __future__ import annotations

import pytest

from bilimq.songs.durations import (
    MAX_SECONDS,
    MIN_SECONDS,
    DurationError,
    check_milliseconds,
    format_duration,
    is_duration_syntax,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("221", 221.0),
        ("221.5", 221.5),
        ("3:41", 221.0),
        ("03:41", 221.0),
        ("3:41.5", 221.5),
        ("75:00", 4500.0),
        ("1:02:03", 3723.0),
        (" 3:41 ", 221.0),
        ("３：４１", 221.0),
    ],
)
def test_parse_duration_forms(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3:99", "the seconds after a colon must be 00 to 59"),
        ("3:5", "the seconds after a colon must be two digits"),
        ("1:60:00", "the minutes after a colon must be 00 to 59"),
        ("1:2:03", "the minutes after a colon must be two digits"),
        ("abc", "it is not a number of seconds or a time"),
        ("3m41s", "it is not a number of seconds or a time"),
        ("-5", "it is not a number of seconds or a time"),
        ("", "it is not a number of seconds or a time"),
        ("0", "a song length must be more than zero"),
        ("0:00", "a song length must be more than zero"),
    ],
)
def test_parse_duration_rejects(text: str, problem: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert problem in str(caught.value)
    assert repr(text) in str(caught.value)
    assert "m:ss (3:41)" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "problem", "fix"),
    [
        (
            "3.41",
            "3.41 seconds is shorter than any song, so it is probably minutes and "
            "seconds written with a dot",
            "write 3:41 if the song is 3:41 long",
        ),
        (
            "3",
            "3 seconds is shorter than any song, so it is probably minutes",
            "write 3:00 if the song is 3 minutes long",
        ),
        (
            "0.001",
            "0:00.001 is shorter than 5 seconds, the shortest song length accepted",
            "or leave it empty when the length is unknown",
        ),
        ("0:04", "0:04 is shorter than 5 seconds", "write seconds (221)"),
        (
            "2008",
            "2008 looks like a year, not a length in seconds",
            "write the length as m:ss (33:28 if the song really is that long)",
        ),
        (
            "221000",
            "61:23:20 is longer than 3 hours; it looks like milliseconds (3:41)",
            "divide it by 1000",
        ),
        (
            "60000",
            "16:40:00 is longer than 3 hours; it looks like milliseconds (1:00)",
            "divide it by 1000",
        ),
        (
            "3:00:01",
            "3:00:01 is longer than 3 hours, the longest song length accepted",
            "leave the length empty for a long mix",
        ),
        ("9" * 5000, "it is far too long to be a length", "write seconds (221)"),
        ("1" + "0" * 30, "it is far longer than any song", "leave the length empty"),
        ("9" * 20, "it is far longer than any song", "leave the length empty"),
    ],
)
def test_implausible_length_names_unit(text: str, problem: str, fix: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    message = str(caught.value)
    assert problem in message
    assert fix in message
    assert len(message) < 400


@pytest.mark.parametrize("text", ["5", "0:05", "3:00:00", "1999.5", "33:28"])
def test_plausible_edges_accepted(text: str) -> None:
    seconds = parse_duration(text)
    assert MIN_SECONDS <= seconds <= MAX_SECONDS


@pytest.mark.parametrize(
    ("milliseconds", "seconds"), [(5000, 5.0), (221000, 221.0), (10_800_000, 10800.0)]
)
def test_check_milliseconds(milliseconds: float, seconds: float) -> None:
    assert check_milliseconds(milliseconds, str(milliseconds)) == seconds


@pytest.mark.parametrize(
    ("milliseconds", "problem"),
    [
        (233.7, "233.7 is under 1000, so it is not milliseconds (as seconds"),
        (4999, "0:04.999 is shorter than 5 seconds"),
        (10_800_001, "3:00:00 is longer than 3 hours"),
        (float("inf"), "the number is too large"),
        (float("nan"), "it is not a number"),
    ],
)
def test_check_milliseconds_rejects(milliseconds: float, problem: str) -> None:
    with pytest.raises(DurationError) as caught:
        check_milliseconds(milliseconds, str(milliseconds))
    assert problem in str(caught.value)


def test_explain_uses_own_fix() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("2008")
    message = caught.value.explain("after ' | '", "end the line with ' |'")
    assert "end the line" not in message
    assert message.endswith("(33:28 if the song really is that long)")


@pytest.mark.parametrize(
    ("text", "syntax"),
    [("221", True), ("3:41", True), ("2008", True), ("3:99", True), ("Live", False)],
)
def test_is_duration_syntax(text: str, syntax: bool) -> None:
    assert is_duration_syntax(text) is syntax


def test_duration_error_explain_place() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("3:99")
    message = caught.value.explain("in the duration field", "fix it")
    assert message == (
        "invalid duration '3:99' in the duration field: the seconds after a colon "
        "must be 00 to 59; fix it"
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(221, "3:41"), (3.527, "0:04"), (59.6, "1:00"), (3723, "1:02:03"), (5, "0:05")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
