"""A small synchronous client for the Bilibili web API: search, video info, nav.

The client behaves like a browser tab closely enough to pass the checks search
applies: a current browser User-Agent, a Bilibili Referer and Origin, a `buvid3`
cookie obtained before the first search, and WBI-signed queries. Every failure is
raised as a `BilibiliError` subclass. Its `kind` (permanent, transient or
global) is what the caller uses to choose between failing, retrying and pausing.
"""

from __future__ import annotations

import functools
import random
import re
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from loguru import logger

from bilimq.bilibili import constants as c
from bilimq.bilibili.errors import (
    ApiError,
    BilibiliError,
    NetworkError,
    RateLimitedError,
    ResponseError,
    RiskControlError,
    VideoUnavailableError,
)
from bilimq.bilibili.models import NavInfo, SearchHit, VideoInfo
from bilimq.bilibili.parsing import (
    envelope_code,
    is_voucher_only,
    parse_nav,
    parse_search_items,
    parse_view,
)
from bilimq.bilibili.wbi import mixin_key, sign_query

Envelope = dict[str, Any]

_HTML_TITLE = re.compile(r"<title[^>]*>([^<]*)</title>", re.IGNORECASE)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Return the verifying TLS context all clients share.

    Loading the CA bundle costs 50-100 ms, so building one per client would slow
    every worker that opens a client.
    """
    return httpx.create_ssl_context()


def generate_buvid3() -> str:
    """Return a random `buvid3` in the browser's shape: UUID, 5 digits, `infoc`."""
    digits = f"{random.randrange(100_000):05d}"
    return f"{str(uuid.uuid4()).upper()}{digits}{c.BUVID3_SUFFIX}"


class BilibiliClient:
    """Client for the Bilibili web API at `api_base`.

    Args:
        api_base: scheme and host of the API, e.g. a local fake server in tests.
        cookies: cookies to send, e.g. `{"SESSDATA": ...}` for a logged-in session.
        user_agent: User-Agent to send instead of the built-in browser string.
        timeout: seconds to wait for connecting and for each read.
        clock: returns the current Unix time; used for `wts` and the WBI key TTL.
    """

    def __init__(
        self,
        api_base: str = c.DEFAULT_API_BASE,
        *,
        cookies: dict[str, str] | None = None,
        user_agent: str | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = httpx.Client(
            base_url=api_base.rstrip("/"),
            headers={
                "User-Agent": user_agent or c.USER_AGENT,
                "Referer": c.REFERER,
                "Origin": c.ORIGIN,
                "Accept": "application/json, text/plain, */*",
                "Accept-Language": c.ACCEPT_LANGUAGE,
            },
            cookies=cookies or {},
            timeout=timeout,
            verify=_tls_context(),
        )
        self._timeout = timeout
        self._clock = clock
        # Reentrant because refreshing the keys calls nav(), which stores them.
        self._lock = threading.RLock()
        self._mixin: str | None = None
        self._mixin_fetched_at = 0.0

    def __enter__(self) -> BilibiliClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def nav(self) -> NavInfo:
        """Fetch the login state and the current WBI keys, and cache the keys.

        A logged-out session gets code -101 here, which is not an error.
        """
        envelope = self._get(c.NAV_PATH)
        if envelope_code(envelope) != c.CODE_NOT_LOGGED_IN:
            _raise_for_code(envelope, c.NAV_PATH)
        data = envelope.get("data")
        try:
            info = parse_nav(data if isinstance(data, Mapping) else {})
        except (KeyError, TypeError) as exc:
            raise ResponseError(
                endpoint=c.NAV_PATH,
                status=200,
                detail=f"nav data has no WBI keys ({exc!r})",
            ) from None
        self._store_keys(info)
        return info

    def search_videos(self, keyword: str, page: int = 1) -> list[SearchHit]:
        """Search videos for `keyword` and return one page of hits in rank order.

        An empty list means Bilibili found nothing on that page.
        """
        _check_search_arguments(keyword, page)
        params = {
            "search_type": c.SEARCH_TYPE_VIDEO,
            "keyword": keyword,
            "page": page,
        }
        data = self._signed_get(c.SEARCH_TYPE_PATH, params)
        return parse_search_items(data.get("result") or (), c.SEARCH_TYPE_PATH)

    def search_all(self, keyword: str) -> list[SearchHit]:
        """Search with the combined endpoint and return its video group.

        This endpoint has returned results from networks where the video search was
        blocked, so it serves as a fallback.
        """
        _check_search_arguments(keyword, page=1)
        data = self._signed_get(c.SEARCH_ALL_PATH, {"keyword": keyword})
        for group in data.get("result") or ():
            if isinstance(group, Mapping) and group.get("result_type") == "video":
                return parse_search_items(group.get("data") or (), c.SEARCH_ALL_PATH)
        return []

    def video_info(self, bvid: str) -> VideoInfo:
        """Fetch an upload's details, including its parts.

        Raise VideoUnavailableError when the video is gone, hidden or private.
        """
        envelope = self._get(c.VIEW_PATH, _encode({"bvid": bvid}))
        data = _data(envelope, c.VIEW_PATH, bvid=bvid)
        try:
            return parse_view(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ResponseError(
                endpoint=c.VIEW_PATH,
                status=200,
                detail=f"view data for {bvid} is incomplete ({exc!r})",
            ) from None

    def _signed_get(self, path: str, params: Mapping[str, object]) -> dict[str, Any]:
        """GET a WBI endpoint, retrying once with fresh keys if they look stale."""
        self._ensure_buvid3()
        envelope = self._get(path, self._sign(params, refresh=False))
        if _signals_stale_keys(envelope):
            logger.warning(
                "{} rejected the WBI signature (code {}), so the keys are refetched "
                "and the request is retried once",
                path,
                envelope_code(envelope),
            )
            envelope = self._get(path, self._sign(params, refresh=True))
        return _data(envelope, path)

    def _sign(self, params: Mapping[str, object], *, refresh: bool) -> str:
        return sign_query(params, self._wbi_mixin(refresh), wts=int(self._clock()))

    def _wbi_mixin(self, refresh: bool) -> str:
        with self._lock:
            age = self._clock() - self._mixin_fetched_at
            if refresh or self._mixin is None or age >= c.WBI_KEY_TTL_SECONDS:
                self.nav()
            assert self._mixin is not None  # nav() stored the keys or raised
            return self._mixin

    def _store_keys(self, info: NavInfo) -> None:
        try:
            mixin = mixin_key(info.img_key, info.sub_key)
        except ValueError as exc:
            raise ResponseError(
                endpoint=c.NAV_PATH, status=200, detail=str(exc)
            ) from None
        with self._lock:
            self._mixin = mixin
            self._mixin_fetched_at = self._clock()

    def _ensure_buvid3(self) -> None:
        """Set a `buvid3` cookie unless one exists.

        Search rejects requests without it (HTTP 412 or code -412).
        """
        with self._lock:
            if self._has_cookie(c.BUVID3_COOKIE):
                return
            buvid3, buvid4 = self._fetch_buvid()
            self._http.cookies.set(c.BUVID3_COOKIE, buvid3)
            if buvid4:
                self._http.cookies.set(c.BUVID4_COOKIE, buvid4)

    def _fetch_buvid(self) -> tuple[str, str]:
        """Return (buvid3, buvid4) from finger/spi, or a generated buvid3.

        A network failure is raised, because the search that follows would fail
        the same way.
        """
        try:
            data = _data(self._get(c.FINGER_SPI_PATH), c.FINGER_SPI_PATH)
        except NetworkError:
            raise
        except BilibiliError as exc:
            logger.debug("generating a buvid3 because finger/spi failed: {}", exc)
            return generate_buvid3(), ""
        buvid3 = str(data.get("b_3") or "") or generate_buvid3()
        return buvid3, str(data.get("b_4") or "")

    def _has_cookie(self, name: str) -> bool:
        return any(cookie.name == name for cookie in self._http.cookies.jar)

    def _get(self, path: str, query: str = "") -> Envelope:
        """GET `path?query` and return the decoded JSON envelope.

        The query is sent exactly as given, because a WBI signature covers its
        encoding. Raise NetworkError, RiskControlError (HTTP 412) or ResponseError.
        """
        url = f"{path}?{query}" if query else path
        try:
            response = self._http.get(url)
        except httpx.TransportError as exc:
            raise _network_error(path, exc, self._timeout) from exc
        logger.debug("GET {} -> {}", path, response.status_code)
        return _decode(response, path)


def _check_search_arguments(keyword: str, page: int) -> None:
    if not keyword.strip():
        raise ValueError("search keyword is empty; pass the words to search for")
    if page < 1:
        raise ValueError(f"invalid search page {page}: pages start at 1")


def _encode(params: Mapping[str, object]) -> str:
    return urlencode(params, quote_via=quote)


def _network_error(
    path: str, exc: httpx.TransportError, timeout: float
) -> NetworkError:
    if isinstance(exc, httpx.TimeoutException):
        reason = f"timed out after {timeout:g} s ({type(exc).__name__})"
        unreachable = isinstance(exc, httpx.ConnectTimeout)
    elif isinstance(exc, httpx.ConnectError):
        reason = f"could not connect ({exc})"
        unreachable = True
    else:
        reason = f"{type(exc).__name__}: {exc or 'connection failed'}"
        unreachable = False
    return NetworkError(endpoint=path, reason=reason, unreachable=unreachable)


def _decode(response: httpx.Response, path: str) -> Envelope:
    """Return the JSON envelope of `response`, raising on anything else."""
    if response.status_code == c.HTTP_RISK_CONTROL_STATUS:
        raise RiskControlError(endpoint=path, code=412, signal="HTTP 412")
    try:
        envelope = response.json()
    except ValueError:
        raise ResponseError(
            endpoint=path,
            status=response.status_code,
            detail=f"expected JSON, got {_describe_body(response)}",
        ) from None
    if not isinstance(envelope, dict) or "code" not in envelope:
        raise ResponseError(
            endpoint=path,
            status=response.status_code,
            detail="expected a JSON object with a code field",
        )
    return envelope


def _describe_body(response: httpx.Response) -> str:
    """Return the content type and, for HTML, the page title, for error messages."""
    content_type = response.headers.get("Content-Type", "").split(";")[0]
    title = _HTML_TITLE.search(response.text)
    if title:
        return f"{content_type or 'a body'} titled {title.group(1).strip()!r}"
    return content_type or "a body without a content type"


def _signals_stale_keys(envelope: Envelope) -> bool:
    """Return True for responses that mean the WBI keys may have rotated."""
    code = envelope_code(envelope)
    if code == c.CODE_NO_PERMISSION:
        return True
    return code == c.CODE_OK and is_voucher_only(envelope.get("data"))


def _data(envelope: Envelope, path: str, bvid: str = "") -> dict[str, Any]:
    """Return the envelope's `data` object, raising for any error code."""
    _raise_for_code(envelope, path, bvid)
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise ResponseError(
            endpoint=path, status=200, detail="code 0 but data is not an object"
        )
    return data


def _raise_for_code(envelope: Envelope, path: str, bvid: str = "") -> None:
    """Raise the BilibiliError subclass matching the envelope's code, if any."""
    code = envelope_code(envelope)
    message = str(envelope.get("message", ""))
    if code == c.CODE_OK:
        if is_voucher_only(envelope.get("data")):
            raise RiskControlError(
                endpoint=path,
                code=code,
                signal="code 0 with only a v_voucher, so the WBI signature failed",
            )
        return
    if code in c.RISK_CONTROL_CODES:
        raise RiskControlError(
            endpoint=path, code=code, signal=f"code {code}: {message}"
        )
    if code in c.UNAVAILABLE_CODES and bvid:
        raise VideoUnavailableError(
            endpoint=path, code=code, message=message, bvid=bvid
        )
    if code in c.RATE_LIMIT_CODES:
        raise RateLimitedError(endpoint=path, code=code, message=message)
    raise ApiError(endpoint=path, code=code, message=message)
