"""Fixtures for the queue and store tests: a fake clock and queues on every backend.

The fixtures ``queue``, ``new_queue``, ``store`` and ``new_store`` are
parametrized over the backends, so every test that uses them is one case of
the contract suite that each backend must pass. The stores run on one more
backend, ``redis-fallback``: a ``FallbackStoreBackend`` over Redis, as
``make_shared_store`` builds it. The Redis cases carry ``redis`` in their id,
run against the server in ``BILIMQ_TEST_REDIS_URL`` under a key prefix of
their own, delete only that prefix's keys afterwards, and skip when the
variable is unset.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from bilimq.core import (
    FallbackStoreBackend,
    MemoryQueue,
    MemoryStoreBackend,
    PublicStore,
    RetryPolicy,
    TaskQueue,
    make_redis_queue,
)

if TYPE_CHECKING:
    import redis

REDIS_URL_VARIABLE = "BILIMQ_TEST_REDIS_URL"
BACKEND_NAMES = ["memory", "redis"]
STORE_BACKEND_NAMES = [*BACKEND_NAMES, "redis-fallback"]

QueueFactory = Callable[..., TaskQueue]
StoreFactory = Callable[..., PublicStore]


class FakeClock:
    """Clock that does not move until a test calls advance()."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


def redis_test_url() -> str | None:
    """Return the Redis server the tests may use, or None to skip them."""
    return os.environ.get(REDIS_URL_VARIABLE) or None


class RedisKeys:
    """Unique key prefixes for one test, and the cleanup of their keys."""

    def __init__(self, client: redis.Redis, url: str) -> None:
        self.client = client
        self.url = url
        self.root = f"bilimq-test:{uuid.uuid4().hex}"
        self._count = 0

    def new_prefix(self) -> str:
        """Return a prefix no other queue or store uses."""
        self._count += 1
        return f"{self.root}:{self._count}"

    def cleanup(self) -> None:
        """Delete the keys under this test's prefixes, and no other."""
        from bilimq.core.redis_client import delete_prefixed_keys

        delete_prefixed_keys(self.client, self.root)


@pytest.fixture
def redis_keys() -> Iterator[RedisKeys]:
    """Key prefixes on the test Redis server; skips without one."""
    url = redis_test_url()
    if url is None:
        pytest.skip(
            f"Redis tests need a server: set {REDIS_URL_VARIABLE}="
            "redis://127.0.0.1:6379/0"
        )
    from bilimq.core.redis_client import connect

    keys = RedisKeys(connect(url), url)
    yield keys
    keys.cleanup()
    keys.client.close()


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the backend under test; every contract test runs once per name."""
    return request.param


@pytest.fixture(params=STORE_BACKEND_NAMES)
def store_backend(request: pytest.FixtureRequest) -> str:
    """Name of the store backend under test, for the store's contract tests."""
    return request.param


@pytest.fixture
def make_clock() -> Callable[[], FakeClock]:
    """Factory of fresh fake clocks, for tests that build several."""
    return FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _build_queue(
    backend: str, request: pytest.FixtureRequest, **options: Any
) -> TaskQueue:
    if backend == "memory":
        return MemoryQueue(**options)
    keys: RedisKeys = request.getfixturevalue("redis_keys")
    prefix = options.pop("prefix", None) or keys.new_prefix()
    return make_redis_queue(client=keys.client, prefix=prefix, **options)


def _build_store(
    backend: str, request: pytest.FixtureRequest, clock: Any, prefix: str | None
) -> PublicStore:
    if backend == "memory":
        return PublicStore(clock=clock)
    from bilimq.core.redis_client import outage_errors
    from bilimq.core.redis_store import RedisStoreBackend

    keys: RedisKeys = request.getfixturevalue("redis_keys")
    # Redis drops a value after its TTL in real seconds plus the grace, which
    # must not happen before the fake clock passes the deadline.
    shared = RedisStoreBackend(
        keys.client, prefix or keys.new_prefix(), clock=clock, expiry_grace=600
    )
    if backend == "redis":
        return PublicStore(backend=shared)
    fallback = FallbackStoreBackend(
        shared, MemoryStoreBackend(clock), errors=outage_errors(), name="test Redis"
    )
    return PublicStore(backend=fallback)


@pytest.fixture
def new_queue(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock
) -> Iterator[QueueFactory]:
    """Factory ``new_queue(**options)`` of queues on the backend under test.

    The queues run on the test's fake clock unless ``clock`` is given, and
    each gets a key prefix of its own unless ``prefix`` is given.
    """
    made: list[TaskQueue] = []

    def build(**options: Any) -> TaskQueue:
        options.setdefault("clock", clock)
        queue = _build_queue(backend, request, **options)
        made.append(queue)
        return queue

    yield build
    for queue in made:
        queue.close()
        queue.stop_cleanup(timeout=5)


@pytest.fixture
def new_store(
    store_backend: str, request: pytest.FixtureRequest, clock: FakeClock
) -> Iterator[StoreFactory]:
    """Factory ``new_store(clock=None, prefix=None)`` on the backend under test."""
    made: list[PublicStore] = []

    def build(clock_: Any = None, prefix: str | None = None) -> PublicStore:
        store = _build_store(store_backend, request, clock_ or clock, prefix)
        made.append(store)
        return store

    yield build
    for store in made:
        store.stop_cleanup(timeout=5)


@pytest.fixture
def store(new_store: StoreFactory) -> PublicStore:
    """A store on the fake clock and the backend under test."""
    return new_store()


@pytest.fixture
def queue(new_queue: QueueFactory) -> TaskQueue:
    """Queue on the fake clock whose backoff has no jitter: 1 s, 2 s, 4 s, ..."""
    policy = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=10.0, jitter=0.0)
    return new_queue(retry_policy=policy, rng=random.Random(7))


@pytest.fixture
def core_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Log records of the ``bilimq.core`` logger from DEBUG up."""
    caplog.set_level(logging.DEBUG, logger="bilimq.core")
    return caplog
