"""FallbackStoreBackend and make_shared_store: a shared store that survives outages.

The unit tests drive a memory backend that raises ConnectionError on demand.
The Redis tests start a private redis-server on a free port of 127.0.0.1
(``PrivateRedis``), so they can stop and restart it without touching the
server other tests use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bilimq.core import (
    MISSING,
    BackendError,
    FallbackStoreBackend,
    MemoryStoreBackend,
    PublicStore,
    StoreBackend,
    make_shared_store,
)
from bilimq.core.redis_client import redact_url
from tests.redis_support import PrivateRedis

if TYPE_CHECKING:
    from conftest import FakeClock, RedisKeys

RETRY = 30.0


class FlakyBackend(MemoryStoreBackend):
    """Memory backend that raises ConnectionError while ``down`` is True."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.down = False
        self.calls = 0
        self.error: Exception = ConnectionError("connection refused")

    def _call(self) -> None:
        self.calls += 1
        if self.down:
            raise self.error

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        self._call()
        super().set(key, value, ttl)

    def get(self, key: str, default: Any) -> Any:
        self._call()
        return super().get(key, default)

    def delete(self, key: str) -> bool:
        self._call()
        return super().delete(key)

    def cleanup(self) -> int:
        self._call()
        return super().cleanup()

    def keys(self) -> list[str]:
        self._call()
        return super().keys()

    def clear(self) -> None:
        self._call()
        super().clear()


@pytest.fixture
def shared(clock: FakeClock) -> FlakyBackend:
    return FlakyBackend(clock)


@pytest.fixture
def local(clock: FakeClock) -> MemoryStoreBackend:
    return MemoryStoreBackend(clock)


@pytest.fixture
def fallback(
    shared: FlakyBackend, local: MemoryStoreBackend, clock: FakeClock
) -> FallbackStoreBackend:
    return FallbackStoreBackend(
        shared,
        local,
        errors=(ConnectionError,),
        name="test server",
        retry_interval=RETRY,
        monotonic=clock,
    )


def _warnings(log: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in log.records if r.levelno == logging.WARNING]


def test_fallback_matches_protocol(fallback: FallbackStoreBackend) -> None:
    assert isinstance(fallback, StoreBackend)


def test_fallback_writes_shared_while_up(
    fallback: FallbackStoreBackend, shared: FlakyBackend, local: MemoryStoreBackend
) -> None:
    fallback.set("k", 1, None)
    assert shared.get("k", MISSING) == 1
    assert local.keys() == []
    assert fallback.get("k", MISSING) == 1
    assert fallback.degraded is False


def test_fallback_outage_goes_local(
    fallback: FallbackStoreBackend,
    shared: FlakyBackend,
    local: MemoryStoreBackend,
    core_log: pytest.LogCaptureFixture,
) -> None:
    fallback.set("before", 1, None)
    shared.down = True

    assert fallback.get("before", "default") == "default"
    fallback.set("during", 2, 60)

    assert fallback.degraded is True
    assert local.get("during", MISSING) == 2
    assert fallback.get("during", MISSING) == 2
    assert fallback.keys() == ["during"]
    assert fallback.size() == 1


def test_fallback_warns_once_per_outage(
    fallback: FallbackStoreBackend,
    shared: FlakyBackend,
    clock: FakeClock,
    core_log: pytest.LogCaptureFixture,
) -> None:
    shared.down = True
    for _ in range(5):
        fallback.get("k", None)
        clock.advance(RETRY)

    warnings = _warnings(core_log)
    assert len(warnings) == 1
    assert "test server failed (connection refused)" in warnings[0]
    assert "retrying every 30 s" in warnings[0]


def test_fallback_waits_before_retrying(
    fallback: FallbackStoreBackend, shared: FlakyBackend, clock: FakeClock
) -> None:
    shared.down = True
    fallback.get("k", None)
    calls = shared.calls

    clock.advance(RETRY - 1)
    fallback.get("k", None)
    fallback.set("k", 1, None)
    assert shared.calls == calls

    clock.advance(1)
    fallback.get("k", None)
    assert shared.calls == calls + 1


def test_fallback_recovers(
    fallback: FallbackStoreBackend,
    shared: FlakyBackend,
    clock: FakeClock,
    core_log: pytest.LogCaptureFixture,
) -> None:
    shared.down = True
    fallback.get("k", None)
    shared.down = False
    clock.advance(RETRY)

    fallback.set("k", 1, None)

    assert fallback.degraded is False
    assert shared.get("k", MISSING) == 1
    infos = [r.getMessage() for r in core_log.records if r.levelno == logging.INFO]
    assert infos == ["test server responds again: values are shared again"]


def test_fallback_keeps_outage_values(
    fallback: FallbackStoreBackend, shared: FlakyBackend, clock: FakeClock
) -> None:
    shared.down = True
    fallback.set("cooldown", 99.0, 120)
    fallback.set("both", "local", 120)
    shared.down = False
    clock.advance(RETRY)
    fallback.set("both", "shared", 120)

    assert fallback.get("cooldown", None) == 99.0
    assert fallback.get("both", None) == "shared"
    assert fallback.keys() == ["both", "cooldown"]
    clock.advance(120)
    assert fallback.get("cooldown", MISSING) is MISSING


def test_fallback_delete_both(
    fallback: FallbackStoreBackend, shared: FlakyBackend, local: MemoryStoreBackend
) -> None:
    local.set("k", "local", None)
    shared.set("k", "shared", None)

    assert fallback.delete("k") is True
    assert fallback.get("k", MISSING) is MISSING
    assert local.get("k", MISSING) is MISSING
    assert fallback.delete("k") is False


def test_fallback_cleanup_both(
    fallback: FallbackStoreBackend,
    shared: FlakyBackend,
    local: MemoryStoreBackend,
    clock: FakeClock,
) -> None:
    shared.set("a", 1, 1)
    local.set("b", 2, 1)
    clock.advance(1)
    assert fallback.cleanup() == 2


def test_fallback_clear_both(
    fallback: FallbackStoreBackend, shared: FlakyBackend, local: MemoryStoreBackend
) -> None:
    shared.set("a", 1, None)
    local.set("b", 2, None)
    fallback.clear()
    assert shared.keys() == []
    assert local.keys() == []


def test_fallback_other_errors_raise(
    fallback: FallbackStoreBackend, shared: FlakyBackend
) -> None:
    shared.down = True
    shared.error = ValueError("bad payload")
    with pytest.raises(ValueError, match="bad payload"):
        fallback.get("k", None)
    assert fallback.degraded is False


@pytest.mark.parametrize("interval", [0, -1, float("nan")])
def test_fallback_rejects_bad_interval(
    shared: FlakyBackend, local: MemoryStoreBackend, interval: float
) -> None:
    with pytest.raises(ValueError, match="retry_interval"):
        FallbackStoreBackend(
            shared, local, errors=(ConnectionError,), name="x", retry_interval=interval
        )


# -- redact_url --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:hunter2@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://user:hunter2@host/1", "redis://user:***@host/1"),
        ("redis://host/0?password=hunter2&db=1", "redis://host/0?password=***&db=1"),
        ("redis://:hunter2@[::1]:6379/0", "redis://:***@[::1]:6379/0"),
        ("redis://:hunter2@host:port/0", "redis://:***@host:port/0"),
        ("unix://:hunter2@/run/redis.sock?db=2", "unix://:***@/run/redis.sock?db=2"),
    ],
)
def test_redact_url_masks_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


# -- a private Redis server ----------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path, password="hunter2")
    server.start()
    yield server
    server.stop()


def _wait_until_shared(store: PublicStore, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        store.get_public("probe")
        if not store.backend.degraded:
            return
        time.sleep(0.05)
    raise AssertionError("the store did not go back to Redis")


def test_shared_store_redis_restart(
    private_redis: PrivateRedis, core_log: pytest.LogCaptureFixture
) -> None:
    store = make_shared_store(private_redis.url, prefix="t", retry_interval=0.1)
    store.set_public("before", 1)
    private_redis.stop()

    assert store.get_public("before", "gone") == "gone"
    store.set_public("cooldown", 42.0, ttl=600)
    assert store.get_public("cooldown") == 42.0

    private_redis.start()
    _wait_until_shared(store)
    store.set_public("after", 2)

    reader = make_shared_store(private_redis.url, prefix="t")
    assert reader.get_public("after") == 2
    assert store.get_public("cooldown") == 42.0
    warnings = _warnings(core_log)
    assert len(warnings) == 1
    assert f"Redis at redis://127.0.0.1:{private_redis.port}/0 failed" in warnings[0]
    assert all("hunter2" not in r.getMessage() for r in core_log.records)


def test_shared_store_redis_down_at_start(private_redis: PrivateRedis) -> None:
    url = private_redis.url
    private_redis.stop()
    with pytest.raises(BackendError) as caught:
        make_shared_store(url)
    assert "hunter2" not in str(caught.value)
    assert f"redis://:***@127.0.0.1:{private_redis.port}/0" in str(caught.value)


def test_shared_store_redis_two_readers(redis_keys: RedisKeys) -> None:
    prefix = redis_keys.new_prefix()
    writer = make_shared_store(client=redis_keys.client, prefix=prefix)
    reader = make_shared_store(client=redis_keys.client, prefix=prefix)
    deadline = time.time() + 60
    writer.set_public("cooldown", deadline, ttl=60)
    assert reader.get_public("cooldown") == deadline
    assert isinstance(reader.backend, FallbackStoreBackend)


def test_shared_store_redis_url_and_client(redis_keys: RedisKeys) -> None:
    with pytest.raises(ValueError, match="both url and client"):
        make_shared_store(redis_keys.url, client=redis_keys.client)
