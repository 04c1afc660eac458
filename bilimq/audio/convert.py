"""Convert downloaded audio to the library format with ffmpeg."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from bilimq.audio._tools import require_tool, stderr_tail
from bilimq.audio.errors import ConversionError, VerifyError
from bilimq.audio.probe import probe_codec

CONVERT_TIMEOUT = 900.0
"""Seconds before a hung ffmpeg is killed."""


@dataclass(frozen=True)
class OutputFormat:
    """Settings ffmpeg uses to write one library format."""

    codec: str
    """ffprobe codec name of the format's audio. A source in this codec is copied."""
    encoder: str
    """ffmpeg encoder used when the source has another codec."""
    muxer: str
    """ffmpeg muxer (`-f`) of the output file."""
    lossy: bool
    """Whether the encoder takes a bitrate (`-b:a`)."""


FORMATS: dict[str, OutputFormat] = {
    # "ipod" is the muxer ffmpeg 5.1 picks for a .m4a name; it writes brand "M4A ".
    "m4a": OutputFormat(codec="aac", encoder="aac", muxer="ipod", lossy=True),
    "mp3": OutputFormat(codec="mp3", encoder="libmp3lame", muxer="mp3", lossy=True),
    "opus": OutputFormat(codec="opus", encoder="libopus", muxer="opus", lossy=True),
    "flac": OutputFormat(codec="flac", encoder="flac", muxer="flac", lossy=False),
}
"""Supported library formats by file extension."""

_BITRATE = re.compile(r"[1-9][0-9]*(\.[0-9]+)?[kM]?")


def convert_audio(
    src: Path, dest: Path, fmt: str = "m4a", bitrate: str = "192k"
) -> Path:
    """Convert the first audio stream of `src` into `dest` in format `fmt`.

    The audio is stream-copied when the source codec already matches the format
    (AAC into m4a, or FLAC from Bilibili's MP4 container into .flac), else encoded
    at `bitrate` (ignored for flac). Video, cover art and all source metadata are
    dropped, because bilimq writes its own tags afterwards. `dest` is overwritten
    and is removed again when ffmpeg fails.
    """
    output = check_options(fmt, bitrate)
    if src.resolve() == dest.resolve():
        raise ConversionError(
            f"{src} cannot be converted onto itself; pick another dest"
        )
    ffmpeg = require_tool("ffmpeg", ConversionError)
    copy = _source_codec(src) == output.codec
    command = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(src),
        "-vn",
        "-sn",
        "-dn",
        "-map",
        "0:a:0",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        *_codec_args(output, copy, bitrate),
        "-f",
        output.muxer,
        str(dest),
    ]
    logger.debug("ffmpeg {} {} -> {}", "copy" if copy else "encode", src, dest)
    _run_ffmpeg(command, src, dest)
    return dest


def check_options(fmt: str, bitrate: str) -> OutputFormat:
    """Return the OutputFormat of `fmt`, or raise ConversionError for a bad option."""
    output = FORMATS.get(fmt.lower())
    if output is None:
        choices = ", ".join(FORMATS)
        raise ConversionError(
            f"unsupported audio format {fmt!r}; choose one of {choices}"
        )
    if not _BITRATE.fullmatch(bitrate):
        raise ConversionError(
            f"invalid bitrate {bitrate!r}; give bits per second such as 192k or 320000"
        )
    return output


def _source_codec(src: Path) -> str:
    try:
        return probe_codec(src)
    except VerifyError as exc:
        raise ConversionError(f"cannot convert {src}: {exc}") from exc


def _codec_args(output: OutputFormat, copy: bool, bitrate: str) -> list[str]:
    args = ["-c:a", "copy" if copy else output.encoder]
    if output.lossy and not copy:
        args += ["-b:a", bitrate]
    if output.muxer == "ipod":
        # faststart moves the index (moov atom) to the front, so players can start
        # playing before they have read the whole file.
        args += ["-movflags", "+faststart"]
    return args


def _run_ffmpeg(command: list[str], src: Path, dest: Path) -> None:
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=CONVERT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        dest.unlink(missing_ok=True)
        raise ConversionError(
            f"ffmpeg timed out after {CONVERT_TIMEOUT:.0f} s converting {src}; "
            "check the disk and download the file again"
        ) from None
    if result.returncode != 0:
        dest.unlink(missing_ok=True)
        detail = stderr_tail(result.stderr) or f"exit code {result.returncode}"
        raise ConversionError(f"ffmpeg failed to convert {src}: {detail}")
