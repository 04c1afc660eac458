"""Test support for the audio tests: real media made by ffmpeg, a local audio server."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

REFERER = "https://www.bilibili.com/video/BV1xx411c7mD"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) bilimq-tests"

_CONTENT_TYPES = {".m4a": "audio/mp4", ".mp3": "audio/mpeg"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class Media:
    """Small real media files made once per test session."""

    aac: Path
    """3 s sine, AAC in an m4a container."""
    mp3: Path
    """3 s sine, MP3."""
    jpeg: Path
    png: Path
    corrupt: Path
    """Random bytes with an .m4a suffix."""


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
    )


@dataclass
class ServedRequest:
    """One request the audio server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class AudioServer:
    """A threaded HTTP server on 127.0.0.1 that serves files like a Bilibili CDN.

    Requests without the Referer header get 403. `/status/<code>` responds
    with that status. Range requests get 206 with Content-Range.
    """

    files: dict[str, Path]
    requests: list[ServedRequest] = field(default_factory=list)
    truncate: dict[str, int] = field(default_factory=dict)
    """Path -> how many more GET responses close the connection after half the body."""
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """Return the (first, last) byte of a single Range header, or None without one.

    An unsatisfiable range comes back with first > last.
    """
    match = _RANGE.fullmatch(header)
    if match is None or not (match.group(1) or match.group(2)):
        return None
    if not match.group(1):
        return max(size - int(match.group(2)), 0), size - 1
    return int(match.group(1)), min(int(match.group(2) or size - 1), size - 1)


def handler(server: AudioServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, body: bool) -> None:
            server.requests.append(
                ServedRequest(self.command, self.path, dict(self.headers.items()))
            )
            if self.headers.get("Referer") != REFERER:
                self._status(403)
                return
            if self.path.startswith("/status/"):
                self._status(int(self.path.removeprefix("/status/")))
                return
            path = server.files.get(self.path)
            if path is None:
                self._status(404)
                return
            self._send_file(path, body)

        def _send_file(self, path: Path, body: bool) -> None:
            data = path.read_bytes()
            requested = byte_range(self.headers.get("Range", ""), len(data))
            if requested is None:
                start, end = 0, len(data) - 1
                self.send_response(200)
            elif requested[0] > requested[1]:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            else:
                start, end = requested
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")

            self.send_header("Content-Type", _CONTENT_TYPES.get(path.suffix, ""))
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if not body:
                return

            chunk = data[start : end + 1]
            if server.truncate.get(self.path, 0) > 0:
                server.truncate[self.path] -= 1
                self.wfile.write(chunk[: len(chunk) // 2])
                self.close_connection = True
                return
            self.wfile.write(chunk)

        def _status(self, code: int) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def make_media(folder: Path) -> Media:
    """Write the test media into `folder` with ffmpeg."""
    sine = ["-f", "lavfi", "-i", "sine=frequency=440:duration=3"]
    _ffmpeg(*sine, "-c:a", "aac", "-b:a", "48k", str(folder / "sine.m4a"))
    _ffmpeg(*sine, "-c:a", "libmp3lame", "-b:a", "48k", str(folder / "sine.mp3"))
    color = ["-f", "lavfi", "-i", "color=red:s=16x16", "-frames:v", "1"]
    _ffmpeg(*color, str(folder / "cover.jpg"))
    _ffmpeg(*color, str(folder / "cover.png"))
    corrupt = folder / "corrupt.m4a"
    corrupt.write_bytes(bytes(range(256)) * 16)
    return Media(
        aac=folder / "sine.m4a",
        mp3=folder / "sine.mp3",
        jpeg=folder / "cover.jpg",
        png=folder / "cover.png",
        corrupt=corrupt,
    )
