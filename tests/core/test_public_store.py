"""PublicStore on every backend: values, TTLs on a fake clock, cleanup and the cleaner
thread."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import pytest

from bilimq.core import MISSING, MemoryStoreBackend, PublicStore

if TYPE_CHECKING:
    from conftest import FakeClock, QueueFactory

CLEANER_NAME = "bilimq-store-cleaner"


class SignallingStore(PublicStore):
    """Store whose cleanup() reports each run, so tests wait on an Event."""

    def __init__(self, clock: FakeClock, failures: int = 0) -> None:
        super().__init__(clock=clock)
        self.ran = threading.Event()
        self.removed: list[int] = []
        self.failures = failures

    def cleanup(self) -> int:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("cleanup exploded")
        removed = super().cleanup()
        self.removed.append(removed)
        self.ran.set()
        return removed


def _cleaner_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == CLEANER_NAME]


def test_set_get(store: PublicStore) -> None:
    store.set_public("k", {"v": 1})
    assert store.get_public("k") == {"v": 1}


def test_get_missing_returns_default(store: PublicStore) -> None:
    assert store.get_public("nope", 42) == 42


def test_get_missing_default_none(store: PublicStore) -> None:
    assert store.get_public("nope") is None


def test_stored_none_differs_from_missing(store: PublicStore) -> None:
    store.set_public("k", None)
    assert store.has_public("k") is True
    assert store.has_public("other") is False
    assert store.get_public("k", MISSING) is None
    assert store.get_public("other", MISSING) is MISSING


def test_missing_repr() -> None:
    assert repr(MISSING) == "MISSING"


def test_set_overwrites(store: PublicStore) -> None:
    store.set_public("k", 1)
    store.set_public("k", 2)
    assert store.get_public("k") == 2


def test_delete_existing(store: PublicStore) -> None:
    store.set_public("k", 1)
    assert store.delete_public("k") is True
    assert store.has_public("k") is False


def test_delete_missing(store: PublicStore) -> None:
    assert store.delete_public("k") is False


def test_delete_expired_returns_false(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", 1, ttl=1)
    clock.advance(1)
    assert store.delete_public("k") is False


def test_ttl_visible_before_deadline(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", "v", ttl=2.5)
    clock.advance(2.49)
    assert store.get_public("k") == "v"


def test_ttl_invisible_at_deadline(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", "v", ttl=2.5)
    clock.advance(2.5)
    assert store.get_public("k", MISSING) is MISSING
    assert store.has_public("k") is False


def test_ttl_none_never_expires(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", "v")
    clock.advance(10**9)
    assert store.get_public("k") == "v"


def test_overwrite_without_ttl_keeps_key(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", 1, ttl=1)
    store.set_public("k", 2)
    clock.advance(5)
    assert store.get_public("k") == 2
    assert store.cleanup() == 0


def test_overwrite_extends_ttl(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", 1, ttl=1)
    clock.advance(0.5)
    store.set_public("k", 2, ttl=1)
    clock.advance(0.75)
    assert store.get_public("k") == 2
    assert store.cleanup() == 0


def test_overwrite_shortens_ttl(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("k", 1, ttl=100)
    store.set_public("k", 2, ttl=1)
    clock.advance(1)
    assert store.cleanup() == 1
    assert store.get_store_size() == 0


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf")])
def test_ttl_rejects_invalid(store: PublicStore, ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl"):
        store.set_public("k", 1, ttl=ttl)


@pytest.mark.parametrize("ttl", ["5", True])
def test_ttl_rejects_non_number(store: PublicStore, ttl: object) -> None:
    with pytest.raises(TypeError, match="ttl"):
        store.set_public("k", 1, ttl=ttl)  # type: ignore[arg-type]  # bad on purpose


def test_cleanup_counts_expired(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("a", 1, ttl=1)
    store.set_public("b", 1, ttl=2)
    store.set_public("c", 1, ttl=3)
    store.set_public("d", 1)
    clock.advance(2)
    assert store.cleanup() == 2
    assert store.list_keys() == ["c", "d"]


def test_cleanup_nothing_expired(store: PublicStore) -> None:
    store.set_public("a", 1, ttl=1)
    assert store.cleanup() == 0


def test_cleanup_skips_deleted_keys(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("a", 1, ttl=1)
    store.delete_public("a")
    clock.advance(1)
    assert store.cleanup() == 0


def test_cleanup_skips_reset_key(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("a", 1, ttl=1)
    store.delete_public("a")
    store.set_public("a", 2)
    clock.advance(1)
    assert store.cleanup() == 0
    assert store.get_public("a") == 2


def test_size_excludes_expired(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("a", 1, ttl=1)
    store.set_public("b", 1)
    clock.advance(1)
    assert store.get_store_size() == 1


def test_list_keys_insertion_order(store: PublicStore) -> None:
    for key in ("z", "a", "m"):
        store.set_public(key, key)
    assert store.list_keys() == ["z", "a", "m"]


def test_clear_store(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("a", 1, ttl=1)
    store.set_public("b", 1)
    store.clear_store()
    clock.advance(1)
    assert store.get_store_size() == 0
    assert store.cleanup() == 0


def test_expiry_heap_stays_bounded(clock: FakeClock) -> None:
    backend = MemoryStoreBackend(clock)
    store = PublicStore(backend=backend)
    for value in range(10_000):
        store.set_public("cooldown", value, ttl=3600)
    assert len(backend._expiry) <= 64
    assert store.get_public("cooldown") == 9_999


def test_compaction_keeps_deadlines(store: PublicStore, clock: FakeClock) -> None:
    store.set_public("short", 1, ttl=1)
    for value in range(200):
        store.set_public("long", value, ttl=100)
    clock.advance(1)
    assert store.cleanup() == 1
    assert store.list_keys() == ["long"]


def test_cleaner_removes_expired(clock: FakeClock) -> None:
    store = SignallingStore(clock)
    store.set_public("k", 1, ttl=1)
    clock.advance(1)
    store.start_cleanup(interval=0.01)
    try:
        assert store.ran.wait(timeout=5)
    finally:
        assert store.stop_cleanup(timeout=5)
    assert sum(store.removed) == 1


def test_cleaner_survives_exception(
    clock: FakeClock, core_log: pytest.LogCaptureFixture
) -> None:
    store = SignallingStore(clock, failures=1)
    store.start_cleanup(interval=0.01)
    try:
        assert store.ran.wait(timeout=5)
    finally:
        store.stop_cleanup(timeout=5)
    errors = [r for r in core_log.records if r.levelno == logging.ERROR]
    assert errors[0].getMessage().startswith("store cleanup failed")


def test_cleaner_is_daemon(store: PublicStore) -> None:
    store.start_cleanup(interval=3600)
    assert [t.daemon for t in _cleaner_threads()] == [True]


def test_cleaner_stops_during_wait(store: PublicStore) -> None:
    # A one-hour interval: stop_cleanup only returns True in time if the
    # thread wakes from its wait when asked to stop.
    store.start_cleanup(interval=3600)
    assert store.stop_cleanup(timeout=5) is True
    assert store.cleaner_running is False
    assert _cleaner_threads() == []


def test_cleaner_start_twice_keeps_one(store: PublicStore) -> None:
    store.start_cleanup(interval=3600)
    store.start_cleanup(interval=3600)
    assert len(_cleaner_threads()) == 1


def test_cleaner_restarts_after_stop(store: PublicStore) -> None:
    store.start_cleanup(interval=3600)
    store.stop_cleanup(timeout=5)
    store.start_cleanup(interval=3600)
    assert store.cleaner_running is True


def test_stop_cleanup_when_not_started(store: PublicStore) -> None:
    assert store.stop_cleanup() is True


def test_cleaner_uses_constructor_interval(clock: FakeClock) -> None:
    store = PublicStore(clock=clock, cleanup_interval=3600)
    store.start_cleanup()
    assert store.cleaner_running is True
    assert store.stop_cleanup(timeout=5)


def test_cleaner_needs_interval(store: PublicStore) -> None:
    with pytest.raises(ValueError, match="cleanup_interval"):
        store.start_cleanup()


@pytest.mark.parametrize("interval", [0, -1, float("nan")])
def test_cleanup_interval_rejects_invalid(interval: float) -> None:
    with pytest.raises(ValueError, match="interval"):
        PublicStore(cleanup_interval=interval)


def test_queue_delegates_store(new_queue: QueueFactory, clock: FakeClock) -> None:
    queue = new_queue()
    queue.set_public("a", None, ttl=1)
    queue.set_public("b", 2)
    assert queue.has_public("a") is True
    assert queue.get_public("b") == 2
    assert queue.list_keys() == ["a", "b"]
    clock.advance(1)
    assert queue.get_public("a", MISSING) is MISSING
    assert queue.cleanup() == 1
    assert queue.get_store_size() == 1
    assert queue.delete_public("b") is True
    queue.set_public("c", 3)
    queue.clear_store()
    assert queue.store.list_keys() == []


def test_queue_cleaner_from_constructor(new_queue: QueueFactory) -> None:
    queue = new_queue(cleanup_interval=3600)
    queue.start_cleanup()
    assert queue.cleaner_running is True
    assert queue.stop_cleanup(timeout=5) is True
    assert queue.cleaner_running is False


def test_queue_cleaner_needs_interval(new_queue: QueueFactory) -> None:
    with pytest.raises(ValueError, match="cleanup_interval"):
        new_queue().start_cleanup()


def test_store_rejects_clock_with_backend(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="clock"):
        PublicStore(clock=clock, backend=MemoryStoreBackend(clock))
