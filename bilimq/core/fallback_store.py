"""FallbackStoreBackend: a shared store that keeps working, unshared, during outages.

A store that only caches values and carries short-lived flags (such as a
cooldown) is worth more degraded than dead. So when the shared backend (Redis)
stops responding, reads and writes go to a local backend in this process.
The shared one is tried again every ``retry_interval`` seconds. A warning is
logged once per outage and an info line once it ends.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from bilimq.core.backend import StoreBackend
from bilimq.core.store import MISSING, Clock

logger = logging.getLogger("bilimq.core")

RETRY_INTERVAL = 30.0
"""Seconds between two attempts to use a shared backend that failed."""


class FallbackStoreBackend:
    """``StoreBackend`` over a shared backend, with a local one for outages.

    A value written to the local backend during an outage stays readable
    after the shared backend responds again, until it expires or is deleted,
    unless the shared backend has a value for the same key. So a cooldown set
    during an outage stays in force in this process afterwards.
    """

    def __init__(
        self,
        shared: StoreBackend,
        local: StoreBackend,
        *,
        errors: tuple[type[BaseException], ...],
        name: str,
        retry_interval: float = RETRY_INTERVAL,
        monotonic: Clock = time.monotonic,
    ) -> None:
        """Use ``shared`` until it raises one of ``errors``, then ``local``.

        Args:
            shared: the backend that several processes share.
            local: the backend used while ``shared`` fails.
            errors: the exceptions that mean the shared backend is
                unreachable. Any other exception propagates.
            name: the shared backend in log messages, without any password.
            retry_interval: seconds between attempts during an outage.
            monotonic: clock of the retry schedule.
        """
        if not retry_interval > 0:
            raise ValueError(
                f"invalid retry_interval {retry_interval!r}: it must be seconds > 0"
            )
        self.shared = shared
        """The backend shared with other processes."""
        self.local = local
        """The backend of this process, used during outages."""
        self._errors = errors
        self._name = name
        self._retry_interval = retry_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        # None while the shared backend works, else when to try it again.
        self._retry_at: float | None = None

    @property
    def degraded(self) -> bool:
        """True from a failure of the shared backend until it responds again."""
        return self._retry_at is not None

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value`` in the shared backend, or locally during an outage."""
        done, _ = self._try_shared("set", key, value, ttl)
        if not done:
            self.local.set(key, value, ttl)

    def get(self, key: str, default: Any) -> Any:
        """Return the shared value of ``key``, else a local one, else ``default``."""
        done, value = self._try_shared("get", key, MISSING)
        if done and value is not MISSING:
            return value
        return self.local.get(key, default)

    def delete(self, key: str) -> bool:
        """Remove ``key`` from both backends; return whether either had it live."""
        _, shared_had = self._try_shared("delete", key)
        local_had = self.local.delete(key)
        return bool(shared_had) or local_had

    def cleanup(self) -> int:
        """Remove the expired keys of both backends and return how many."""
        _, removed = self._try_shared("cleanup")
        return (removed or 0) + self.local.cleanup()

    def size(self) -> int:
        """Count the live keys that a ``get`` can see."""
        return len(self.keys())

    def keys(self) -> list[str]:
        """List the shared keys, then the local keys that the shared list lacks."""
        _, shared_keys = self._try_shared("keys")
        shared_keys = shared_keys or []
        seen = set(shared_keys)
        return shared_keys + [key for key in self.local.keys() if key not in seen]

    def clear(self) -> None:
        """Remove every key of both backends."""
        self._try_shared("clear")
        self.local.clear()

    def _try_shared(self, method: str, *args: Any) -> tuple[bool, Any]:
        """Call ``method`` on the shared backend unless an outage is going on.

        Return (True, result), or (False, None) when the call was skipped or
        failed with one of the outage errors.
        """
        retry_at = self._retry_at
        if retry_at is not None and self._monotonic() < retry_at:
            return False, None
        try:
            result = getattr(self.shared, method)(*args)
        except self._errors as exc:
            self._record_failure(exc)
            return False, None
        if retry_at is not None:
            self._record_recovery()
        return True, result

    def _record_failure(self, exc: BaseException) -> None:
        with self._lock:
            first = self._retry_at is None
            self._retry_at = self._monotonic() + self._retry_interval
        if first:
            logger.warning(
                "%s failed (%s): shared values are local to this process until "
                "it responds again, retrying every %g s",
                self._name,
                exc,
                self._retry_interval,
            )
        else:
            logger.debug("%s still fails: %s", self._name, exc)

    def _record_recovery(self) -> None:
        with self._lock:
            if self._retry_at is None:
                return
            self._retry_at = None
        logger.info("%s responds again: values are shared again", self._name)
