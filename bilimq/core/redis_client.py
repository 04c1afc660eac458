"""Connecting to Redis, with redis-py imported only when a Redis backend is built.

``bilimq.core`` works without redis-py installed: nothing imports this
module's ``redis`` dependency until ``connect()`` runs.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from bilimq.core.errors import BackendError

if TYPE_CHECKING:
    import redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"
"""The Redis server used when no URL is given."""

INSTALL_HINT = "pip install 'redis>=5,<8'"


class Serializer(Protocol):
    """Turns tasks and stored values into bytes and back (``pickle`` by default).

    The ``json`` module fits too, for JSON-only payloads that other languages
    can read.
    """

    def dumps(self, obj: Any, /) -> bytes | str:
        """Serialize ``obj``."""
        ...

    def loads(self, data: bytes, /) -> Any:
        """Deserialize what ``dumps`` returned."""
        ...


DEFAULT_SERIALIZER: Serializer = pickle
"""Pickle keeps tuples, sets and dataclasses intact. Only processes that share
the Redis server can write what others unpickle, so treat access to that server
like access to the code."""


def import_redis() -> Any:
    """Import and return the ``redis`` package, or raise BackendError."""
    try:
        import redis
    except ImportError as exc:
        raise BackendError(
            f"the Redis backend needs the redis package, which is not installed: "
            f"{INSTALL_HINT}, or use the memory backend"
        ) from exc
    return redis


def connect(url: str | None = None) -> redis.Redis:
    """Return a client for ``url`` after checking that the server responds.

    Raises:
        BackendError: redis-py is missing, the URL is invalid or the server
            does not respond to PING.
    """
    module = import_redis()
    url = url or DEFAULT_URL
    try:
        client = module.Redis.from_url(url)
        client.ping()
    except (ValueError, module.RedisError) as exc:
        raise BackendError(
            f"cannot use Redis at {redact_url(url)}: {exc}. Start the server, or "
            "fix the URL (for example redis://127.0.0.1:6379/0)"
        ) from exc
    return client


def redact_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:***@{host}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def delete_prefixed_keys(client: redis.Redis, prefix: str) -> int:
    """Delete every key under ``<prefix>:`` and return how many were deleted.

    Only for prefixes without glob characters (``*?[]``), which SCAN's MATCH
    pattern would treat specially.
    """
    if any(char in prefix for char in "*?[]\\"):
        raise ValueError(f"invalid prefix {prefix!r}: it must not contain *?[]\\")
    deleted = 0
    batch: list[bytes] = []
    for name in client.scan_iter(match=f"{prefix}:*", count=500):
        batch.append(name)
        if len(batch) >= 500:
            deleted += client.delete(*batch)
            batch.clear()
    if batch:
        deleted += client.delete(*batch)
    return deleted
