"""fetch_song end to end: yt-dlp, ffmpeg, mutagen and the install step."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_support import AudioServer, Media

from bilimq.audio.errors import (
    AudioError,
    ConversionError,
    DownloadError,
    VerifyError,
)
from bilimq.audio.pipeline import Stage, fetch_song
from bilimq.audio.probe import probe_codec, probe_duration
from bilimq.audio.tags import Tags, read_cover, read_tags


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def workdir(library: Path) -> Path:
    return library / ".bilimq-tmp"


def _tags(media: Media, url: str) -> Tags:
    return Tags(
        title="像鱼",
        artists=("王贰浪",),
        versions=("伴奏",),
        source_url=url,
        cover=media.jpeg.read_bytes(),
    )


def test_fetch_song_m4a(
    audio_server: AudioServer,
    media: Media,
    headers: dict[str, str],
    library: Path,
    workdir: Path,
) -> None:
    url = audio_server.url("/audio/song.m4a")
    stages: list[Stage] = []
    progress: list[tuple[int, int | None]] = []
    dest = fetch_song(
        url,
        workdir=workdir,
        dest=library / "像鱼 (伴奏) - 王贰浪.m4a",
        tags=_tags(media, url),
        headers=headers,
        on_progress=lambda done, total: progress.append((done, total)),
        on_stage=stages.append,
        expected_duration=3,
    )
    assert dest == library / "像鱼 (伴奏) - 王贰浪.m4a"
    assert probe_codec(dest) == "aac"
    assert probe_duration(dest) > 0
    assert read_tags(dest)["version"] == ["伴奏"]
    assert read_tags(dest)["source_url"] == [url]
    assert read_cover(dest) == media.jpeg.read_bytes()
    assert stages == ["downloading", "converting", "tagging", "installing"]
    assert progress, "on_progress was never called"
    assert list(workdir.iterdir()) == []


def test_fetch_song_mp3_source(
    audio_server: AudioServer,
    media: Media,
    headers: dict[str, str],
    library: Path,
    workdir: Path,
) -> None:
    url = audio_server.url("/audio/song.mp3")
    dest = fetch_song(
        url,
        workdir=workdir,
        dest=library / "song.m4a",
        tags=_tags(media, url),
        headers=headers,
    )
    assert probe_codec(dest) == "aac"
    assert read_tags(dest)["title"] == ["像鱼"]


def test_fetch_song_not_found_cleans_up(
    audio_server: AudioServer,
    media: Media,
    headers: dict[str, str],
    library: Path,
    workdir: Path,
) -> None:
    url = audio_server.url("/audio/missing.m4a")
    with pytest.raises(DownloadError) as caught:
        fetch_song(
            url,
            workdir=workdir,
            dest=library / "song.m4a",
            tags=_tags(media, url),
            headers=headers,
        )
    assert caught.value.transient is False
    assert list(workdir.iterdir()) == []
    assert not (library / "song.m4a").exists()


def test_fetch_song_corrupt_cleans_up(
    audio_server: AudioServer,
    media: Media,
    headers: dict[str, str],
    library: Path,
    workdir: Path,
) -> None:
    url = audio_server.url("/audio/corrupt.m4a")
    with pytest.raises((ConversionError, VerifyError)):
        fetch_song(
            url,
            workdir=workdir,
            dest=library / "song.m4a",
            tags=_tags(media, url),
            headers=headers,
        )
    assert list(workdir.iterdir()) == []
    assert not (library / "song.m4a").exists()


def test_fetch_song_cut_off_cleans_up(
    audio_server: AudioServer,
    media: Media,
    headers: dict[str, str],
    library: Path,
    workdir: Path,
) -> None:
    url = audio_server.url("/audio/song.m4a")
    with pytest.raises(VerifyError, match="cut off"):
        fetch_song(
            url,
            workdir=workdir,
            dest=library / "song.m4a",
            tags=_tags(media, url),
            headers=headers,
            expected_duration=240,
        )
    assert list(workdir.iterdir()) == []
    assert not (library / "song.m4a").exists()


def test_fetch_song_suffix_mismatch(media: Media, library: Path, workdir: Path) -> None:
    with pytest.raises(AudioError, match=r"does not end in \.mp3"):
        fetch_song(
            "http://127.0.0.1:9/never-requested.m4a",
            workdir=workdir,
            dest=library / "song.m4a",
            tags=_tags(media, ""),
            fmt="mp3",
        )
