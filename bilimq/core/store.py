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
    (``start_cleanup()``).
    """

    def __init__(
        self,
        clock: Clock = time.monotonic,
        cleanup_interval: float | None = None,
    ) -> None:
        """Create an empty store.

        Args:
            clock: source of the time that TTLs are measured against.
            cleanup_interval: seconds between two runs of the background
                cleaner once ``start_cleanup()`` is called, or None for none.
        """
        if cleanup_interval is not None:
            _check_interval(cleanup_interval)
        self._clock = clock
        self._cleanup_interval = cleanup_interval
        self._lock = threading.Lock()
        # key -> (value, deadline or None, version)
        self._data: dict[str, tuple[Any, float | None, int]] = {}
        # (deadline, key, version). An entry whose version no longer matches
        # self._data[key] is stale and skipped (lazy deletion).
        self._expiry: list[tuple[float, str, int]] = []
        self._versions = itertools.count()
        self._cleaner: threading.Thread | None = None
        self._stop_cleaner = threading.Event()

    def set_public(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Store ``value`` under ``key``, expiring ``ttl`` seconds from now.

        ``ttl`` may be fractional, and None keeps the key until it is deleted.
        Setting a key again replaces both its value and its expiry.
        """
        deadline = None if ttl is None else self._clock() + _checked_ttl(ttl)
        with self._lock:
            version = next(self._versions)
            self._data[key] = (value, deadline, version)
            if deadline is not None:
                heapq.heappush(self._expiry, (deadline, key, version))
                self._compact_if_needed()

    def get_public(self, key: str, default: Any = None) -> Any:
        """Return the value stored under ``key``, or ``default`` if it is absent.

        An expired key counts as absent even before ``cleanup()`` removes it.
        """
        now = self._clock()
        with self._lock:
            entry = self._data.get(key)
        if entry is None or _expired(entry[1], now):
            return default
        return entry[0]

    def has_public(self, key: str) -> bool:
        """Return whether ``key`` has a value (possibly None) that has not expired."""
        return self.get_public(key, MISSING) is not MISSING

    def delete_public(self, key: str) -> bool:
        """Remove ``key`` and return whether it had a value that had not expired."""
        now = self._clock()
        with self._lock:
            entry = self._data.pop(key, None)
        return entry is not None and not _expired(entry[1], now)

    def cleanup(self) -> int:
        """Remove the expired keys and return how many were removed.

        The cost is proportional to the number of expired heap entries, not to
        the size of the store.
        """
        now = self._clock()
        with self._lock:
            return self._remove_expired(now)

    def get_store_size(self) -> int:
        """Remove the expired keys, then return how many keys are left."""
        now = self._clock()
        with self._lock:
            self._remove_expired(now)
            return len(self._data)

    def list_keys(self) -> list[str]:
        """Remove the expired keys, then return the others in insertion order."""
        now = self._clock()
        with self._lock:
            self._remove_expired(now)
            return list(self._data)

    def clear_store(self) -> None:
        """Remove every key."""
        with self._lock:
            self._data.clear()
            self._expiry.clear()

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
        _check_interval(interval)
        with self._lock:
            if self._cleaner is not None and self._cleaner.is_alive():
                return
            self._stop_cleaner = threading.Event()
            self._cleaner = threading.Thread(
                target=self._run_cleaner,
                args=(interval, self._stop_cleaner),
                name="bilimq-store-cleaner",
                daemon=True,
            )
            self._cleaner.start()

    def stop_cleanup(self, timeout: float | None = None) -> bool:
        """Stop the background cleaner and wait for it to end.

        Return True when no cleaner is running afterwards, False when the
        thread did not end within ``timeout`` seconds.
        """
        with self._lock:
            cleaner, self._cleaner = self._cleaner, None
            self._stop_cleaner.set()
        if cleaner is None:
            return True
        cleaner.join(timeout)
        return not cleaner.is_alive()

    @property
    def cleaner_running(self) -> bool:
        """True while the background cleaner thread is alive."""
        cleaner = self._cleaner
        return cleaner is not None and cleaner.is_alive()

    def _run_cleaner(self, interval: float, stop: threading.Event) -> None:
        # Waiting on the Event rather than sleeping lets stop_cleanup() end
        # the thread at once instead of after up to one interval.
        while not stop.wait(interval):
            try:
                removed = self.cleanup()
            except Exception:
                logger.exception("store cleanup failed, the cleaner goes on")
                continue
            if removed:
                logger.debug("store cleanup removed %d expired keys", removed)

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
        size = len(self._expiry)
        if size < _COMPACT_MIN or size <= _COMPACT_FACTOR * len(self._data):
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

    def start_cleanup(self, interval: float | None = None) -> None:
        """Start the store's background cleaner (``PublicStore.start_cleanup``)."""
        self.store.start_cleanup(interval)

    def stop_cleanup(self, timeout: float | None = None) -> bool:
        """Stop the store's background cleaner (``PublicStore.stop_cleanup``)."""
        return self.store.stop_cleanup(timeout)


def _expired(deadline: float | None, now: float) -> bool:
    return deadline is not None and deadline <= now


def _checked_ttl(ttl: float) -> float:
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        raise TypeError(f"invalid ttl {ttl!r}: expected seconds as a number or None")
    if not math.isfinite(ttl) or ttl <= 0:
        raise ValueError(
            f"invalid ttl {ttl!r}: it must be a finite number of seconds > 0, "
            "or None for a key that never expires"
        )
    return float(ttl)


def _check_interval(interval: float) -> None:
    if not math.isfinite(interval) or interval <= 0:
        raise ValueError(
            f"invalid cleanup interval {interval!r}: it must be a finite number "
            "of seconds > 0"
        )
