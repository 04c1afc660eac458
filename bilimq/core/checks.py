"""Argument checks and timeout arithmetic shared by the queue and its backends."""

from __future__ import annotations

import math
import time

from bilimq.core.errors import InvalidTaskError, QueueClosed, QueueFull

MAX_PRIORITY = 2**53
"""Largest priority magnitude: Redis stores priorities as exact doubles."""


def check_count(name: str, value: int) -> None:
    """Raise ValueError unless ``value`` is an int >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"invalid {name} {value!r}: it must be an int >= 0")


def check_priority(priority: int) -> None:
    """Raise InvalidTaskError unless ``priority`` is an int within +-2**53."""
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidTaskError(
            f"invalid priority {priority!r}: it must be an int (higher pops first)"
        )
    if not -MAX_PRIORITY <= priority <= MAX_PRIORITY:
        raise InvalidTaskError(
            f"invalid priority {priority}: it must lie between -2**53 and 2**53"
        )


def check_visibility_timeout(seconds: float | None) -> None:
    """Raise ValueError unless ``seconds`` is None or a finite number > 0."""
    if seconds is None:
        return
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError(
            f"invalid visibility_timeout {seconds!r}: expected seconds or None"
        )
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(
            f"invalid visibility_timeout {seconds!r}: it must be a finite number "
            "of seconds > 0, or None to turn the timeout off"
        )


def deadline_after(timeout: float | None) -> float | None:
    """Return the ``time.monotonic()`` reading ``timeout`` seconds from now."""
    if timeout is None:
        return None
    if math.isnan(timeout) or timeout < 0:
        raise ValueError(f"invalid timeout {timeout!r}: it must be >= 0 or None")
    return time.monotonic() + timeout


def remaining(deadline: float | None) -> float | None:
    """Return the real seconds left until ``deadline``, or None for no deadline."""
    return None if deadline is None else deadline - time.monotonic()


def closed_error(action: str) -> QueueClosed:
    """Return the error for an ``action`` attempted on a closed queue."""
    return QueueClosed(f"cannot {action}: the queue is closed (close() was called)")


def queue_full_error(maxsize: int) -> QueueFull:
    """Return the error for a push that found ``maxsize`` tasks ready."""
    return QueueFull(
        f"queue full: {maxsize} tasks are ready (maxsize). "
        "Retry after workers pop some, or raise maxsize"
    )
