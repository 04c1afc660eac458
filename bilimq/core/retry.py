"""Retry policy: how often a failed task runs again and how long it waits first."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped, for ``MemoryQueue.fail(retry=True)``.

    Before attempt ``n + 1`` a task waits ``min(max_delay, base_delay * 2 ** (n - 1))``
    seconds, shortened by a random fraction of at most ``jitter`` so that tasks
    that failed together do not all return at the same moment.
    """

    max_attempts: int = 3
    """Attempts a task gets in total. A failure on the last one is dead-lettered."""
    base_delay: float = 1.0
    """Delay in seconds before the second attempt."""
    max_delay: float = 300.0
    """Upper bound in seconds of any delay."""
    jitter: float = 0.5
    """Maximum fraction in [0, 1] cut from a delay at random, or 0 for no jitter."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(
                f"invalid max_attempts {self.max_attempts!r}: it must be at least 1"
            )
        _check_non_negative("base_delay", self.base_delay)
        _check_non_negative("max_delay", self.max_delay)
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(
                f"invalid jitter {self.jitter!r}: it must be between 0 and 1"
            )

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Return the delay in seconds after a task failed its ``attempts``-th run."""
        exponent = max(attempts, 1) - 1
        # Compare exponents before multiplying so that a large attempt count
        # cannot overflow a float.
        if exponent >= 1024 or self.base_delay * 2.0**exponent >= self.max_delay:
            full = self.max_delay
        else:
            full = self.base_delay * 2.0**exponent
        draw = (rng or random).random()
        return full * (1.0 - self.jitter * draw)

    def allows_retry(self, attempts: int) -> bool:
        """Return whether a task that failed run number ``attempts`` gets another."""
        return attempts < self.max_attempts


def _check_non_negative(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"invalid {name} {value!r}: it must be a finite number of seconds >= 0"
        )
