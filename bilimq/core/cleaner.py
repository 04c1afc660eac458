"""A daemon thread that runs one cleanup function at a fixed interval."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable

logger = logging.getLogger("bilimq.core")


class PeriodicCleaner:
    """Calls ``fn`` every ``interval`` seconds in a daemon thread until stopped.

    An exception from ``fn`` is logged with ``failure_message`` and the thread
    goes on with the next run.
    """

    def __init__(
        self, fn: Callable[[], object], *, name: str, failure_message: str
    ) -> None:
        """Prepare a cleaner. Nothing runs before ``start()``."""
        self._fn = fn
        self._name = name
        self._failure_message = failure_message
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, interval: float) -> None:
        """Start the thread unless it is running already."""
        check_interval(interval)
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run,
                args=(interval, self._stop),
                name=self._name,
                daemon=True,
            )
            self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop the thread and wait for it to end.

        Return True when no cleaner runs afterwards, False when the thread did
        not end within ``timeout`` seconds.
        """
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _run(self, interval: float, stop: threading.Event) -> None:
        # Waiting on the Event rather than sleeping lets stop() end the thread
        # at once instead of after up to one interval.
        while not stop.wait(interval):
            try:
                self._fn()
            except Exception:
                logger.exception(self._failure_message)


def check_interval(interval: float) -> None:
    """Raise ValueError unless ``interval`` is a finite number of seconds > 0."""
    if not math.isfinite(interval) or interval <= 0:
        raise ValueError(
            f"invalid cleanup interval {interval!r}: it must be a finite number "
            "of seconds > 0"
        )
