"""Parse, check and format song lengths: `221` seconds, `3:41` or `1:02:03`.

A length is kept only when it is plausible for one song, MIN_SECONDS to
MAX_SECONDS, because a wrong length sends every download of the song to review.
A value outside that range is rejected with a fix that names the likely unit
mistake: milliseconds in a seconds field, m.ss written with a dot, or a year in
a length column.
"""

from __future__ import annotations

import math
import re
import unicodedata

from bilimq.songs.entries import shorten

MIN_SECONDS = 5.0
"""Minimum song length accepted, in seconds; a shorter value is a unit mistake."""
MAX_SECONDS = 3 * 3600.0
"""Maximum song length accepted, in seconds. A longer value is most likely
milliseconds, and a longer recording is a mix that no single upload matches."""
DURATION_FORMS = "seconds (221), m:ss (3:41) or h:mm:ss (1:02:03)"
DEFAULT_FIX = f"write {DURATION_FORMS}"

_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CLOCK = re.compile(r"(?:([0-9]+):)?([0-9]+):([0-9]+(?:\.[0-9]+)?)")
# `3.41` meaning 3:41: two digits after the dot, below 60.
_DOTTED_CLOCK = re.compile(r"([0-9]{1,2})\.([0-5][0-9])")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
# `int()` rejects more than 4300 digits, and no length needs a tenth of that.
_MAX_CHARS = 40
# Past this many seconds (about 115 days) a message does not spell out h:mm:ss.
_FAR_TOO_LONG = 1e7


class DurationError(ValueError):
    """A duration is not seconds, m:ss or h:mm:ss, or is not a plausible length."""

    def __init__(self, value: str, problem: str, fix: str | None = None) -> None:
        self.value = value
        self.problem = problem
        self.fix = fix
        """The fix for this value's own mistake (a unit, say); None when the
        caller's general advice applies."""
        super().__init__(self.explain())

    def explain(self, place: str = "", fix: str = DEFAULT_FIX) -> str:
        """Return the message with where the value was (`in the duration column`)
        and one fix: the value's own when it has one, or else `fix`."""
        where = f" {place}" if place else ""
        value = shorten(self.value)
        return f"invalid duration {value!r}{where}: {self.problem}; {self.fix or fix}"


def parse_duration(text: str) -> float:
    """Return the seconds in `221`, `221.5`, `3:41`, `3:41.5` or `1:02:03`.

    Full-width digits and colons are accepted. Seconds after a colon must be
    two digits below 60, and so must minutes after hours. Raise DurationError
    for anything else, and for a length outside MIN_SECONDS to MAX_SECONDS.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if len(value) > _MAX_CHARS:
        raise DurationError(text, "it is far too long to be a length")
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


def is_duration_syntax(text: str) -> bool:
    """Return whether `text` is written like a length (`221`, `3:41`), in range
    or not."""
    value = unicodedata.normalize("NFKC", text).strip()
    return bool(_SECONDS.fullmatch(value) or _CLOCK.fullmatch(value))


def check_seconds(seconds: float, text: str) -> float:
    """Return `seconds` when it is a plausible song length; raise DurationError
    naming the likely unit mistake if not.

    `text` is the value as written, which distinguishes `2008` from `33:28`.
    """
    if not math.isfinite(seconds):
        raise DurationError(text, _not_finite(seconds), DEFAULT_FIX)
    if seconds <= 0:
        raise DurationError(
            text,
            "a song length must be more than zero",
            f"{DEFAULT_FIX}, or leave it empty when the length is unknown",
        )
    written = unicodedata.normalize("NFKC", text).strip()
    if seconds < MIN_SECONDS:
        raise _too_short(seconds, text, written)
    if seconds > MAX_SECONDS:
        raise _too_long(seconds, text, written)
    if _YEAR.fullmatch(written):
        raise DurationError(
            text,
            f"{written} looks like a year, not a length in seconds",
            f"write the length as m:ss ({format_duration(seconds)} if the song "
            "really is that long)",
        )
    return seconds


def check_milliseconds(milliseconds: float, text: str) -> float:
    """Return the seconds in a value from a milliseconds field, as in Spotify
    exports; raise DurationError when it cannot be milliseconds of a song."""
    if math.isfinite(milliseconds) and 0 < milliseconds < 1000:
        raise DurationError(
            text,
            f"{shorten(text)} is under 1000, so it is not milliseconds (as seconds "
            f"it would be {format_duration(milliseconds)})",
            "put lengths in seconds or m:ss in a duration column instead",
        )
    seconds = milliseconds / 1000
    if not math.isfinite(seconds):
        raise DurationError(text, _not_finite(seconds), _MILLISECONDS_FIX)
    if seconds <= 0:
        raise DurationError(
            text, "a song length must be more than zero", _MILLISECONDS_FIX
        )
    if seconds < MIN_SECONDS:
        raise DurationError(
            text,
            f"{format_duration(seconds, exact=True)} is shorter than "
            f"{MIN_SECONDS:g} seconds, the shortest song length accepted",
            _MILLISECONDS_FIX,
        )
    if seconds > MAX_SECONDS:
        raise DurationError(text, _longer_than_max(seconds), _MILLISECONDS_FIX)
    return seconds


def format_duration(seconds: float, *, exact: bool = False) -> str:
    """Format seconds as `m:ss`, or `h:mm:ss` from one hour, rounded to a second.

    With `exact`, a length under a minute keeps up to three decimals (`0:00.233`),
    so a message can show a value that rounds to zero.
    """
    if exact and seconds < 60 and seconds != round(seconds):
        return f"0:{seconds:06.3f}".rstrip("0")
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


_MAX_TEXT = f"{MAX_SECONDS / 3600:g} hours"
_MILLISECONDS_FIX = "write the length in milliseconds, such as 221000 for 3:41"


def _not_finite(seconds: float) -> str:
    return "it is not a number" if math.isnan(seconds) else "the number is too large"


def _too_short(seconds: float, text: str, written: str) -> DurationError:
    dotted = _DOTTED_CLOCK.fullmatch(written)
    if dotted is not None and int(dotted.group(1)) > 0:
        clock = f"{int(dotted.group(1))}:{dotted.group(2)}"
        return DurationError(
            text,
            f"{written} seconds is shorter than any song, so it is probably minutes "
            "and seconds written with a dot",
            f"write {clock} if the song is {clock} long",
        )
    if _SECONDS.fullmatch(written) and MIN_SECONDS <= seconds * 60 <= MAX_SECONDS:
        return DurationError(
            text,
            f"{written} seconds is shorter than any song, so it is probably minutes",
            f"write {format_duration(seconds * 60)} if the song is "
            f"{written} minutes long",
        )
    return DurationError(
        text,
        f"{format_duration(seconds, exact=True)} is shorter than {MIN_SECONDS:g} "
        "seconds, the shortest song length accepted",
        f"{DEFAULT_FIX}, or leave it empty when the length is unknown",
    )


def _too_long(seconds: float, text: str, written: str) -> DurationError:
    if _SECONDS.fullmatch(written) and MIN_SECONDS <= seconds / 1000 <= MAX_SECONDS:
        return DurationError(
            text,
            f"{format_duration(seconds)} is longer than {_MAX_TEXT}; it looks like "
            f"milliseconds ({format_duration(seconds / 1000)})",
            "divide it by 1000",
        )
    return DurationError(
        text,
        _longer_than_max(seconds),
        "leave the length empty for a long mix, or write h:mm:ss (1:02:03)",
    )


def _longer_than_max(seconds: float) -> str:
    if seconds > _FAR_TOO_LONG:
        return "it is far longer than any song"
    return (
        f"{format_duration(seconds)} is longer than {_MAX_TEXT}, the longest song "
        "length accepted"
    )


def _check_sixty(text: str, part: str, unit: str) -> None:
    whole = part.split(".")[0]
    if len(whole) != 2:
        raise DurationError(text, f"the {unit} after a colon must be two digits")
    if int(whole) >= 60:
        raise DurationError(text, f"the {unit} after a colon must be 00 to 59")
