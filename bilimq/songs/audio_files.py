"""Read an audio file's length and its title, artist, album and track tags.

They are read with mutagen, which is already bilimq's tag library and reads the
length from a file's headers without decoding any audio.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import mutagen
from loguru import logger

from bilimq.errors import BilimqError

# Tag keys by field, lower case. Easy ID3, MP4 and Vorbis comments use the
# first; ID3 frames in WAV/AIFF, ASF (WMA) and APEv2 use the others.
_TAG_KEYS = {
    "title": ("title", "tit2"),
    "artist": ("artist", "tpe1", "author"),
    "album": ("album", "talb", "wm/albumtitle"),
    "track": ("tracknumber", "trck", "wm/tracknumber", "track"),
}
_GENERIC_WORDS = re.compile(
    r"(?i)track|trk|disc|disk|cd|audio|song|untitled|unknown|new recording"
    r"|新录音|录音|音轨|曲目"
)
_NUMBERING = re.compile(r"[\d\s_.#()\[\]-]*")
# `5` or `5/12`, as track-number tags are written.
_TRACK_TAG = re.compile(r"\s*([0-9]{1,4})\s*(?:/\s*[0-9]*\s*)?")
# Without O_NONBLOCK (Windows has none), opening a FIFO would wait for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class UnreadableAudioError(BilimqError):
    """mutagen cannot read an audio file; `reason` is the cause, worded for users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AudioFileInfo:
    """The length and tags of one audio file."""

    duration: float | None
    """Seconds, rounded to a millisecond; None when the header gives none."""
    title: str | None
    artists: tuple[str, ...]
    album: str | None
    track: int | None = None
    """The track number tag, without the track count (`5` of `5/12`)."""


def read_audio_file(path: Path) -> AudioFileInfo:
    """Read the length and tags of an audio file.

    Raise UnreadableAudioError when the file cannot be opened, is not a regular
    file (a FIFO or a device, which is never read), is damaged, or is not in a
    format mutagen recognises.
    """
    try:
        with _open_regular(path) as file:
            return _read_tags(path, file)
    except OSError as exc:
        raise UnreadableAudioError(f"cannot open it: {exc.strerror}") from exc


def _open_regular(path: Path) -> BinaryIO:
    """Open a file for reading without blocking, and only if it is a regular one.

    The file type is checked on the open descriptor, so a FIFO that replaced the
    file after the folder was listed is still never read.
    """
    file = open(path, "rb", opener=_open_nonblocking)
    mode = os.fstat(file.fileno()).st_mode
    if not stat.S_ISREG(mode):
        file.close()
        raise UnreadableAudioError(f"it is not a regular file but {file_kind(mode)}")
    return file


def _open_nonblocking(name: str, _flags: int) -> int:
    return os.open(name, _OPEN_FLAGS)


def file_kind(mode: int) -> str:
    """Return what a file of `mode` is, for messages: `a FIFO`, `a socket`, …"""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _read_tags(path: Path, file: BinaryIO) -> AudioFileInfo:
    try:
        audio = mutagen.File(file, easy=True)
    except mutagen.MutagenError as exc:
        raise UnreadableAudioError(f"mutagen cannot read it: {exc}") from exc
    except OSError as exc:
        raise UnreadableAudioError(f"cannot open it: {exc.strerror}") from exc
    except Exception as exc:  # noqa: BLE001
        # A damaged file may make mutagen's parsers raise something other than
        # MutagenError, and one bad file must not stop the whole batch.
        logger.opt(exception=exc).debug("mutagen failed on {}", path)
        raise UnreadableAudioError(f"mutagen failed on it: {exc!r}") from exc
    if audio is None:
        raise UnreadableAudioError("mutagen does not recognise its audio format")
    tags = _lowered(audio.tags)
    titles = _values(tags, "title")
    albums = _values(tags, "album")
    tracks = _values(tags, "track")
    track = _TRACK_TAG.fullmatch(tracks[0]) if tracks else None
    return AudioFileInfo(
        duration=_length(audio),
        title=titles[0] if titles else None,
        artists=tuple(_values(tags, "artist")),
        album=albums[0] if albums else None,
        track=int(track.group(1)) if track is not None else None,
    )


def is_placeholder_name(stem: str) -> bool:
    """Return whether a file name only numbers a track (`01`, `track03`, `CD1-02`)."""
    return _NUMBERING.fullmatch(_GENERIC_WORDS.sub("", stem)) is not None


def _length(audio: Any) -> float | None:
    length = getattr(audio.info, "length", None)
    if not isinstance(length, int | float) or not length > 0:
        return None
    return round(float(length), 3)


def _lowered(tags: Any) -> dict[str, Any]:
    if tags is None:
        return {}
    return {str(key).lower(): value for key, value in tags.items()}


def _values(tags: dict[str, Any], field: str) -> list[str]:
    for key in _TAG_KEYS[field]:
        if key in tags:
            return _texts(tags[key])
    return []


def _texts(value: Any) -> list[str]:
    # ID3 frames keep their strings in `.text`; APEv2 joins several with NUL.
    value = getattr(value, "text", value)
    items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    texts = (part.strip() for item in items for part in str(item).split("\x00"))
    return [text for text in texts if text]
