"""Connecting to Redis, with redis-py imported only when a Redis backend is built.

``bilimq.core`` works without redis-py installed: nothing imports this
module's ``redis`` dependency until ``connect()`` runs.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlsplit, urlunsplit

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


def connect(url: str | None = None, **options: Any) -> redis.Redis:
    """Return a client for ``url`` after checking that the server responds.

    ``options`` go to ``redis.Redis.from_url``, for example
    ``socket_timeout=5``.

    Raises:
        BackendError: redis-py is missing, the URL is invalid or the server
            does not respond to PING. The message shows the URL without its
            password.
    """
    module = import_redis()
    url = url or DEFAULT_URL
    try:
        client = module.Redis.from_url(url, **options)
        client.ping()
    except (ValueError, module.RedisError) as exc:
        reason = _without_password(str(exc), url).rstrip(".")
        raise BackendError(
            f"cannot use Redis at {redact_url(url)}: {reason}. Start the server "
            "or fix the URL (for example redis://127.0.0.1:6379/0)"
        ) from exc
    return client


def outage_errors() -> tuple[type[BaseException], ...]:
    """Return the redis-py exceptions that mean the server cannot be used now.

    They cover a lost connection, a timeout, a server that is still loading
    its data and a replica that became read-only. An error in a command
    itself is not among them.
    """
    module = import_redis()
    return (
        module.ConnectionError,
        module.TimeoutError,
        module.exceptions.ReadOnlyError,
    )


def describe_client(client: redis.Redis) -> str:
    """Return ``redis://host:port/db`` (or the socket path) of a client."""
    options = client.connection_pool.connection_kwargs
    database = options.get("db", 0)
    if "path" in options:
        return f"unix://{options['path']}?db={database}"
    host = options.get("host", "localhost")
    if ":" in host:
        host = f"[{host}]"
    return f"redis://{host}:{options.get('port', 6379)}/{database}"


def redact_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``, for messages.

    Both forms that redis-py reads are masked: ``redis://user:password@host``
    and the query parameter ``?password=...``.
    """
    parts = urlsplit(url)
    if parts.password is not None:
        # The host part is kept as written, so an invalid port shows as it is.
        user = parts.username or ""
        address = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{user}:***@{address}")
    if parts.query:
        query = [
            f"{name}=***" if name.lower() == "password" else f"{name}={value}"
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        parts = parts._replace(query="&".join(query))
    return urlunsplit(parts)


def _without_password(text: str, url: str) -> str:
    """Mask the password of ``url`` wherever it appears in ``text``."""
    parts = urlsplit(url)
    secrets = [parts.password or ""]
    secrets += [
        value
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() == "password"
    ]
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


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
