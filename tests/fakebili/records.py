"""The request log record of the fake server."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received. Cookie values are never stored."""

    method: str
    path: str
    query: dict[str, str]
    """Decoded query parameters; the last value wins for repeated names."""
    raw_query: str
    """The query string exactly as sent, e.g. to check `%20` against `+`."""
    headers: dict[str, str]
    """Request headers except Cookie."""
    cookie_names: tuple[str, ...]
    """Names of the cookies sent, without their values."""
