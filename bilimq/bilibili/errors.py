"""Errors of the Bilibili client.

BilibiliError                 (bilimq.errors.BilimqError)
 ├── RiskControlError         global: HTTP 412, code -412, -352, or a v_voucher body
 ├── RateLimitedError         global: code -509, -799 or -503
 ├── NetworkError             transient: connect, DNS, timeout or dropped connection
 ├── VideoUnavailableError    permanent: code -404, 62002, 62004 or 62012
 ├── ApiError                 any other non-zero code
 └── ResponseError            transient: HTML or malformed JSON where JSON was expected

Every error carries `kind`, which tells the caller how to react: "permanent" (do not
retry), "transient" (retry this task later) or "global" (pause every request, because
the block applies to the whole session or IP address, not to one song).
"""

from __future__ import annotations

from typing import Literal

from bilimq.bilibili.constants import BAD_REQUEST_CODES
from bilimq.errors import BilimqError

ErrorKind = Literal["permanent", "transient", "global"]

_LOGIN_HINT = (
    "wait a few minutes before retrying, or set a SESSDATA login cookie, "
    "because logged-in sessions are blocked far less often"
)


class BilibiliError(BilimqError):
    """The Bilibili API refused or failed a request."""

    kind: ErrorKind = "transient"

    def __init__(self, message: str, *, endpoint: str, code: int | None = None):
        super().__init__(message)
        self.endpoint = endpoint
        """API path of the failed request, e.g. `/x/web-interface/view`."""
        self.code = code
        """Bilibili's JSON `code`, or the HTTP status when there was no JSON."""


class RiskControlError(BilibiliError):
    """Bilibili's risk control blocked the request; every request should pause."""

    kind: ErrorKind = "global"

    def __init__(self, *, endpoint: str, code: int, signal: str) -> None:
        super().__init__(
            f"Bilibili's risk control blocked the request to {endpoint} ({signal}); "
            f"{_LOGIN_HINT}",
            endpoint=endpoint,
            code=code,
        )


class RateLimitedError(BilibiliError):
    """Bilibili rejected the request as too frequent or overloaded."""

    # The limit applies to the IP address or session, so one worker backing off
    # while the others keep sending would not lift it.
    kind: ErrorKind = "global"

    def __init__(self, *, endpoint: str, code: int, message: str) -> None:
        super().__init__(
            f"Bilibili rate-limited the request to {endpoint} (code {code}: "
            f"{message}); lower the number of workers or wait before retrying",
            endpoint=endpoint,
            code=code,
        )


class NetworkError(BilibiliError):
    """The request did not complete: connect failure, DNS failure or timeout."""

    def __init__(self, *, endpoint: str, reason: str, unreachable: bool) -> None:
        hint = (
            "check the network connection and the [bilibili] api_base setting"
            if unreachable
            else "retry later, or raise the timeout if the network is slow"
        )
        super().__init__(
            f"request to {endpoint} failed: {reason}; {hint}", endpoint=endpoint
        )
        self.unreachable = unreachable
        """True when no connection to the host could be made at all."""


class VideoUnavailableError(BilibiliError):
    """The video was deleted, hidden, is under review or is private."""

    kind: ErrorKind = "permanent"

    def __init__(self, *, endpoint: str, code: int, message: str, bvid: str) -> None:
        super().__init__(
            f"video {bvid} is unavailable on Bilibili ({endpoint} returned code "
            f"{code}: {message}); it cannot be downloaded, so choose another upload",
            endpoint=endpoint,
            code=code,
        )
        self.bvid = bvid


class ApiError(BilibiliError):
    """Bilibili returned a non-zero code that has no more specific class."""

    def __init__(self, *, endpoint: str, code: int, message: str) -> None:
        super().__init__(
            f"Bilibili API {endpoint} failed with code {code}: {message}",
            endpoint=endpoint,
            code=code,
        )
        self.api_message = message
        """Bilibili's own `message` text for the code."""
        if code in BAD_REQUEST_CODES:
            self.kind = "permanent"


class ResponseError(BilibiliError):
    """The response was not the JSON envelope the endpoint should return."""

    def __init__(self, *, endpoint: str, status: int, detail: str) -> None:
        super().__init__(
            f"unexpected response from {endpoint} (HTTP {status}): {detail}; "
            "Bilibili may have changed its API, or a proxy answered instead",
            endpoint=endpoint,
            code=status,
        )
        self.status = status
