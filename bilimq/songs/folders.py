"""Read a folder of audio files, and the folders below it, as a song list.

Music libraries are laid out `Artist/Album/01 - Title.mp3`, so the folder is
read recursively, in sorted order. Each audio file gives its length and album,
read by mutagen, and its song name: from its title and artist tags when it
has both, or else from its file name without the track number (see
`bilimq.songs.stems`). When the name and the tags disagree, the tags win and
the entry carries a warning. Hidden files and folders are skipped, and so are
links to folders, which could loop. A FIFO, socket or device is skipped
without being opened, because reading a FIFO waits forever for a writer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from loguru import logger

from bilimq.errors import InvalidNameError
from bilimq.songs.audio_files import (
    UnreadableAudioError,
    file_kind,
    is_placeholder_name,
    read_audio_file,
)
from bilimq.songs.durations import MAX_SECONDS, MIN_SECONDS, format_duration
from bilimq.songs.entries import EntryError, ListFileError, ListLine, SongList
from bilimq.songs.names import parse_name
from bilimq.songs.parts import join_parts
from bilimq.songs.records import clean_album
from bilimq.songs.stems import has_track_prefix, names_agree, strip_track_number

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".m4a", ".flac", ".ogg", ".opus", ".wav", ".aac", ".wma", ".ape"}
)
"""File extensions, lower case, whose files `read_folder` reads as songs."""


class _Walk:
    """The files and folders a folder walk found, before any audio file is read."""

    def __init__(self) -> None:
        self.audio: dict[str, list[str]] = {}
        """Audio file names by folder, relative to the root, in sorted order."""
        self.skipped: list[str] = []
        self.warnings: list[str] = []
        self.subfolders = 0


def read_folder(folder: str | Path) -> SongList:
    """Take the audio files in `folder` and the folders below it as songs.

    Each audio file (see AUDIO_EXTENSIONS, any case) gives one entry, in sorted
    order of its path, with its length and album. A file mutagen cannot read
    gives an entry that carries the reason. Other files are listed in
    `skipped_files` by their path below `folder`. Raise ListFileError when the
    folder cannot be read.
    """
    name = str(folder)
    walk = _walk(name)
    lines: list[ListLine] = []
    for relative_folder, files in walk.audio.items():
        numbered = sum(1 for file in files if has_track_prefix(_stem(file)))
        numbered_folder = numbered >= 2 and numbered * 2 >= len(files)
        for file in files:
            relative = os.path.join(relative_folder, file) if relative_folder else file
            path = Path(name, relative)
            lines.append(_audio_entry(path, relative, len(lines) + 1, numbered_folder))
    unusable = sum(1 for line in lines if line.error is not None)
    logger.info(
        "read folder {} and {} folder(s) below it: {} audio file(s), {} of them "
        "unusable, {} other file(s) skipped",
        name,
        walk.subfolders,
        len(lines),
        unusable,
        len(walk.skipped),
    )
    return SongList(
        source=name,
        lines=lines,
        skipped_files=walk.skipped,
        warnings=walk.warnings,
        subfolders=walk.subfolders,
    )


def _walk(root: str) -> _Walk:
    walk = _Walk()
    try:
        top = sorted(os.scandir(root), key=_entry_name)
    except OSError as exc:
        raise ListFileError(
            f"cannot read folder {root!r}: {exc.strerror}; check the path and "
            "its permissions"
        ) from exc
    pending: list[tuple[str, list[os.DirEntry[str]]]] = [("", top)]
    while pending:
        relative, entries = pending.pop()
        below = _classify_entries(root, relative, entries, walk)
        # Reversed, so the stack pops the subfolders in sorted order.
        for child in reversed(below):
            listed = _list_folder(root, child, walk)
            if listed is not None:
                walk.subfolders += 1
                pending.append((child, listed))
    return walk


def _list_folder(
    root: str, relative: str, walk: _Walk
) -> list[os.DirEntry[str]] | None:
    try:
        return sorted(os.scandir(os.path.join(root, relative)), key=_entry_name)
    except OSError as exc:
        walk.warnings.append(
            f"cannot read folder {os.path.join(root, relative)!r}: {exc.strerror}; "
            "its files are skipped"
        )
        return None


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _classify_entries(
    root: str, relative: str, entries: list[os.DirEntry[str]], walk: _Walk
) -> list[str]:
    """Record what each entry of one folder is; return its subfolders to read."""
    folders: list[str] = []
    audio: list[str] = []
    for entry in entries:
        path = os.path.join(relative, entry.name) if relative else entry.name
        if entry.name.startswith("."):
            _skip_hidden(entry, path, walk)
        elif entry.is_dir(follow_symlinks=False):
            folders.append(path)
        elif entry.is_symlink() and entry.is_dir():
            walk.warnings.append(
                f"skipped {os.path.join(root, path)!r}: links to folders are not "
                "followed, because they can loop; pass the folder it links to"
            )
        elif not _is_audio_name(entry.name):
            walk.skipped.append(path)
        elif (special := _special_kind(entry)) is not None:
            walk.warnings.append(
                f"skipped {os.path.join(root, path)!r}: it is {special}, not an "
                "audio file, so it is not opened"
            )
        else:
            audio.append(entry.name)
    if audio:
        walk.audio[relative] = audio
    return folders


def _skip_hidden(entry: os.DirEntry[str], path: str, walk: _Walk) -> None:
    if entry.is_dir(follow_symlinks=False):
        logger.debug("skipped hidden folder {}", path)
    else:
        walk.skipped.append(path)


def _is_audio_name(file_name: str) -> bool:
    stem, extension = os.path.splitext(file_name)
    return bool(stem) and extension.lower() in AUDIO_EXTENSIONS


def _special_kind(entry: os.DirEntry[str]) -> str | None:
    """Return what an entry is when it is a FIFO, socket or device, through
    links too, or else None.

    A broken link is not special: opening it gives an entry with the reason.
    """
    try:
        mode = entry.stat().st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)


def _stem(file_name: str) -> str:
    return os.path.splitext(file_name)[0]


def _audio_entry(
    path: Path, relative: str, lineno: int, numbered_folder: bool
) -> ListLine:
    extension = path.suffix.lower()
    try:
        info = read_audio_file(path)
    except UnreadableAudioError as exc:
        reason = (
            f"{exc.reason}; the file may be damaged or not really {extension}, so "
            "replace it or move it out of the folder"
        )
        error = EntryError(path.name, reason)
        return ListLine(lineno, _stem(path.name), file_name=relative, error=error)
    stem = strip_track_number(
        _stem(path.name), track_tag=info.track, numbered_folder=numbered_folder
    )
    album, album_warnings = clean_album(info.album)
    duration, length_warnings = _plausible_length(info.duration)
    entry = ListLine(
        lineno,
        stem,
        file_name=relative,
        duration=duration,
        album=album,
        warnings=(*album_warnings, *length_warnings),
    )
    if info.title is not None and info.artists:
        return _tagged_entry(entry, info.title, info.artists)
    if _is_song_name(stem) or info.title is None:
        if is_placeholder_name(stem):
            reason = (
                f"the file name {stem!r} numbers a track but names no song, and "
                f"the file has no title tag; rename it 'Title - Artist"
                f"{extension}' or tag it"
            )
            return entry._replace(error=EntryError(path.name, reason))
        return entry
    return entry._replace(text=info.title, title=info.title)


def _tagged_entry(entry: ListLine, title: str, artists: tuple[str, ...]) -> ListLine:
    """Name a file's entry after its title and artist tags, warning when its
    file name (`entry.text`) names another song."""
    stem = entry.text
    line = join_parts(title, artists)
    warnings = entry.warnings
    if not is_placeholder_name(stem) and not names_agree(stem, title, artists):
        warnings += (
            f"the file name {stem!r} differs from its tags, so the tags name the "
            f"song {line!r}; rename the file or fix its tags if that is wrong",
        )
    return entry._replace(
        text=line,
        title=title,
        artists=artists,
        split_artists=len(artists) <= 1,
        warnings=warnings,
    )


def _plausible_length(seconds: float | None) -> tuple[float | None, tuple[str, ...]]:
    """Return a file's length when it could be a song's, or None and a warning.

    A file far shorter than a song is likely cut short, and a far longer one a
    mix. Either length would send every match to review, so it is dropped, but
    the song is still queued.
    """
    if seconds is None or MIN_SECONDS <= seconds <= MAX_SECONDS:
        return seconds, ()
    if seconds < MIN_SECONDS:
        shown = format_duration(seconds, exact=True)
        reason = f"only {shown} long, too short for a song; it may be cut short"
    else:
        reason = (
            f"{format_duration(seconds)} long, longer than one song; it may be a mix"
        )
    warning = f"the file is {reason}, so its length is not stored"
    return None, (warning,)


def _is_song_name(stem: str) -> bool:
    """Return whether a file name can be taken as the song name.

    A name that does not parse fails in either name order, because both split
    at the same spaced dashes, so the default order is enough to check it.
    """
    if is_placeholder_name(stem):
        return False
    try:
        parse_name(stem)
    except InvalidNameError:
        return False
    return True
