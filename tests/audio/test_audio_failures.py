"""classify_download_error on yt-dlp's own error objects."""

from __future__ import annotations

import io
import socket
import urllib.error

import pytest
from yt_dlp.networking import Response
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError as YtDlpDownloadError
from yt_dlp.utils import ExtractorError, UnsupportedError

from bilimq.audio.errors import DownloadError
from bilimq.audio.failures import classify_download_error

URL = "https://www.bilibili.com/video/BV1xx411c7mD"


def _wrap(cause: BaseException, message: str | None = None) -> YtDlpDownloadError:
    """Build the DownloadError that YoutubeDL raises for `cause`."""
    text = message if message is not None else f"ERROR: {cause}"
    return YtDlpDownloadError(text, exc_info=(type(cause), cause, None))


def _http_error(status: int) -> HTTPError:
    response = Response(io.BytesIO(b""), URL, {}, status=status, reason="x")
    return HTTPError(response)


def _transport_error(reason: OSError) -> TransportError:
    # yt-dlp's urllib handler raises TransportError(cause=URLError) from URLError.
    wrapped = urllib.error.URLError(reason)
    error = TransportError(cause=wrapped)
    error.__cause__ = wrapped
    return error


def _classify(error: YtDlpDownloadError) -> DownloadError:
    return classify_download_error(URL, error)


def test_classify_name_resolution_unreachable() -> None:
    cause = _transport_error(socket.gaierror(-2, "Name or service not known"))
    result = _classify(_wrap(cause))
    assert result.transient is True
    assert result.unreachable is True


def test_classify_refused_unreachable() -> None:
    cause = _transport_error(ConnectionRefusedError(111, "Connection refused"))
    result = _classify(_wrap(cause))
    assert result.transient is True
    assert result.unreachable is True


def test_classify_timeout_transient() -> None:
    cause = _transport_error(TimeoutError("timed out"))
    result = _classify(_wrap(cause))
    assert result.transient is True
    assert result.unreachable is False


def test_classify_reset_transient() -> None:
    cause = TransportError(cause=ConnectionResetError(104, "Connection reset"))
    result = _classify(_wrap(cause))
    assert result.transient is True
    assert result.unreachable is False


@pytest.mark.parametrize(
    ("status", "transient"),
    [(403, True), (404, False), (410, False), (429, True), (502, True), (451, False)],
)
def test_classify_http_status(status: int, transient: bool) -> None:
    result = _classify(_wrap(_http_error(status)))
    assert result.transient is transient
    assert result.risk_control is False


def test_classify_http_412_risk_control() -> None:
    result = _classify(_wrap(_http_error(412)))
    assert result.risk_control is True
    assert result.transient is True


def test_classify_rejected_352_risk_control() -> None:
    cause = ExtractorError("Request is rejected by server (352)", expected=True)
    result = _classify(_wrap(cause))
    assert result.risk_control is True
    assert result.transient is True


def test_classify_unsupported_url_permanent() -> None:
    result = _classify(_wrap(UnsupportedError("https://example.invalid/x")))
    assert result.transient is False


def test_classify_video_unavailable_permanent() -> None:
    cause = ExtractorError("Video unavailable", expected=True)
    result = _classify(_wrap(cause))
    assert result.transient is False


def test_classify_text_only_refused() -> None:
    error = YtDlpDownloadError("ERROR: [generic] x: [Errno 111] Connection refused")
    result = _classify(error)
    assert result.unreachable is True
    assert result.transient is True


def test_classify_message_names_url() -> None:
    result = _classify(_wrap(_http_error(404)))
    assert URL in str(result)
    assert not str(result).startswith("download of " + URL + " failed: ERROR:")


def test_classify_disk_full_transient() -> None:
    cause = OSError(28, "No space left on device")
    result = _classify(_wrap(cause, "ERROR: unable to write data: [Errno 28]"))
    assert result.transient is True
    assert result.unreachable is False
