from __future__ import annotations

import pytest

from bilimq.songs.durations import (
    DurationError,
    format_duration,
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
        ("221000", "more than 24 hours; a value in milliseconds"),
    ],
)
def test_parse_duration_rejects(text: str, problem: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert problem in str(caught.value)
    assert repr(text) in str(caught.value)
    assert "m:ss (3:41)" in str(caught.value)


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
