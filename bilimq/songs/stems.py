"""Turn an audio file's name into a song name, and compare it with the tags.

Rippers and stores name files after the track number: `01 - 千鱼.mp3`,
`02. 像鱼.mp3`, `03 Title - Artist.flac`, `1-05 Title.mp3` (disc 1, track 5).
The number is no part of the song's name, so it is stripped, but only when
something shows it is a track number, because titles start with numbers too
(`99 Luftballons - Nena`, `22 - Taylor Swift`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bilimq.songs.parts import join_parts

# An optional disc number, the track number, then a separator: a dash with or
# without spaces, a dot, spaces, or underscores.
_TRACK_PREFIX = re.compile(
    r"(?P<disc>[0-9]{1,2}[-.])?(?P<track>[0-9]{1,3})"
    r"(?P<separator>\s*[-\u2013\u2014]\s*|\.\s*|\s+|_+)"
    r"(?=\S)"
)
_SPACED_DASH = re.compile(r"\s[-\u2013\u2014]\s")


def has_track_prefix(stem: str) -> bool:
    """Return whether a file name starts like a track number (`01 - `, `3 `)."""
    return _prefix(stem) is not None


def strip_track_number(
    stem: str, *, track_tag: int | None = None, numbered_folder: bool = False
) -> str:
    """Return a file name without its leading track number, when it has one.

    The number is stripped when it is zero-padded (`01`), follows a disc number
    (`1-05`), is followed by a dot and a space (`2. `), equals the file's
    track-number tag, or is followed by a spaced dash with another spaced dash
    after it (`1 - Title - Artist`). `numbered_folder` means that most files
    beside this one start with a number, which is evidence enough on its own.
    """
    match = _prefix(stem)
    if match is None:
        return stem
    rest = stem[match.end() :].strip()
    if not rest or rest.isdigit():
        return stem
    if numbered_folder or _is_track_number(match, rest, track_tag):
        return rest
    return stem


def names_agree(stem: str, title: str, artists: Sequence[str]) -> bool:
    """Return whether a file name names the same song as its tags.

    Only letters and digits are compared, so `Au_Ra` matches `Au/Ra` and
    spacing or separators do not matter. The name may be `Title - Artist`,
    `Artist - Title` or the title alone.
    """
    key = _letters(stem)
    forms = (
        join_parts(title, artists),
        " ".join([*artists, title]),
        title,
    )
    return any(key == _letters(form) for form in forms)


def _prefix(stem: str) -> re.Match[str] | None:
    return _TRACK_PREFIX.match(stem.strip())


def _is_track_number(match: re.Match[str], rest: str, track_tag: int | None) -> bool:
    track = match.group("track")
    separator = match.group("separator")
    if len(track) >= 2 and track.startswith("0"):
        return True
    if match.group("disc") is not None and len(track) == 2:
        return True
    if separator.startswith(".") and separator[1:].isspace():
        return True
    if track_tag is not None and int(track) == track_tag:
        return True
    spaced_dash = separator.strip() != "" and separator != separator.strip()
    return spaced_dash and _SPACED_DASH.search(rest) is not None


def _letters(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())
