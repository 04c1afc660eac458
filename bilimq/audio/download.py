"""Download the best audio stream of a URL with yt-dlp, embedded as a library."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yt_dlp
from loguru import logger
from yt_dlp.utils import DownloadError as YtDlpDownloadError

from bilimq.audio.errors import DownloadError
from bilimq.audio.failures import classify_download_error

ProgressCallback = Callable[[int, int | None], None]
"""Called with (downloaded bytes, total bytes or None when yt-dlp has no estimate)."""

DOWNLOAD_STEM = "download"
"""File name stem of the downloaded file inside the work folder."""

# yt-dlp's screen message after a dropped connection: "Got error: ... Retrying (1/3)..."
_RETRYING = re.compile(r"Retrying \(\d+/\d+\)")
_SECRET_COOKIES = re.compile(r"\b(SESSDATA|bili_jct)=[^;\s]+", re.IGNORECASE)


def download_audio(
    url: str,
    workdir: Path,
    *,
    headers: dict[str, str] | None = None,
    cookiefile: Path | None = None,
    cookies: dict[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
    socket_timeout: float = 20.0,
    retries: int = 3,
) -> Path:
    """Download the best audio stream of `url` into `workdir` and return its path.

    The file is named `download.<ext>` with yt-dlp's extension (m4a for
    Bilibili's AAC streams), and an older file of that name is overwritten, so
    give every download its own `workdir`. `headers` (Referer, User-Agent) are
    sent with every request. `cookiefile` is a Netscape cookie file and
    `cookies` maps cookie names to values for the URL's site (`.bilibili.com`
    for Bilibili). Both are loaded into yt-dlp's in-memory jar only, so no copy
    of a login cookie is ever written to disk and the user's file never
    changes. An exception raised by `on_progress` aborts the download and
    propagates.

    Raises DownloadError. Its `transient` and `unreachable` attributes tell the
    caller whether a retry can help.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    jar = _load_cookies(url, cookiefile, cookies or {})
    params = _params(
        workdir,
        headers=headers,
        on_progress=on_progress,
        socket_timeout=socket_timeout,
        retries=retries,
    )
    logger.debug("yt-dlp downloading {}", url)
    try:
        with yt_dlp.YoutubeDL(params) as ydl:
            for cookie in jar:
                ydl.cookiejar.set_cookie(cookie)
            info = ydl.extract_info(url, download=True)
            return _downloaded_path(url, ydl, info)
    except YtDlpDownloadError as exc:
        raise classify_download_error(url, exc) from exc


class YtDlpLogger:
    """Adapter that forwards yt-dlp's messages to loguru.

    yt-dlp sends its step-by-step screen output and its "[debug] " lines through
    `debug`, both logged at DEBUG except retries. Errors are logged at DEBUG too,
    because every one of them also reaches the caller as a DownloadError.
    """

    def debug(self, msg: str) -> None:
        """Log a screen or "[debug] " message at DEBUG, and a retry at WARNING."""
        text = _redact(msg.removeprefix("[debug] "))
        if _RETRYING.search(text):
            logger.warning("yt-dlp: {}", text)
        else:
            logger.debug("yt-dlp: {}", text)

    def info(self, msg: str) -> None:
        """Log an info message at DEBUG (yt-dlp 2026.11.23 sends info to `debug`)."""
        logger.debug("yt-dlp: {}", _redact(msg))

    def warning(self, msg: str) -> None:
        """Log a warning, e.g. that only a preview of a video is available."""
        logger.warning("yt-dlp: {}", _redact(msg))

    def error(self, msg: str) -> None:
        """Log an error at DEBUG; the caller receives it as a DownloadError."""
        logger.debug("yt-dlp: {}", _redact(msg.removeprefix("ERROR: ")))


def _redact(message: str) -> str:
    return _SECRET_COOKIES.sub(r"\1=<redacted>", message)


def _params(
    workdir: Path,
    *,
    headers: dict[str, str] | None,
    on_progress: ProgressCallback | None,
    socket_timeout: float,
    retries: int,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "format": "bestaudio/best",
        "outtmpl": {"default": str(workdir / f"{DOWNLOAD_STEM}.%(ext)s")},
        "quiet": True,
        "noprogress": True,
        "noplaylist": True,
        "logger": YtDlpLogger(),
        "color": "no_color",
        "progress_hooks": [_progress_hook(on_progress)] if on_progress else [],
        # yt-dlp merges these over its own defaults, so only overrides are given.
        "http_headers": dict(headers or {}),
        "socket_timeout": socket_timeout,
        "retries": retries,
        "fragment_retries": retries,
        "extractor_retries": retries,
        # Start over instead of resuming a leftover .part file, because a partial
        # file from a crashed run may come from an older, expired CDN URL.
        "continuedl": False,
        "overwrites": True,
        "cachedir": False,
        "postprocessors": [],
    }
    return params


def _progress_hook(on_progress: ProgressCallback) -> Callable[[dict[str, Any]], None]:
    def hook(status: dict[str, Any]) -> None:
        if status.get("status") not in ("downloading", "finished"):
            return
        downloaded = status.get("downloaded_bytes")
        if downloaded is None:
            return
        total = status.get("total_bytes") or status.get("total_bytes_estimate")
        on_progress(int(downloaded), int(total) if total else None)

    return hook


def _downloaded_path(url: str, ydl: yt_dlp.YoutubeDL, info: Any) -> Path:
    downloads = (info or {}).get("requested_downloads") or []
    if downloads and downloads[0].get("filepath"):
        path = Path(downloads[0]["filepath"])
    elif info and info.get("_type", "video") == "video":
        path = Path(ydl.prepare_filename(info))
    else:
        raise DownloadError(
            f"yt-dlp found no single audio stream at {url}; "
            "give the URL of one video part (for example with ?p=2)",
            url=url,
            transient=False,
        )
    if not path.is_file():
        raise DownloadError(
            f"yt-dlp reported {path} as downloaded from {url}, but it is missing; "
            "check the free space in the work folder",
            url=url,
            transient=True,
        )
    return path


def _load_cookies(
    url: str, cookiefile: Path | None, cookies: dict[str, str]
) -> list[http.cookiejar.Cookie]:
    """Read the login cookies into memory for yt-dlp's jar."""
    loaded: list[http.cookiejar.Cookie] = []
    if cookiefile is not None:
        jar = http.cookiejar.MozillaCookieJar(str(cookiefile))
        try:
            jar.load(ignore_discard=True, ignore_expires=True)
        except FileNotFoundError:
            raise DownloadError(
                f"cookie file {cookiefile} not found; export a Netscape-format "
                "cookies.txt or remove the cookie file setting",
                url=url,
                transient=False,
            ) from None
        except (http.cookiejar.LoadError, OSError) as exc:
            raise DownloadError(
                f"cookie file {cookiefile} is not a Netscape-format cookies.txt "
                f"({type(exc).__name__}); export it again from the browser",
                url=url,
                transient=False,
            ) from None
        for cookie in jar:
            # Browsers export session cookies with expiry 0; without this the
            # jar would treat them as expired and never send them.
            if not cookie.expires:
                cookie.expires = None
                cookie.discard = True
            loaded.append(cookie)
    domain = _cookie_domain(url)
    loaded.extend(
        _session_cookie(name, value, domain) for name, value in cookies.items()
    )
    return loaded


def _cookie_domain(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "bilibili.com" or host.endswith(".bilibili.com"):
        return ".bilibili.com"
    return host


def _session_cookie(name: str, value: str, domain: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=domain.startswith("."),
        domain_initial_dot=domain.startswith("."),
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )
