"""Valid ranges and choices for settings, checked when the config is loaded.

A bad value stops bilimq at start-up with the setting's name, instead of
failing every task later.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

OUTPUT_FORMATS = ("m4a", "mp3", "opus", "flac")
NAME_ORDERS = ("title-artist", "artist-title")
QUEUE_BACKENDS = ("memory", "redis")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
_BITRATE = re.compile(r"^\d+(\.\d+)?[kKmM]?$")
_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)$", re.IGNORECASE)
_PERIOD = re.compile(
    r"^\d+\s*(second|minute|hour|day|week|month|year)s?$", re.IGNORECASE
)

Rule = Callable[[Any], "str | None"]


def _at_least(minimum: float) -> Rule:
    return lambda value: None if value >= minimum else f"use a number >= {minimum}"


def _between(low: float, high: float) -> Rule:
    return lambda value: (
        None if low <= value <= high else f"use a number from {low} to {high}"
    )


def _one_of(choices: tuple[str, ...], fold: Callable[[str], str] = str) -> Rule:
    return lambda value: (
        None if fold(value) in choices else f"use one of: {', '.join(choices)}"
    )


def _bitrate(value: str) -> str | None:
    return None if _BITRATE.match(value) else "use a bitrate such as 192k"


def _rotation(value: str) -> str | None:
    if _SIZE.match(value) or _PERIOD.match(value):
        return None
    return "use a size such as '10 MB' or a period such as '1 week'"


def _http_url(value: str) -> str | None:
    if value.startswith(("http://", "https://")):
        return None
    return "use an http:// or https:// address"


def _video_base(value: str) -> str | None:
    return _http_url(value) or (None if value.endswith("/") else "end it with /")


def _database_url(value: Any) -> str | None:
    text = value.reveal() if hasattr(value, "reveal") else str(value)
    if not text:
        return None
    try:
        url = make_url(text)
    except ArgumentError:
        return "use a URL such as mysql+pymysql://user:password@host/bilimq"
    if url.get_backend_name() not in {"sqlite", "mysql", "mariadb"}:
        return "bilimq supports sqlite:/// and mysql+pymysql:// URLs"
    if url.get_backend_name() != "sqlite" and url.get_driver_name() != "pymysql":
        return "use the PyMySQL driver: mysql+pymysql://…"
    return None


def _redis_url(value: Any) -> str | None:
    text = value.reveal() if hasattr(value, "reveal") else str(value)
    if not text or text.startswith(("redis://", "rediss://", "unix://")):
        return None
    return "use a URL such as redis://127.0.0.1:6379/0"


def _prefix(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", value):
        return None
    return "use 1-64 letters, digits or _ . : -"


RULES: dict[tuple[str, str], Rule] = {
    ("database", "url"): _database_url,
    ("database", "pool_recycle"): _at_least(1),
    ("bilibili", "api_base"): _http_url,
    ("bilibili", "video_base"): _video_base,
    ("bilibili", "timeout"): _at_least(0.1),
    ("download", "format"): _one_of(OUTPUT_FORMATS),
    ("download", "bitrate"): _bitrate,
    ("match", "threshold"): _between(0, 100),
    ("match", "duration_tolerance"): _between(1, 600),
    ("names", "order"): _one_of(NAME_ORDERS),
    ("run", "workers"): _between(1, 32),
    ("run", "lease_seconds"): _at_least(1),
    ("run", "poll_interval"): _between(0.05, 60),
    ("run", "max_attempts"): _at_least(1),
    ("run", "backoff_base"): _at_least(0),
    ("run", "backoff_max"): _at_least(0),
    ("run", "cooldown"): _at_least(0),
    ("run", "idle_wait"): _at_least(0),
    ("queue", "backend"): _one_of(QUEUE_BACKENDS),
    ("queue", "url"): _redis_url,
    ("queue", "prefix"): _prefix,
    ("queue", "cleanup_interval"): _between(0.1, 3600),
    ("log", "level"): _one_of(LOG_LEVELS, str.upper),
    ("log", "rotation"): _rotation,
    ("log", "retention"): _at_least(1),
}


def check_value(section: str, key: str, value: Any) -> str | None:
    """Return what is wrong with a setting's value, or None when it is valid."""
    rule = RULES.get((section, key))
    return rule(value) if rule else None
