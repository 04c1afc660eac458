"""write_tags, read_tags and read_cover on real m4a, mp3, flac and opus files."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from audio_support import Media
from mutagen.mp4 import MP4, MP4Cover

from bilimq.audio.convert import convert_audio
from bilimq.audio.errors import TagError
from bilimq.audio.tags import Tags, read_cover, read_tags, write_tags

SOURCE_URL = "https://www.bilibili.com/video/BV1xx411c7mD?p=2"


@pytest.fixture(scope="session")
def untagged(media: Media, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One untagged 3 s file per format, converted once per session."""
    folder = tmp_path_factory.mktemp("untagged")
    return {
        fmt: convert_audio(media.aac, folder / f"song.{fmt}", fmt, "64k")
        for fmt in ("m4a", "mp3", "flac", "opus")
    }


@pytest.fixture(params=["m4a", "mp3", "flac", "opus"])
def song(
    request: pytest.FixtureRequest, untagged: dict[str, Path], tmp_path: Path
) -> Path:
    source = untagged[request.param]
    return Path(shutil.copy(source, tmp_path / source.name))


def _tags(media: Media) -> Tags:
    return Tags(
        title="Ghost",
        artists=("Au_Ra", "Alan Walker"),
        versions=("The Him Remix",),
        source_url=SOURCE_URL,
        cover=media.jpeg.read_bytes(),
        album="Singles",
    )


def test_tags_round_trip(song: Path, media: Media) -> None:
    write_tags(song, _tags(media))
    fields = read_tags(song)
    joined = song.suffix == ".m4a"
    assert fields["title"] == ["Ghost"]
    if joined:
        assert fields["artist"] == ["Au_Ra; Alan Walker"]
    else:
        assert fields["artist"] == ["Au_Ra", "Alan Walker"]
    assert fields["version"] == ["The Him Remix"]
    assert fields["source_url"] == [SOURCE_URL]
    assert fields["album"] == ["Singles"]


def test_tags_cover_round_trip(song: Path, media: Media) -> None:
    write_tags(song, _tags(media))
    assert read_cover(song) == media.jpeg.read_bytes()


def test_tags_png_cover_format(
    untagged: dict[str, Path], media: Media, tmp_path: Path
) -> None:
    song = Path(shutil.copy(untagged["m4a"], tmp_path / "song.m4a"))
    write_tags(song, replace(_tags(media), cover=media.png.read_bytes()))
    covers = MP4(song).tags["covr"]
    assert covers[0].imageformat == MP4Cover.FORMAT_PNG


def test_tags_webp_cover_becomes_jpeg(song: Path, media: Media, tmp_path: Path) -> None:
    webp = tmp_path / "cover.webp"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(media.png), str(webp)],
        check=True,
    )
    write_tags(song, replace(_tags(media), cover=webp.read_bytes()))
    cover = read_cover(song)
    assert cover is not None
    assert cover.startswith(b"\xff\xd8\xff")


def test_tags_rewrite_replaces_all(song: Path, media: Media) -> None:
    write_tags(song, _tags(media))
    write_tags(song, Tags(title="像鱼", artists=("王贰浪",)))
    assert read_tags(song) == {"title": ["像鱼"], "artist": ["王贰浪"]}
    assert read_cover(song) is None


def test_tags_empty_title(song: Path, media: Media) -> None:
    with pytest.raises(TagError, match="title"):
        write_tags(song, replace(_tags(media), title="  "))


def test_tags_empty_cover(song: Path, media: Media) -> None:
    with pytest.raises(TagError, match="cover"):
        write_tags(song, replace(_tags(media), cover=b""))


def test_tags_undecodable_cover(song: Path, media: Media) -> None:
    with pytest.raises(TagError, match="neither JPEG nor PNG"):
        write_tags(song, replace(_tags(media), cover=b"not an image at all"))


def test_tags_not_audio(media: Media, tmp_path: Path) -> None:
    text = tmp_path / "notes.m4a"
    text.write_text("plain text")
    with pytest.raises(TagError, match="not an audio file"):
        write_tags(text, _tags(media))
