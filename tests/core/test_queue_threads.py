"""Threads hammering one queue or one store on every backend: exact counts.

Every thread starts on a barrier, so producers, consumers and mutators really
overlap. The Redis cases move fewer tasks, because each call is a round trip
to the server.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from bilimq.core import MISSING, RetryPolicy, TaskQueue, TaskState

if TYPE_CHECKING:
    from conftest import QueueFactory, StoreFactory

PRODUCERS = 8
CONSUMERS = 8
JOIN_TIMEOUT = 120
# Tasks per stress run, by backend.
TOTAL = {"memory": 100_000, "redis": 4_000}
SMALL = {"memory": 8_000, "redis": 1_600}


def _run_all(targets: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)


def _stress(
    queue: TaskQueue, total: int, handle: Callable[[TaskQueue, dict], None]
) -> tuple[list[str], Counter[str]]:
    """Push ``total`` tasks from PRODUCERS threads while CONSUMERS threads pop.

    Returns the ids pushed and how often consumers saw each id.
    """
    barrier = threading.Barrier(PRODUCERS + CONSUMERS)
    producers_left = threading.Semaphore(0)
    pushed: list[list[str]] = [[] for _ in range(PRODUCERS)]
    seen: list[list[str]] = [[] for _ in range(CONSUMERS)]

    def producer(index: int) -> None:
        rng = random.Random(index)
        barrier.wait()
        for n in range(total // PRODUCERS):
            task = {"type": "t", "params": {"producer": index, "n": n}}
            pushed[index].append(queue.push_task(task, rng.randint(0, 3)))
        producers_left.release()

    def consumer(index: int) -> None:
        barrier.wait()
        while (task := queue.pop_task(timeout=JOIN_TIMEOUT)) is not None:
            seen[index].append(task["task_id"])
            handle(queue, task)

    def closer() -> None:
        for _ in range(PRODUCERS):
            producers_left.acquire()
        queue.join(timeout=JOIN_TIMEOUT)
        queue.close()

    _run_all(
        [lambda i=i: producer(i) for i in range(PRODUCERS)]
        + [lambda i=i: consumer(i) for i in range(CONSUMERS)]
        + [closer]
    )
    all_pushed = [task_id for ids in pushed for task_id in ids]
    return all_pushed, Counter(task_id for ids in seen for task_id in ids)


def _ack(queue: TaskQueue, task: dict) -> None:
    queue.ack(task["task_id"])


def test_stress_every_task_once(new_queue: QueueFactory, backend: str) -> None:
    queue = new_queue(clock=time.time)
    total = TOTAL[backend]
    pushed, seen = _stress(queue, total, _ack)
    assert len(pushed) == total
    assert len(set(pushed)) == total
    assert set(seen) == set(pushed)
    assert max(seen.values()) == 1
    stats = queue.stats()
    assert stats.succeeded == total
    assert stats.running == 0
    assert stats.queued == 0
    assert stats.failed == 0


def test_stress_bounded_queue(new_queue: QueueFactory, backend: str) -> None:
    queue = new_queue(maxsize=16, clock=time.time)
    total = SMALL[backend]
    pushed, seen = _stress(queue, total, _ack)
    assert set(seen) == set(pushed)
    assert max(seen.values()) == 1
    assert queue.stats().succeeded == total


def test_stress_with_retries(new_queue: QueueFactory, backend: str) -> None:
    # Zero backoff: every retry is due at once, so the test needs no clock.
    policy = RetryPolicy(max_attempts=2, base_delay=0.0, jitter=0.0)
    queue = new_queue(retry_policy=policy, clock=time.time)
    total = SMALL[backend]

    def fail_first_attempt(queue: TaskQueue, task: dict) -> None:
        if queue.get_task(task["task_id"]).attempts == 1:
            queue.fail(task["task_id"], "first attempt fails", retry=True)
        else:
            queue.ack(task["task_id"])

    pushed, seen = _stress(queue, total, fail_first_attempt)
    assert set(seen) == set(pushed)
    assert set(seen.values()) == {2}
    stats = queue.stats()
    assert stats.succeeded == total
    assert stats.retrying == 0
    assert stats.failed == 0


def test_stress_cancel_while_popping(new_queue: QueueFactory, backend: str) -> None:
    queue = new_queue(clock=time.time)
    total = SMALL[backend]
    ids = [queue.push_task({"type": "t"}) for _ in range(total)]
    barrier = threading.Barrier(1 + CONSUMERS)
    cancelled: list[str] = []
    seen: list[str] = []
    lock = threading.Lock()

    def canceller() -> None:
        barrier.wait()
        for task_id in ids[::2]:
            if queue.cancel(task_id):
                cancelled.append(task_id)
        queue.close()

    def consumer() -> None:
        barrier.wait()
        while (task := queue.pop_task(timeout=JOIN_TIMEOUT)) is not None:
            with lock:
                seen.append(task["task_id"])
            queue.ack(task["task_id"])

    _run_all([canceller] + [consumer] * CONSUMERS)
    stats = queue.stats()
    assert len(seen) == len(set(seen))
    assert stats.cancelled == len(cancelled)
    assert stats.succeeded + stats.cancelled == total
    for task_id in cancelled[:100]:
        assert queue.get_task(task_id).state is TaskState.CANCELLED


def test_store_concurrent_no_stale_read(
    new_store: StoreFactory, store_backend: str
) -> None:
    clock = time.monotonic if store_backend == "memory" else time.time
    store = new_store(clock)
    store.start_cleanup(interval=0.001)
    keys = [f"key{n}" for n in range(8)]
    operations = 5_000 if store_backend == "memory" else 600
    barrier = threading.Barrier(6)
    versions = itertools.count()
    # Version -> a time by which its key has surely expired. A set() records it
    # after it returns, so the store's own deadline is never later.
    expired_by: dict[int, float] = {}
    errors: list[BaseException] = []
    stale: list[tuple[str, int]] = []

    def mutate(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(operations):
                key = rng.choice(keys)
                action = rng.randrange(6)
                if action == 0:
                    version = next(versions)
                    ttl = rng.choice([None, 1e-4, 1e-3, 0.01])
                    store.set_public(key, version, ttl=ttl)
                    expired_by[version] = math.inf if ttl is None else clock() + ttl
                elif action == 1:
                    before = clock()
                    value = store.get_public(key, MISSING)
                    if value is not MISSING and before >= expired_by.get(
                        value, math.inf
                    ):
                        stale.append((key, value))
                elif action == 2:
                    store.delete_public(key)
                elif action == 3:
                    store.cleanup()
                elif action == 4:
                    store.has_public(key)
                else:
                    store.list_keys()
        except Exception as exc:
            # An exception would die with the thread, so the assert below reports it.
            errors.append(exc)

    try:
        _run_all([lambda s=s: mutate(s) for s in range(6)])
    finally:
        assert store.stop_cleanup(timeout=5)
    assert errors == []
    assert stale == []
    assert set(store.list_keys()) <= set(keys)
    # Nothing writes any more, but keys with a TTL still expire on the real
    # clock, so each count may only be smaller than the one before it.
    size_before = store.get_store_size()
    listed = store.list_keys()
    size_after = store.get_store_size()
    assert size_before >= len(listed)
    assert len(listed) >= size_after
