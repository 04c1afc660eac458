from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bilimq.songs.audio_files import (
    UnreadableAudioError,
    is_placeholder_name,
    read_audio_file,
)
from tests.songs.tones import make_corrupt, make_tone

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.1
"""Seconds; MP3 and AAC encoders pad the start and end of a stream."""


@pytest.mark.parametrize("extension", [".mp3", ".m4a", ".flac", ".ogg", ".opus"])
def test_read_length_and_tags(tmp_path: Path, extension: str) -> None:
    path = make_tone(
        tmp_path / f"tone{extension}",
        3.5,
        title="像鱼 (伴奏)",
        artist="王贰浪",
        album="A",
    )
    info = read_audio_file(path)
    assert info.duration == pytest.approx(3.5, abs=TOLERANCE)
    assert info.title == "像鱼 (伴奏)"
    assert info.artists == ("王贰浪",)
    assert info.album == "A"


def test_read_untagged_wav(tmp_path: Path) -> None:
    info = read_audio_file(make_tone(tmp_path / "tone.wav", 2))
    assert info.duration == pytest.approx(2, abs=TOLERANCE)
    assert info.title is None
    assert info.artists == ()


@pytest.mark.parametrize("extension", [".mp3", ".flac", ".m4a"])
def test_corrupt_file_unreadable(tmp_path: Path, extension: str) -> None:
    path = make_corrupt(tmp_path / f"broken{extension}")
    with pytest.raises(UnreadableAudioError) as caught:
        read_audio_file(path)
    assert caught.value.reason


def test_truncated_flac_unreadable(tmp_path: Path) -> None:
    path = make_tone(tmp_path / "tone.flac", 3)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(UnreadableAudioError, match="mutagen cannot read it"):
        read_audio_file(path)


def test_empty_file_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp3"
    path.write_bytes(b"")
    with pytest.raises(UnreadableAudioError):
        read_audio_file(path)


@pytest.mark.parametrize(
    ("stem", "placeholder"),
    [
        ("01", True),
        ("track03", True),
        ("Track 3", True),
        ("CD1-02", True),
        ("Disc 1 Track 02", True),
        ("untitled", True),
        ("音轨 5", True),
        ("01. ", True),
        ("1979", True),
        ("Songbird", False),
        ("像鱼 - 王贰浪", False),
        ("01 像鱼", False),
        ("Track 3 - Artist", False),
    ],
)
def test_placeholder_names(stem: str, placeholder: bool) -> None:
    assert is_placeholder_name(stem) is placeholder


@pytest.mark.parametrize(("tag", "track"), [("5", 5), ("5/12", 5), ("05 / 12", 5)])
def test_read_track_number(tmp_path: Path, tag: str, track: int) -> None:
    path = make_tone(tmp_path / "tone.mp3", 1, track=tag)
    assert read_audio_file(path).track == track


def test_no_track_number(tmp_path: Path) -> None:
    assert read_audio_file(make_tone(tmp_path / "tone.flac", 1)).track is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_unreadable_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.mp3"
    os.mkfifo(path)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bilimq.songs.audio_files import UnreadableAudioError, read_audio_file\n"
        "try:\n"
        "    read_audio_file(Path(sys.argv[1]))\n"
        "except UnreadableAudioError as exc:\n"
        "    print(exc.reason)\n"
    )
    # Reading the FIFO would wait for a writer forever; the timeout turns that
    # into a failure instead of a stuck test run.
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.strip() == "it is not a regular file but a FIFO (named pipe)"
