"""Fixtures for the Bilibili client tests: the fake server and a client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bilimq.bilibili import BilibiliClient
from tests.fakebili import FakeBilibili


class FakeClock:
    """A settable clock for the client's `wts` and WBI key TTL."""

    def __init__(self, now: float = 1_702_204_169.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakeBilibili]:
    """A running fake Bilibili on 127.0.0.1."""
    with FakeBilibili(stall_seconds=10) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(fake: FakeBilibili, clock: FakeClock) -> Iterator[BilibiliClient]:
    """A client pointed at the fake, with a fake clock."""
    with BilibiliClient(fake.api_base, timeout=5.0, clock=clock) as bilibili:
        yield bilibili
