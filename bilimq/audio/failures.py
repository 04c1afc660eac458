"""Classify yt-dlp's DownloadError as transient or permanent for the task queue.

yt-dlp wraps every failure in `yt_dlp.utils.DownloadError`. The original error
sits in its `exc_info`, and the networking errors chain further causes (the
`socket.gaierror` behind a TransportError, for instance). The chain is checked
first. The message text is the fallback, because an extractor may report a
failure only in words.
"""

from __future__ import annotations

import errno
import re
import socket
import urllib.error
from collections.abc import Iterator

from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError as YtDlpDownloadError
from yt_dlp.utils import UnsupportedError

from bilimq.audio.errors import DownloadError

PERMANENT_STATUSES = frozenset({400, 401, 404, 410, 451})
"""HTTP statuses a retry cannot fix: bad request, login needed, gone, or blocked."""

UNREACHABLE_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN}
)
"""Socket errors raised before any connection to the host was open."""

# Bilibili's risk control (HTTP 412, codes -352 and -401, a voucher page) in the
# words of yt-dlp's Bilibili extractor (checked against yt-dlp 2026.11.23).
_RISK_CONTROL = re.compile(
    r"HTTP Error 412|blocked by server|rejected by server|"
    r"please wait and try later|exceeded the rate limit",
    re.IGNORECASE,
)
_PERMANENT_TEXT = re.compile(
    r"HTTP Error (404|410)|Unsupported URL|is not a valid URL|video unavailable|"
    r"deleted or geo-restricted|has been deleted|no video formats found|"
    r"requested format is not available|supporter-only",
    re.IGNORECASE,
)
_UNREACHABLE_TEXT = re.compile(
    r"connection refused|name or service not known|nodename nor servname|"
    r"temporary failure in name resolution|getaddrinfo failed|"
    r"no address associated|network is unreachable|no route to host",
    re.IGNORECASE,
)


def classify_download_error(url: str, error: YtDlpDownloadError) -> DownloadError:
    """Return a bilimq DownloadError for yt-dlp's error, marked transient or not.

    Transient: connection refused, failed name resolution, timeouts, dropped
    connections, HTTP 403 (an expired CDN URL), 408, 429 and 5xx, Bilibili's
    risk control, and local I/O errors such as a full disk. Permanent: HTTP
    400/401/404/410/451, an unsupported or invalid URL, a deleted or unavailable
    video, and any other extractor failure.
    """
    message = _strip_prefix(str(error))
    causes = list(_causes(error))
    status = _http_status(causes)
    unreachable = _is_unreachable(causes, message)
    risk_control = status == 412 or bool(_RISK_CONTROL.search(message))
    transient = _is_transient(causes, status, message, unreachable, risk_control)
    return DownloadError(
        _describe(url, message, transient, unreachable, risk_control),
        url=url,
        transient=transient,
        unreachable=unreachable,
        risk_control=risk_control,
    )


def _causes(error: BaseException) -> Iterator[BaseException]:
    """Yield the exceptions behind `error`: exc_info, .cause, __cause__, reason."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        exc_info = getattr(current, "exc_info", None)
        if isinstance(exc_info, tuple) and len(exc_info) == 3:
            pending.append(exc_info[1])
        pending.append(getattr(current, "cause", None))
        pending.append(current.__cause__)
        pending.append(current.__context__)
        if isinstance(current, urllib.error.URLError):
            pending.append(current.reason)


def _http_status(causes: list[BaseException]) -> int | None:
    for cause in causes:
        if isinstance(cause, HTTPError):
            return cause.status
    return None


def _is_unreachable(causes: list[BaseException], message: str) -> bool:
    for cause in causes:
        if isinstance(cause, socket.gaierror | ConnectionRefusedError):
            return True
        if isinstance(cause, OSError) and cause.errno in UNREACHABLE_ERRNOS:
            return True
    # NOTE: a connect timeout is not counted, because urllib reports a timeout
    # while waiting for the response headers with the same URLError.
    return bool(_UNREACHABLE_TEXT.search(message))


def _is_transient(
    causes: list[BaseException],
    status: int | None,
    message: str,
    unreachable: bool,
    risk_control: bool,
) -> bool:
    if unreachable or risk_control:
        return True
    if status is not None:
        return status not in PERMANENT_STATUSES and (
            status in (403, 408, 429) or status >= 500
        )
    if any(isinstance(cause, UnsupportedError) for cause in causes):
        return False
    if _PERMANENT_TEXT.search(message):
        return False
    if any(isinstance(cause, TransportError | OSError) for cause in causes):
        return True
    return bool(re.search(r"timed out|connection (reset|aborted)", message, re.I))


def _describe(
    url: str, message: str, transient: bool, unreachable: bool, risk_control: bool
) -> str:
    if risk_control:
        hint = "Bilibili is rate-limiting this IP; wait, lower --workers or log in"
    elif unreachable:
        hint = "the host cannot be reached; check the network or proxy"
    elif transient:
        hint = "this may be temporary; the task is retried later"
    else:
        hint = "retrying will not help; choose another upload"
    return f"download of {url} failed: {message} ({hint})"


def _strip_prefix(message: str) -> str:
    return message.removeprefix("ERROR: ").strip()
