"""Write and read song tags with mutagen: MP4 atoms, ID3 frames, Vorbis comments.

Field            MP4 (m4a)                       ID3 (mp3)   Vorbis (flac, opus)
title            ©nam                            TIT2        TITLE
artists          ©ART, one value joined by "; "  TPE1, list  ARTIST, one per artist
versions         ----:com.apple.iTunes:SUBTITLE  TIT3, list  SUBTITLE, one per version
source URL       ----:com.apple.iTunes:SOURCE    WOAS        SOURCE
album            ©alb                            TALB        ALBUM
cover            covr                            APIC        picture block

Versions go where ID3v2 puts the "subtitle/description refinement" of a title
(TIT3), and SUBTITLE is that field's usual name in Vorbis comments and MP4 atoms.
WOAS is ID3v2's "official audio source webpage". MP4 gets the artists as one
joined value because it has no standard way to store several.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TALB, TIT2, TIT3, TPE1, WOAS, Encoding, PictureType
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4Cover, MP4FreeForm
from mutagen.ogg import OggFileType

from bilimq.audio.cover import PNG, normalize_cover
from bilimq.audio.errors import TagError

ARTIST_SEPARATOR = "; "
"""Joins several artists or versions where a format stores a single value."""

_MP4_SUBTITLE = "----:com.apple.iTunes:SUBTITLE"
_MP4_SOURCE = "----:com.apple.iTunes:SOURCE"
_VORBIS_PICTURE = "METADATA_BLOCK_PICTURE"


@dataclass(frozen=True)
class Tags:
    """Tags bilimq writes into every saved file."""

    title: str
    """Song title as the user typed it."""
    artists: tuple[str, ...]
    """Artists in order, as the user typed them."""
    versions: tuple[str, ...] = ()
    """Version groups such as ("伴奏",) or ("The Him Remix",)."""
    source_url: str = ""
    """Page the audio was downloaded from, e.g. the Bilibili watch URL."""
    cover: bytes | None = None
    """Cover image bytes. JPEG and PNG are stored as they are, others become JPEG."""
    album: str = ""
    """Album name, left out when empty."""


def write_tags(path: Path, tags: Tags) -> None:
    """Replace all tags of an m4a, mp3, flac, opus or ogg file with `tags`."""
    if not tags.title.strip():
        raise TagError(f"cannot tag {path}: the title is empty")
    cover = normalize_cover(tags.cover) if tags.cover is not None else None
    audio = _open(path)
    try:
        if isinstance(audio, MP4):
            _write_mp4(audio, tags, cover)
        elif isinstance(audio, MP3):
            _write_id3(path, tags, cover)
        elif isinstance(audio, FLAC | OggFileType):
            _write_vorbis(audio, tags, cover)
        else:
            raise _unsupported(path, audio)
    except mutagen.MutagenError as exc:
        raise TagError(f"cannot write tags to {path}: {exc}") from exc


def read_tags(path: Path) -> dict[str, list[str]]:
    """Read the fields bilimq writes, as stored, keyed by field name.

    Keys are "title", "artist", "version", "source_url" and "album". A field
    that is absent is left out. Covers are read with `read_cover`.
    """
    audio = _open(path)
    if isinstance(audio, MP4):
        fields = _read_mp4(audio)
    elif isinstance(audio, MP3):
        fields = _read_id3(audio)
    elif isinstance(audio, FLAC | OggFileType):
        fields = _read_vorbis(audio)
    else:
        raise _unsupported(path, audio)
    return {key: values for key, values in fields.items() if values}


def read_cover(path: Path) -> bytes | None:
    """Return the front cover image stored in a file, or None."""
    audio = _open(path)
    if isinstance(audio, MP4):
        covers = (audio.tags or {}).get("covr") or []
        return bytes(covers[0]) if covers else None
    if isinstance(audio, MP3):
        pictures = audio.tags.getall("APIC") if audio.tags else []
        return bytes(pictures[0].data) if pictures else None
    if isinstance(audio, FLAC) and audio.pictures:
        return bytes(audio.pictures[0].data)
    if isinstance(audio, FLAC | OggFileType):
        blocks = (audio.tags or {}).get(_VORBIS_PICTURE) or []
        return Picture(base64.b64decode(blocks[0])).data if blocks else None
    raise _unsupported(path, audio)


def _open(path: Path) -> Any:
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise TagError(f"cannot read tags of {path}: {exc}") from exc
    if audio is None:
        raise TagError(
            f"{path} is not an audio file mutagen recognises; "
            "convert it to m4a, mp3, flac or opus first"
        )
    return audio


def _unsupported(path: Path, audio: Any) -> TagError:
    return TagError(
        f"{path} is {type(audio).__name__}, which bilimq does not tag; "
        "convert it to m4a, mp3, flac or opus"
    )


def _write_mp4(audio: MP4, tags: Tags, cover: tuple[bytes, str] | None) -> None:
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    audio.tags["©nam"] = [tags.title]
    if tags.artists:
        audio.tags["©ART"] = [ARTIST_SEPARATOR.join(tags.artists)]
    if tags.versions:
        audio.tags[_MP4_SUBTITLE] = [_freeform(ARTIST_SEPARATOR.join(tags.versions))]
    if tags.source_url:
        audio.tags[_MP4_SOURCE] = [_freeform(tags.source_url)]
    if tags.album:
        audio.tags["©alb"] = [tags.album]
    if cover is not None:
        data, mime = cover
        image_format = MP4Cover.FORMAT_PNG if mime == PNG else MP4Cover.FORMAT_JPEG
        audio.tags["covr"] = [MP4Cover(data, imageformat=image_format)]
    audio.save()


def _freeform(text: str) -> MP4FreeForm:
    return MP4FreeForm(text.encode("utf-8"), dataformat=AtomDataType.UTF8)


def _write_id3(path: Path, tags: Tags, cover: tuple[bytes, str] | None) -> None:
    # A fresh ID3 object replaces every old frame when saved.
    id3 = ID3()
    id3.add(TIT2(encoding=Encoding.UTF8, text=[tags.title]))
    if tags.artists:
        id3.add(TPE1(encoding=Encoding.UTF8, text=list(tags.artists)))
    if tags.versions:
        id3.add(TIT3(encoding=Encoding.UTF8, text=list(tags.versions)))
    if tags.source_url:
        id3.add(WOAS(url=tags.source_url))
    if tags.album:
        id3.add(TALB(encoding=Encoding.UTF8, text=[tags.album]))
    if cover is not None:
        data, mime = cover
        id3.add(
            APIC(
                encoding=Encoding.UTF8,
                mime=mime,
                type=PictureType.COVER_FRONT,
                desc="Cover",
                data=data,
            )
        )
    # ID3v2.4 keeps several artists as separate values. v1=0 drops any ID3v1 tag.
    id3.save(path, v1=0, v2_version=4)


def _write_vorbis(audio: Any, tags: Tags, cover: tuple[bytes, str] | None) -> None:
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    audio.tags["TITLE"] = [tags.title]
    if tags.artists:
        audio.tags["ARTIST"] = list(tags.artists)
    if tags.versions:
        audio.tags["SUBTITLE"] = list(tags.versions)
    if tags.source_url:
        audio.tags["SOURCE"] = [tags.source_url]
    if tags.album:
        audio.tags["ALBUM"] = [tags.album]
    if isinstance(audio, FLAC):
        audio.clear_pictures()
    if cover is not None:
        _add_vorbis_picture(audio, _picture(*cover))
    audio.save()


def _picture(data: bytes, mime: str) -> Picture:
    picture = Picture()
    picture.type = PictureType.COVER_FRONT
    picture.mime = mime
    picture.desc = "Cover"
    picture.data = data
    return picture


def _add_vorbis_picture(audio: Any, picture: Picture) -> None:
    if isinstance(audio, FLAC):
        audio.add_picture(picture)
        return
    # Ogg has no picture block, so the FLAC block goes base64-encoded into a comment.
    encoded = base64.b64encode(picture.write()).decode("ascii")
    audio.tags[_VORBIS_PICTURE] = [encoded]


def _read_mp4(audio: MP4) -> dict[str, list[str]]:
    tags = audio.tags or {}
    return {
        "title": list(tags.get("©nam", [])),
        "artist": list(tags.get("©ART", [])),
        "version": [bytes(v).decode("utf-8") for v in tags.get(_MP4_SUBTITLE, [])],
        "source_url": [bytes(v).decode("utf-8") for v in tags.get(_MP4_SOURCE, [])],
        "album": list(tags.get("©alb", [])),
    }


def _read_id3(audio: MP3) -> dict[str, list[str]]:
    id3 = audio.tags
    if id3 is None:
        return {}

    def text(frame_id: str) -> list[str]:
        frame = id3.get(frame_id)
        return [str(value) for value in frame.text] if frame else []

    return {
        "title": text("TIT2"),
        "artist": text("TPE1"),
        "version": text("TIT3"),
        "source_url": [frame.url for frame in id3.getall("WOAS")],
        "album": text("TALB"),
    }


def _read_vorbis(audio: Any) -> dict[str, list[str]]:
    tags = audio.tags
    if tags is None:
        return {}
    names = {
        "title": "TITLE",
        "artist": "ARTIST",
        "version": "SUBTITLE",
        "source_url": "SOURCE",
        "album": "ALBUM",
    }
    return {key: list(tags.get(name, [])) for key, name in names.items()}
