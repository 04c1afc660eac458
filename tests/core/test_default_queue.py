"""The process-wide queue and the module-level shortcuts that act on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import bilimq.core
from bilimq.core import MemoryQueue, default


@pytest.fixture(autouse=True)
def fresh_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give each test its own process-wide queue and restore the old one after."""
    monkeypatch.setattr(default, "_default_queue", None)
    yield
    created = default._default_queue
    if created is not None:
        created.close()


def test_get_queue_is_lazy() -> None:
    assert default._default_queue is None
    assert isinstance(bilimq.core.get_queue(), MemoryQueue)


def test_get_queue_same_instance() -> None:
    assert bilimq.core.get_queue() is bilimq.core.get_queue()


def test_get_queue_threads_share_one() -> None:
    barrier = threading.Barrier(8)
    seen: list[MemoryQueue] = []
    lock = threading.Lock()

    def fetch() -> None:
        barrier.wait()
        queue = bilimq.core.get_queue()
        with lock:
            seen.append(queue)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len(seen) == 8
    assert len({id(queue) for queue in seen}) == 1


def test_module_push_pop() -> None:
    task_id = bilimq.core.push_task({"type": "t"}, priority=2)
    task = bilimq.core.pop_task(timeout=0)
    assert task is not None
    assert task["task_id"] == task_id


def test_module_pop_timeout() -> None:
    assert bilimq.core.pop_task(timeout=0) is None


def test_module_push_uses_default_queue() -> None:
    bilimq.core.push_task({"type": "t"})
    assert bilimq.core.get_queue().get_queue_size() == 1


def test_module_public_store() -> None:
    bilimq.core.set_public("k", "v", ttl=60)
    assert bilimq.core.get_public("k") == "v"
    assert bilimq.core.delete_public("k") is True
    assert bilimq.core.get_public("k", "gone") == "gone"


def test_set_default_queue_replaces() -> None:
    mine = MemoryQueue(maxsize=5)
    previous = bilimq.core.set_default_queue(mine)
    assert previous is None
    assert bilimq.core.get_queue() is mine
    bilimq.core.push_task({"type": "t", "task_id": "a"})
    assert mine.get_queue_size() == 1


def test_set_default_queue_none_resets() -> None:
    first = bilimq.core.get_queue()
    assert bilimq.core.set_default_queue(None) is first
    assert bilimq.core.get_queue() is not first
