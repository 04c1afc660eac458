"""Read the codec and duration of an audio file with ffprobe."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilimq.audio._tools import require_tool, stderr_tail
from bilimq.audio.errors import VerifyError

PROBE_TIMEOUT = 60.0
"""Seconds before a hung ffprobe is killed."""


@dataclass(frozen=True)
class AudioInfo:
    """Codec, duration and container of a file's first audio stream, from ffprobe."""

    codec: str
    """ffprobe's codec name, e.g. "aac", "mp3", "opus", "flac"."""
    duration: float
    """Duration in seconds, or 0.0 when ffprobe reports none."""
    container: str
    """ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "mp3"."""


def probe_audio(path: Path) -> AudioInfo:
    """Probe the first audio stream of a file, or raise VerifyError if it has none."""
    report = _run_ffprobe(path)
    streams = report.get("streams") or []
    if not streams:
        raise VerifyError(f"{path} contains no audio stream; download it again")
    stream = streams[0]
    fmt = report.get("format") or {}
    return AudioInfo(
        codec=str(stream.get("codec_name", "")),
        duration=_parse_duration(fmt.get("duration") or stream.get("duration")),
        container=str(fmt.get("format_name", "")),
    )


def probe_duration(path: Path) -> float:
    """Return the duration of a file in seconds (0.0 when ffprobe reports none)."""
    return probe_audio(path).duration


def probe_codec(path: Path) -> str:
    """Return the codec name of the first audio stream, e.g. "aac"."""
    return probe_audio(path).codec


def _run_ffprobe(path: Path) -> dict[str, Any]:
    command = [
        require_tool("ffprobe", VerifyError),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-select_streams",
        "a:0",
        str(path),
    ]
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise VerifyError(
            f"ffprobe timed out after {PROBE_TIMEOUT:.0f} s on {path}; "
            "the file may be damaged, download it again"
        ) from None
    if result.returncode != 0:
        detail = stderr_tail(result.stderr) or f"exit code {result.returncode}"
        raise VerifyError(f"ffprobe cannot read {path}: {detail}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise VerifyError(f"ffprobe returned invalid JSON for {path}: {exc}") from exc
    return report if isinstance(report, dict) else {}


def _parse_duration(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]  # str, int or None from JSON
    except (TypeError, ValueError):
        return 0.0
