"""download_audio through real yt-dlp against the local audio server."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_support import AudioServer, Media
from loguru import logger

from bilimq.audio.download import YtDlpLogger, download_audio
from bilimq.audio.errors import DownloadError

COOKIES = (
    "# Netscape HTTP Cookie File\n"
    "127.0.0.1\tFALSE\t/\tFALSE\t0\tSESSDATA\tsecret-session-value\n"
)


def test_download_returns_file(
    audio_server: AudioServer, media: Media, headers: dict[str, str], tmp_path: Path
) -> None:
    path = download_audio(
        audio_server.url("/audio/song.m4a"), tmp_path, headers=headers
    )
    assert path == tmp_path / "download.m4a"
    assert path.read_bytes() == media.aac.read_bytes()


def test_download_sends_headers(
    audio_server: AudioServer, headers: dict[str, str], tmp_path: Path
) -> None:
    download_audio(audio_server.url("/audio/song.m4a"), tmp_path, headers=headers)
    sent = audio_server.requests[-1].headers
    assert sent["Referer"] == headers["Referer"]
    assert sent["User-Agent"] == headers["User-Agent"]


def test_download_reports_progress(
    audio_server: AudioServer, media: Media, headers: dict[str, str], tmp_path: Path
) -> None:
    calls: list[tuple[int, int | None]] = []
    download_audio(
        audio_server.url("/audio/song.m4a"),
        tmp_path,
        headers=headers,
        on_progress=lambda done, total: calls.append((done, total)),
    )
    size = media.aac.stat().st_size
    assert calls, "on_progress was never called"
    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_download_progress_error_propagates(
    audio_server: AudioServer, headers: dict[str, str], tmp_path: Path
) -> None:
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int | None) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        download_audio(
            audio_server.url("/audio/song.m4a"),
            tmp_path,
            headers=headers,
            on_progress=cancel,
        )


def test_download_resumes_dropped_connection(
    audio_server: AudioServer, media: Media, headers: dict[str, str], tmp_path: Path
) -> None:
    # The first GET is yt-dlp's probe of the URL, the second the download itself.
    audio_server.truncate["/audio/song.m4a"] = 2
    path = download_audio(
        audio_server.url("/audio/song.m4a"), tmp_path, headers=headers
    )
    assert path.read_bytes() == media.aac.read_bytes()
    ranges = [r.headers.get("Range") for r in audio_server.requests]
    assert any(value and value.startswith("bytes=") for value in ranges)


def test_download_sends_file_cookies(
    audio_server: AudioServer, headers: dict[str, str], tmp_path: Path
) -> None:
    cookiefile = tmp_path / "cookies.txt"
    cookiefile.write_text(COOKIES)
    workdir = tmp_path / "work"
    download_audio(
        audio_server.url("/audio/song.m4a"),
        workdir,
        headers=headers,
        cookiefile=cookiefile,
    )
    sent = audio_server.requests[-1].headers
    assert "SESSDATA=secret-session-value" in sent.get("Cookie", "")
    assert cookiefile.read_text() == COOKIES
    assert sorted(p.name for p in workdir.iterdir()) == ["download.m4a"]


def test_download_missing_cookie_file(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download_audio(
            "http://127.0.0.1:9/never-requested.m4a",
            tmp_path,
            cookiefile=tmp_path / "absent.txt",
        )
    assert caught.value.transient is False
    assert "absent.txt" in str(caught.value)


def test_download_without_referer_is_transient(
    audio_server: AudioServer, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError) as caught:
        download_audio(audio_server.url("/audio/song.m4a"), tmp_path)
    assert "403" in str(caught.value)
    assert caught.value.transient is True
    assert caught.value.unreachable is False


@pytest.mark.parametrize(
    ("status", "transient"),
    [(404, False), (410, False), (429, True), (500, True), (503, True)],
)
def test_download_http_status(
    audio_server: AudioServer,
    headers: dict[str, str],
    tmp_path: Path,
    status: int,
    transient: bool,
) -> None:
    url = audio_server.url(f"/status/{status}")
    with pytest.raises(DownloadError) as caught:
        download_audio(url, tmp_path, headers=headers)
    assert caught.value.transient is transient
    assert caught.value.unreachable is False
    assert caught.value.url == url


def test_download_connection_refused(closed_port: int, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port}/audio/song.m4a"
    with pytest.raises(DownloadError) as caught:
        download_audio(url, tmp_path, socket_timeout=1.0, retries=0)
    assert caught.value.transient is True
    assert caught.value.unreachable is True


def test_download_timeout_is_transient(silent_port: int, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{silent_port}/audio/song.m4a"
    with pytest.raises(DownloadError) as caught:
        download_audio(url, tmp_path, socket_timeout=0.3, retries=0)
    assert "timed out" in str(caught.value)
    assert caught.value.transient is True


def test_download_invalid_url_is_permanent(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download_audio("not a url", tmp_path)
    assert caught.value.transient is False


def test_logger_redacts_cookies() -> None:
    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(str(message)), level="DEBUG")
    try:
        YtDlpLogger().debug("[debug] Cookie: SESSDATA=abc123; bili_jct=def456")
    finally:
        logger.remove(sink)
    assert len(lines) == 1
    assert "abc123" not in lines[0]
    assert "def456" not in lines[0]


def test_logger_retry_is_warning() -> None:
    levels: list[str] = []
    sink = logger.add(lambda message: levels.append(message.record["level"].name))
    try:
        YtDlpLogger().debug("[download] Got error: reset. Retrying (1/3)...")
    finally:
        logger.remove(sink)
    assert levels == ["WARNING"]


def test_download_sends_session_cookie(
    audio_server: AudioServer, headers: dict[str, str], tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    download_audio(
        audio_server.url("/audio/song.m4a"),
        workdir,
        headers=headers,
        cookies={"SESSDATA": "secret-session-value"},
    )
    sent = audio_server.requests[-1].headers
    assert "SESSDATA=secret-session-value" in sent.get("Cookie", "")
    assert sorted(p.name for p in workdir.iterdir()) == ["download.m4a"]
