"""Threads hammering one queue or one store: exact counts, no lost tasks."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable

from bilimq.core import MemoryQueue, PublicStore, RetryPolicy, TaskState

PRODUCERS = 4
CONSUMERS = 4
JOIN_TIMEOUT = 60


def _run_all(targets: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)


def _stress(
    queue: MemoryQueue, total: int, handle: Callable[[MemoryQueue, dict], None]
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


def _ack(queue: MemoryQueue, task: dict) -> None:
    queue.ack(task["task_id"])


def test_stress_every_task_once() -> None:
    queue = MemoryQueue()
    pushed, seen = _stress(queue, 20_000, _ack)
    assert len(pushed) == 20_000
    assert len(set(pushed)) == 20_000
    assert set(seen) == set(pushed)
    assert max(seen.values()) == 1
    stats = queue.stats()
    assert stats.succeeded == 20_000
    assert stats.running == 0
    assert stats.queued == 0


def test_stress_bounded_queue() -> None:
    queue = MemoryQueue(maxsize=16)
    pushed, seen = _stress(queue, 4_000, _ack)
    assert set(seen) == set(pushed)
    assert max(seen.values()) == 1
    assert queue.stats().succeeded == 4_000


def test_stress_with_retries() -> None:
    # Zero backoff: every retry is due at once, so the test needs no clock.
    policy = RetryPolicy(max_attempts=2, base_delay=0.0, jitter=0.0)
    queue = MemoryQueue(retry_policy=policy)

    def fail_first_attempt(queue: MemoryQueue, task: dict) -> None:
        if queue.get_task(task["task_id"]).attempts == 1:
            queue.fail(task["task_id"], "first attempt fails", retry=True)
        else:
            queue.ack(task["task_id"])

    pushed, seen = _stress(queue, 4_000, fail_first_attempt)
    assert set(seen) == set(pushed)
    assert set(seen.values()) == {2}
    stats = queue.stats()
    assert stats.succeeded == 4_000
    assert stats.retrying == 0
    assert stats.failed == 0


def test_stress_cancel_while_popping() -> None:
    queue = MemoryQueue()
    ids = [queue.push_task({"type": "t"}) for _ in range(4_000)]
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
    assert stats.succeeded + stats.cancelled == 4_000
    for task_id in cancelled:
        assert queue.get_task(task_id).state is TaskState.CANCELLED


def test_store_concurrent_overlapping_keys() -> None:
    store = PublicStore()
    store.start_cleanup(interval=0.001)
    keys = [f"key{n}" for n in range(8)]
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def mutate(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for n in range(5_000):
                key = rng.choice(keys)
                action = rng.randrange(6)
                if action == 0:
                    store.set_public(key, n, ttl=rng.choice([None, 1e-4, 0.01]))
                elif action == 1:
                    store.get_public(key)
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
    assert set(store.list_keys()) <= set(keys)
    assert store.get_store_size() == len(store.list_keys())
