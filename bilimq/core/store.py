"""PublicStore: a thread-safe key-value store whose keys can expire."""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any, Final

from bilimq.core.backend import StoreBackend
from bilimq.core.cleaner import PeriodicCleaner, check_interval

logger = logging.getLogger("bilimq.core")

Clock = Callable[[], float]
"""A function returning seconds from an arbitrary start, like ``time.monotonic``."""


class _Missing:
    """Type of ``MISSING``."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Sentinel for an absent key: ``get_public(key, MISSING) is MISSING``."""

# The expiry heap is rebuilt when stale entries (from overwritten or deleted
# keys) outnumber live keys by this factor, so repeated set() calls with long
# TTLs cannot grow it without bound.
_COMPACT_FACTOR = 2
_COMPACT_MIN = 64


class PublicStore:
    """Thread-safe key-value store with optional per-key expiry.

    A stored ``None`` is a value like any other: tell it apart from a missing
    key with ``has_public(key)`` or with ``get_public(key, MISSING)``. Keys
    whose TTL has run out are invisible to every read at once. ``cleanup()``
    frees their memory, either when called or from the background cleaner
    (``start_cleanup()``). The data lives in a ``StoreBackend``: in this
    process by default, or on a Redis server shared by several processes.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        cleanup_interval: float | None = None,
        *,
        backend: StoreBackend | None = None,
    ) -> None:
        """Create a store, empty unless ``backend`` contains data already.

        Args:
            clock: time source of the default in-process backend
                (``time.monotonic``). A given ``backend`` has its own clock.
            cleanup_interval: seconds between two runs of the background
                cleaner once ``start_cleanup()`` is called, or None for none.
            backend: where the values live; by default a ``MemoryStoreBackend``.
        """
        if cleanup_interval is not None:
            check_interval(cleanup_interval)
        if backend is None:
            backend = MemoryStoreBackend(clock or time.monotonic)
        elif clock is not None:
            raise ValueError(
                "PublicStore got both a clock and a backend: pass the clock to "
                "the backend's constructor instead"
            )
        self.backend: StoreBackend = backend
        """The storage that contains the values."""
        self._cleanup_interval = cleanup_interval
        self._cleaner = PeriodicCleaner(
            self._clean_once,
            name="bilimq-store-cleaner",
            failure_message="store cleanup failed, the cleaner goes on",
        )

    def set_public(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Store ``value`` under ``key``, expiring ``ttl`` seconds from now.

        ``ttl`` may be fractional, and None keeps the key until it is deleted.
        Setting a key again replaces both its value and its expiry.
        """
        if ttl is not None:
            ttl = checked_ttl(ttl)
        self.backend.set(key, value, ttl)

    def get_public(self, key: str, default: Any = None) -> Any:
        """Return the value stored under ``key``, or ``default`` if it is absent.

        An expired key counts as absent even before ``cleanup()`` removes it.
        """
        return self.backend.get(key, default)

    def has_public(self, key: str) -> bool:
        """Return whether ``key`` has a value (possibly None) that has not expired."""
        return self.backend.get(key, MISSING) is not MISSING

    def delete_public(self, key: str) -> bool:
        """Remove ``key`` and return whether it had a value that had not expired."""
        return self.backend.delete(key)

    def cleanup(self) -> int:
        """Remove the expired keys and return how many were removed.

        The cost is proportional to the number of keys that expired, not to
        the size of the store.
        """
        return self.backend.cleanup()

    def get_store_size(self) -> int:
        """Remove the expired keys, then return how many keys are left."""
        return self.backend.size()

    def list_keys(self) -> list[str]:
        """Remove the expired keys, then return the others in insertion order."""
        return self.backend.keys()

    def clear_store(self) -> None:
        """Remove every key."""
        self.backend.clear()

    def start_cleanup(self, interval: float | None = None) -> None:
        """Start the background cleaner thread unless it is running already.

        ``interval`` overrides the ``cleanup_interval`` given to the
        constructor. The thread is a daemon and calls ``cleanup()`` every
        ``interval`` seconds until ``stop_cleanup()``.
        """
        interval = self._cleanup_interval if interval is None else interval
        if interval is None:
            raise ValueError(
                "no cleanup interval: pass start_cleanup(interval=seconds) or "
                "create the store with cleanup_interval=seconds"
            )
        self._cleaner.start(interval)

    def stop_cleanup(self, timeout: float | None = None) -> bool:
        """Stop the background cleaner and wait for it to end.

        Return True when no cleaner is running afterwards, False when the
        thread did not end within ``timeout`` seconds.
        """
        return self._cleaner.stop(timeout)

    @property
    def cleaner_running(self) -> bool:
        """True while the background cleaner thread is alive."""
        return self._cleaner.running

    def _clean_once(self) -> None:
        removed = self.cleanup()
        if removed:
            logger.debug("store cleanup removed %d expired keys", removed)


class MemoryStoreBackend:
    """``StoreBackend`` in this process: a dict and a heap of deadlines."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        """Create an empty backend whose TTLs count on ``clock``."""
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (value, deadline or None, version)
        self._data: dict[str, tuple[Any, float | None, int]] = {}
        # (deadline, key, version). An entry whose version no longer matches
        # self._data[key] is stale and skipped (lazy deletion).
        self._expiry: list[tuple[float, str, int]] = []
        self._versions = itertools.count()

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value`` under ``key`` with a deadline ``ttl`` seconds away."""
        if ttl is None:
            with self._lock:
                self._data[key] = (value, None, next(self._versions))
            return
        deadline = self._clock() + ttl
        with self._lock:
            version = next(self._versions)
            self._data[key] = (value, deadline, version)
            heapq.heappush(self._expiry, (deadline, key, version))
            if len(self._expiry) >= _COMPACT_MIN:
                self._compact_if_needed()

    def get(self, key: str, default: Any) -> Any:
        """Return the value of ``key``, or ``default`` when absent or expired."""
        # A dict read is atomic, so the lock is not needed for one lookup.
        entry = self._data.get(key)
        if entry is None:
            return default
        deadline = entry[1]
        if deadline is not None and deadline <= self._clock():
            return default
        return entry[0]

    def delete(self, key: str) -> bool:
        """Remove ``key`` and return whether it had a live value."""
        now = self._clock()
        with self._lock:
            entry = self._data.pop(key, None)
        return entry is not None and not _expired(entry[1], now)

    def cleanup(self) -> int:
        """Remove the expired keys, popping only heap entries that are due."""
        now = self._clock()
        with self._lock:
            return self._remove_expired(now)

    def size(self) -> int:
        """Remove the expired keys, then count the others."""
        now = self._clock()
        with self._lock:
            self._remove_expired(now)
            return len(self._data)

    def keys(self) -> list[str]:
        """Remove the expired keys, then list the others in insertion order."""
        now = self._clock()
        with self._lock:
            self._remove_expired(now)
            return list(self._data)

    def clear(self) -> None:
        """Remove every key."""
        with self._lock:
            self._data.clear()
            self._expiry.clear()

    def _remove_expired(self, now: float) -> int:
        removed = 0
        expiry = self._expiry
        while expiry and expiry[0][0] <= now:
            _, key, version = heapq.heappop(expiry)
            entry = self._data.get(key)
            if entry is not None and entry[2] == version:
                del self._data[key]
                removed += 1
        return removed

    def _compact_if_needed(self) -> None:
        if len(self._expiry) <= _COMPACT_FACTOR * len(self._data):
            return
        self._expiry = [
            (deadline, key, version)
            for key, (_, deadline, version) in self._data.items()
            if deadline is not None
        ]
        heapq.heapify(self._expiry)


class PublicStoreMixin:
    """The ``PublicStore`` methods, forwarded to the ``store`` attribute."""

    store: PublicStore

    def set_public(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Store a shared value (``PublicStore.set_public``)."""
        self.store.set_public(key, value, ttl)

    def get_public(self, key: str, default: Any = None) -> Any:
        """Return a shared value or ``default`` (``PublicStore.get_public``)."""
        return self.store.get_public(key, default)

    def has_public(self, key: str) -> bool:
        """Return whether a shared value is set and not expired."""
        return self.store.has_public(key)

    def delete_public(self, key: str) -> bool:
        """Remove a shared value (``PublicStore.delete_public``)."""
        return self.store.delete_public(key)

    def cleanup(self) -> int:
        """Remove expired shared values and return how many were removed."""
        return self.store.cleanup()

    def get_store_size(self) -> int:
        """Return how many shared values are set and not expired."""
        return self.store.get_store_size()

    def list_keys(self) -> list[str]:
        """Return the keys of the shared values that have not expired."""
        return self.store.list_keys()

    def clear_store(self) -> None:
        """Remove every shared value."""
        self.store.clear_store()


def _expired(deadline: float | None, now: float) -> bool:
    return deadline is not None and deadline <= now


def checked_ttl(ttl: float) -> float:
    """Return ``ttl`` as a float, or raise unless it is a finite number > 0."""
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        raise TypeError(f"invalid ttl {ttl!r}: expected seconds as a number or None")
    if not math.isfinite(ttl) or ttl <= 0:
        raise ValueError(
            f"invalid ttl {ttl!r}: it must be a finite number of seconds > 0, "
            "or None for a key that never expires"
        )
    return float(ttl)
