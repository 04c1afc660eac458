"""Fixtures for the queue and store tests: a fake clock and queues that use it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator

import pytest

from bilimq.core import MemoryQueue, PublicStore, RetryPolicy


class FakeClock:
    """Clock that does not move until a test calls advance()."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


@pytest.fixture
def make_clock() -> Callable[[], FakeClock]:
    """Factory of fresh fake clocks, for tests that build several."""
    return FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> Iterator[PublicStore]:
    store = PublicStore(clock=clock)
    yield store
    store.stop_cleanup(timeout=5)


@pytest.fixture
def queue(clock: FakeClock) -> Iterator[MemoryQueue]:
    """Queue on the fake clock whose backoff has no jitter: 1 s, 2 s, 4 s, ..."""
    policy = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=10.0, jitter=0.0)
    queue = MemoryQueue(clock=clock, retry_policy=policy, rng=random.Random(7))
    yield queue
    queue.close()
    queue.stop_cleanup(timeout=5)


@pytest.fixture
def core_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Log records of the ``bilimq.core`` logger from DEBUG up."""
    caplog.set_level(logging.DEBUG, logger="bilimq.core")
    return caplog
