"""convert_audio and the ffprobe helpers with the real ffmpeg."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from audio_support import Media

from bilimq.audio.convert import convert_audio
from bilimq.audio.errors import ConversionError, VerifyError
from bilimq.audio.probe import probe_audio, probe_codec, probe_duration


def _packet_digest(path: Path) -> str:
    """Hash the encoded audio packets, which stream copy leaves unchanged."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries"]
        + ["packet=size,pts", "-show_data", "-of", "compact", str(path)],
        capture_output=True,
        check=True,
    )
    return hashlib.sha256(result.stdout).hexdigest()


def _stream_types(path: Path) -> list[str]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type"]
        + ["-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_probe_reads_duration(media: Media) -> None:
    assert probe_duration(media.aac) == pytest.approx(3.0, abs=0.1)


def test_probe_reads_codec(media: Media) -> None:
    assert probe_codec(media.aac) == "aac"
    assert probe_codec(media.mp3) == "mp3"


def test_probe_corrupt_file(media: Media) -> None:
    with pytest.raises(VerifyError):
        probe_audio(media.corrupt)


def test_probe_without_audio_stream(media: Media) -> None:
    with pytest.raises(VerifyError, match="no audio stream"):
        probe_audio(media.png)


def test_convert_aac_to_m4a_copies(media: Media, tmp_path: Path) -> None:
    dest = convert_audio(media.aac, tmp_path / "out.m4a", "m4a")
    assert probe_codec(dest) == "aac"
    assert _packet_digest(dest) == _packet_digest(media.aac)


def test_convert_mp3_to_m4a_encodes(media: Media, tmp_path: Path) -> None:
    dest = convert_audio(media.mp3, tmp_path / "out.m4a", "m4a")
    assert probe_codec(dest) == "aac"
    assert probe_duration(dest) == pytest.approx(3.0, abs=0.2)


@pytest.mark.parametrize(("fmt", "codec"), [("mp3", "mp3"), ("opus", "opus")])
def test_convert_aac_encodes(
    media: Media, tmp_path: Path, fmt: str, codec: str
) -> None:
    dest = convert_audio(media.aac, tmp_path / f"out.{fmt}", fmt, "64k")
    assert probe_codec(dest) == codec
    assert probe_duration(dest) == pytest.approx(3.0, abs=0.2)


def test_convert_flac_from_mp4_copies(media: Media, tmp_path: Path) -> None:
    # Bilibili's Hi-Res streams are FLAC inside an MP4 container.
    flac_in_mp4 = tmp_path / "hires.m4s"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(media.aac)]
        + ["-c:a", "flac", "-strict", "-2", "-f", "mp4", str(flac_in_mp4)],
        check=True,
    )
    dest = convert_audio(flac_in_mp4, tmp_path / "out.flac", "flac")
    assert probe_audio(dest).container == "flac"
    assert _packet_digest(dest) == _packet_digest(flac_in_mp4)


def test_convert_drops_tags_and_video(media: Media, tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(media.mp3)]
        + ["-i", str(media.jpeg), "-map", "0", "-map", "1", "-c", "copy"]
        + ["-metadata", "title=Old Title", str(tagged)],
        check=True,
    )
    dest = convert_audio(tagged, tmp_path / "out.m4a", "m4a")
    assert _stream_types(dest) == ["audio"]
    assert "Old Title" not in dest.read_bytes().decode("latin-1")


def test_convert_corrupt_source(media: Media, tmp_path: Path) -> None:
    with pytest.raises(ConversionError):
        convert_audio(media.corrupt, tmp_path / "out.m4a")
    assert not (tmp_path / "out.m4a").exists()


def test_convert_unknown_format(media: Media, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="wav"):
        convert_audio(media.aac, tmp_path / "out.wav", "wav")


def test_convert_invalid_bitrate(media: Media, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="bitrate"):
        convert_audio(media.mp3, tmp_path / "out.m4a", "m4a", "fast")


def test_convert_onto_itself(media: Media, tmp_path: Path) -> None:
    source = tmp_path / "same.m4a"
    source.write_bytes(media.aac.read_bytes())
    with pytest.raises(ConversionError, match="onto itself"):
        convert_audio(source, source)


def test_convert_without_ffmpeg(
    media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError, match="install the ffmpeg package"):
        convert_audio(media.mp3, tmp_path / "out.m4a")
