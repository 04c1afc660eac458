"""Fixtures for the audio tests: real media made by ffmpeg, a local audio server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from audio_support import REFERER, USER_AGENT, AudioServer, Media, handler, make_media


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    return make_media(tmp_path_factory.mktemp("media"))


@pytest.fixture
def audio_server(media: Media) -> Iterator[AudioServer]:
    server = AudioServer(
        files={
            "/audio/song.m4a": media.aac,
            "/audio/song.mp3": media.mp3,
            "/audio/corrupt.m4a": media.corrupt,
        }
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler(server))
    server.port = httpd.server_address[1]
    # A short poll interval keeps shutdown() from waiting the default 0.5 s.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A 127.0.0.1 port that accepts connections but never sends a byte."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def headers() -> dict[str, str]:
    return {"Referer": REFERER, "User-Agent": USER_AGENT}
