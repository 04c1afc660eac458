"""Real audio files of known length for folder tests, made with ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def make_tone(path: Path, seconds: float, **tags: str) -> Path:
    """Write a sine tone of `seconds` to `path`, in the format its extension names.

    Each keyword becomes a tag (title, artist, album) through ffmpeg's -metadata.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    command = [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi"]
    command += ["-i", f"sine=frequency=440:duration={seconds}"]
    for key, value in tags.items():
        command += ["-metadata", f"{key}={value}"]
    subprocess.run([*command, str(path)], check=True, timeout=60)
    return path


def make_corrupt(path: Path) -> Path:
    """Write an HTML error page under an audio extension, as a failed download does."""
    path.write_bytes(b"<html>404 not found</html>\n" * 100)
    return path
