"""Parse and format song lengths: `221` seconds, `3:41` or `1:02:03`."""

from __future__ import annotations

import re
import unicodedata

MAX_SECONDS = 24 * 3600
"""Maximum length accepted, in seconds. A longer value is most likely milliseconds."""
DURATION_FORMS = "seconds (221), m:ss (3:41) or h:mm:ss (1:02:03)"

_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CLOCK = re.compile(r"(?:([0-9]+):)?([0-9]+):([0-9]+(?:\.[0-9]+)?)")


class DurationError(ValueError):
    """A duration is not seconds, m:ss or h:mm:ss, or is out of range."""

    def __init__(self, value: str, problem: str) -> None:
        self.value = value
        self.problem = problem
        super().__init__(self.explain())

    def explain(self, place: str = "", fix: str = f"write {DURATION_FORMS}") -> str:
        """Return the message with where the value was (`in the duration column`)
        and how to fix it."""
        where = f" {place}" if place else ""
        return f"invalid duration {self.value!r}{where}: {self.problem}; {fix}"


def parse_duration(text: str) -> float:
    """Return the seconds in `221`, `221.5`, `3:41`, `3:41.5` or `1:02:03`.

    Full-width digits and colons are accepted. Seconds after a colon must be
    two digits below 60, and so must minutes after hours. Raise DurationError
    for anything else, for zero, and for more than MAX_SECONDS.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if _SECONDS.fullmatch(value):
        return check_seconds(float(value), text)
    match = _CLOCK.fullmatch(value)
    if match is None:
        raise DurationError(text, "it is not a number of seconds or a time")
    hours, minutes, seconds = match.groups()
    _check_sixty(text, seconds, "seconds")
    if hours is not None:
        _check_sixty(text, minutes, "minutes")
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return check_seconds(total, text)


def check_seconds(seconds: float, text: str) -> float:
    """Return `seconds` when it is a usable song length; raise DurationError if not."""
    if not seconds > 0:
        raise DurationError(text, "a song length must be more than zero")
    if seconds > MAX_SECONDS:
        raise DurationError(
            text,
            f"{seconds:g} seconds is more than 24 hours; a value in milliseconds "
            "must be divided by 1000",
        )
    return seconds


def format_duration(seconds: float) -> str:
    """Format seconds as `m:ss`, or `h:mm:ss` from one hour, rounded to a second."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _check_sixty(text: str, part: str, unit: str) -> None:
    whole = part.split(".")[0]
    if len(whole) != 2:
        raise DurationError(text, f"the {unit} after a colon must be two digits")
    if int(whole) >= 60:
        raise DurationError(text, f"the {unit} after a colon must be 00 to 59")
