"""Helpers shared by the modules that run ffmpeg and ffprobe."""

from __future__ import annotations

import shutil

from bilimq.audio.errors import AudioError


def require_tool(name: str, error: type[AudioError]) -> str:
    """Return the path of an ffmpeg tool, or raise `error` naming the package."""
    path = shutil.which(name)
    if path is None:
        raise error(
            f"{name} not found on PATH; install the ffmpeg package "
            "(apt install ffmpeg, dnf install ffmpeg, brew install ffmpeg)"
        )
    return path


def stderr_tail(text: str, count: int = 5) -> str:
    """Return the last non-blank lines of a tool's stderr, joined by " | "."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:])
