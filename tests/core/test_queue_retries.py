"""Retries with backoff on a fake clock, dead letters and requeue."""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING, Any

import pytest

from bilimq.core import (
    QueueClosed,
    RetryPolicy,
    TaskNotFoundError,
    TaskQueue,
    TaskState,
    TaskStateError,
)

if TYPE_CHECKING:
    from conftest import FakeClock, QueueFactory


def _pop(queue: TaskQueue) -> dict[str, Any]:
    task = queue.pop_task(timeout=0)
    assert task is not None
    return task


def _start(queue: TaskQueue, task_id: str = "a", priority: int = 0) -> None:
    queue.push_task({"type": "t", "task_id": task_id}, priority)
    assert _pop(queue)["task_id"] == task_id


def test_retry_waits_for_backoff(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    info = queue.get_task("a")
    assert info.state is TaskState.RETRYING
    assert info.run_at == clock.now + 1.0
    clock.advance(0.99)
    assert queue.pop_task(timeout=0) is None
    clock.advance(0.01)
    assert _pop(queue)["task_id"] == "a"


def test_retry_counts_attempts(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    clock.advance(1)
    _pop(queue)
    assert queue.get_task("a").attempts == 2


def test_retry_delay_doubles(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    clock.advance(1)
    _pop(queue)
    queue.fail("a", "timeout", retry=True)
    assert queue.get_task("a").run_at == clock.now + 2.0


def test_retry_delay_capped(new_queue: QueueFactory, clock: FakeClock) -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=1, max_delay=3, jitter=0)
    queue = new_queue(retry_policy=policy)
    _start(queue)
    delays = []
    for _ in range(4):
        queue.fail("a", "timeout", retry=True)
        run_at = queue.get_task("a").run_at
        assert run_at is not None
        delays.append(run_at - clock.now)
        clock.advance(delays[-1])
        _pop(queue)
    assert delays == [1, 2, 3, 3]


def test_retry_jitter_uses_rng(new_queue: QueueFactory, clock: FakeClock) -> None:
    policy = RetryPolicy(base_delay=10, max_delay=60, jitter=0.5)
    queue = new_queue(retry_policy=policy, rng=random.Random(3))
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    expected = policy.delay(1, random.Random(3))
    assert queue.get_task("a").run_at == clock.now + expected
    assert expected < 10


def test_retry_goes_behind_ready_tasks(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    queue.push_task({"type": "t", "task_id": "b"})
    clock.advance(1)
    queue.push_task({"type": "t", "task_id": "c"})
    order = [_pop(queue)["task_id"] for _ in range(3)]
    assert order == ["b", "a", "c"]


def test_retry_keeps_priority(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue, priority=9)
    queue.fail("a", "timeout", retry=True)
    queue.push_task({"type": "t", "task_id": "b"})
    clock.advance(1)
    assert _pop(queue)["task_id"] == "a"


def test_retry_not_counted_as_ready(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    assert queue.get_queue_size() == 0
    clock.advance(1)
    assert queue.get_queue_size() == 1


def test_retry_age_counts_from_due_time(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    clock.advance(4)
    assert queue.stats().oldest_age == 3


def test_exhausted_retries_dead_letter(
    queue: TaskQueue, clock: FakeClock, core_log: pytest.LogCaptureFixture
) -> None:
    _start(queue)
    for delay in (1, 2):
        queue.fail("a", "timeout", retry=True)
        clock.advance(delay)
        _pop(queue)
    queue.fail("a", "still timing out", retry=True)
    info = queue.get_task("a")
    assert info.state is TaskState.FAILED
    assert info.attempts == 3
    assert [letter.task_id for letter in queue.dead_letters()] == ["a"]
    assert queue.dead_letters()[0].last_error == "still timing out"
    warnings = [r for r in core_log.records if r.levelno == logging.WARNING]
    assert "failed all 3 attempts" in warnings[0].getMessage()


def test_permanent_failure_dead_letter(queue: TaskQueue) -> None:
    _start(queue)
    queue.fail("a", "video gone")
    assert [letter.task_id for letter in queue.dead_letters()] == ["a"]


def test_requeue_resets_attempts(queue: TaskQueue) -> None:
    _start(queue)
    queue.fail("a", "video gone")
    queue.requeue("a")
    assert queue.get_task("a").state is TaskState.QUEUED
    assert queue.dead_letters() == []
    _pop(queue)
    assert queue.get_task("a").attempts == 1


def test_requeue_updates_counts(queue: TaskQueue) -> None:
    _start(queue)
    queue.fail("a", "video gone")
    queue.requeue("a")
    stats = queue.stats()
    assert stats.failed == 0
    assert stats.queued == 1


def test_requeue_unknown(queue: TaskQueue) -> None:
    with pytest.raises(TaskNotFoundError):
        queue.requeue("nope")


def test_requeue_live_task(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    with pytest.raises(TaskStateError, match="dead-letter"):
        queue.requeue("a")


def test_requeue_after_close(queue: TaskQueue) -> None:
    _start(queue)
    queue.fail("a", "video gone")
    queue.close()
    with pytest.raises(QueueClosed):
        queue.requeue("a")


def test_push_supersedes_dead_letter(queue: TaskQueue) -> None:
    _start(queue)
    queue.fail("a", "video gone")
    queue.push_task({"type": "t", "task_id": "a"})
    assert queue.dead_letters() == []


def test_dead_letters_bounded(
    new_queue: QueueFactory, core_log: pytest.LogCaptureFixture
) -> None:
    queue = new_queue(max_dead_letters=2)
    for task_id in "abc":
        _start(queue, task_id)
        queue.fail(task_id, "gone")
    assert [letter.task_id for letter in queue.dead_letters()] == ["b", "c"]
    with pytest.raises(TaskNotFoundError):
        queue.get_task("a")
    assert "dropped the oldest" in core_log.records[-1].getMessage()


def test_cancel_retrying(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    assert queue.cancel("a") is True
    clock.advance(1)
    assert queue.pop_task(timeout=0) is None
    assert queue.stats().retrying == 0


def test_closed_queue_waits_for_retry(queue: TaskQueue, clock: FakeClock) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    queue.close()
    assert queue.pop_task(timeout=0) is None
    clock.advance(1)
    assert _pop(queue)["task_id"] == "a"
    assert queue.pop_task() is None


def test_join_waits_for_retry(queue: TaskQueue) -> None:
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    assert queue.join(timeout=0) is False


def test_blocking_pop_wakes_for_retry(new_queue: QueueFactory) -> None:
    # Real clock: the pop must wake by itself when the 10 ms delay passes,
    # since no push or close notifies it.
    policy = RetryPolicy(base_delay=0.01, jitter=0)
    queue = new_queue(retry_policy=policy, clock=time.time)
    _start(queue)
    queue.fail("a", "timeout", retry=True)
    task = queue.pop_task(timeout=5)
    assert task is not None
    assert task["task_id"] == "a"
