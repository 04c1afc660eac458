"""Cover images: detect JPEG and PNG, convert anything else to JPEG with ffmpeg."""

from __future__ import annotations

import subprocess

from bilimq.audio._tools import require_tool, stderr_tail
from bilimq.audio.errors import TagError

JPEG = "image/jpeg"
PNG = "image/png"

_COVER_TIMEOUT = 60.0


def image_mime(data: bytes) -> str | None:
    """Return "image/jpeg" or "image/png" from the magic bytes, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def normalize_cover(data: bytes) -> tuple[bytes, str]:
    """Return the cover as JPEG or PNG bytes with its MIME type.

    MP4 `covr` atoms accept only JPEG and PNG (and BMP, which players ignore), so
    other formats such as WebP or GIF are converted to JPEG with ffmpeg.
    """
    if not data:
        raise TagError("cover image is empty; pass cover=None to skip the cover")
    mime = image_mime(data)
    if mime is not None:
        return data, mime
    return _to_jpeg(data), JPEG


def _to_jpeg(data: bytes) -> bytes:
    command = [
        require_tool("ffmpeg", TagError),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        "pipe:0",
        "-frames:v",
        "1",
        "-c:v",
        "mjpeg",
        "-q:v",
        "2",
        "-f",
        "image2pipe",
        "pipe:1",
    ]
    try:
        result = subprocess.run(
            command, input=data, capture_output=True, timeout=_COVER_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise TagError(
            f"ffmpeg timed out converting a {len(data)}-byte cover image to JPEG"
        ) from None
    if result.returncode != 0 or image_mime(result.stdout) != JPEG:
        detail = stderr_tail(result.stderr.decode("utf-8", "replace"))
        raise TagError(
            f"cover image ({len(data)} bytes) is neither JPEG nor PNG and ffmpeg "
            f"cannot convert it: {detail or 'no output'}; pass a JPEG or PNG cover"
        )
    return result.stdout
