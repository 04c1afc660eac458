"""RedisStoreBackend: a ``StoreBackend`` that several processes share through Redis.

Each value is one Redis string that expires on its own (``PX``) one grace
second after its deadline, so Redis frees it even when no process runs a
cleaner. Reads also compare the deadline stored with the value against the
backend's clock, which makes a key invisible exactly at its deadline and lets
tests drive expiry with a fake clock. With the default clock, ``time.time``,
processes on different machines agree on deadlines as long as their clocks
agree to well within the grace second (NTP).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from bilimq.core import redis_scripts
from bilimq.core.redis_client import DEFAULT_SERIALIZER, Serializer
from bilimq.core.store import Clock

if TYPE_CHECKING:
    import redis

EXPIRY_GRACE = 1.0
"""Seconds that Redis keeps a value after its deadline before it deletes it."""


class RedisStoreBackend:
    """``StoreBackend`` on a Redis server, under the keys ``<prefix>:s:*``."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "bilimq",
        *,
        clock: Clock = time.time,
        serializer: Serializer = DEFAULT_SERIALIZER,
        expiry_grace: float = EXPIRY_GRACE,
    ) -> None:
        """Use ``client`` (see ``redis_client.connect``) for the store ``prefix``.

        Args:
            client: a redis-py client.
            prefix: first part of every key, shared by the processes that
                share the store.
            clock: seconds as ``time.time`` counts them; every process must
                use the same kind of clock.
            serializer: turns values into bytes (pickle by default).
            expiry_grace: seconds that Redis keeps a value after its
                deadline. Tests on a fake clock raise it, so that Redis does
                not drop a value that their clock still counts as live.
        """
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._serializer = serializer
        self._expiry_grace = expiry_grace
        self._scripts = {
            name: client.register_script(redis_scripts.STORE_PRELUDE + source)
            for name, source in (
                ("set", redis_scripts.STORE_SET),
                ("delete", redis_scripts.STORE_DELETE),
                ("cleanup", redis_scripts.STORE_CLEANUP),
                ("size", redis_scripts.STORE_SIZE),
                ("keys", redis_scripts.STORE_KEYS),
                ("clear", redis_scripts.STORE_CLEAR),
            )
        }

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value``, expiring ``ttl`` seconds from now."""
        if ttl is None:
            payload = self._serializer.dumps((None, value))
            self._run("set", key, payload, "", "")
            return
        deadline = self._clock() + ttl
        payload = self._serializer.dumps((deadline, value))
        expire_ms = math.ceil((ttl + self._expiry_grace) * 1000)
        self._run("set", key, payload, repr(deadline), expire_ms)

    def get(self, key: str, default: Any) -> Any:
        """Return the value of ``key``, or ``default`` when absent or expired."""
        raw = self._client.get(f"{self._prefix}:s:v:{key}")
        if raw is None:
            return default
        deadline, value = self._serializer.loads(raw)
        if deadline is not None and deadline <= self._clock():
            return default
        return value

    def delete(self, key: str) -> bool:
        """Remove ``key`` and return whether it had a live value."""
        return bool(self._run("delete", key, repr(self._clock())))

    def cleanup(self) -> int:
        """Remove the keys whose deadline passed and return how many."""
        return int(self._run("cleanup", repr(self._clock())))

    def size(self) -> int:
        """Remove the expired keys, then count the others."""
        return int(self._run("size", repr(self._clock())))

    def keys(self) -> list[str]:
        """Remove the expired keys, then list the others in insertion order."""
        names = self._run("keys", repr(self._clock()))
        return [name.decode() for name in names]

    def clear(self) -> None:
        """Remove every key of this store."""
        self._run("clear")

    def _run(self, script: str, *args: Any) -> Any:
        return self._scripts[script](keys=[self._prefix], args=args)
