"""Running tasks taken back: visibility timeouts, ended worker threads, touch()."""

from __future__ import annotations

import logging
import random
import threading
from typing import TYPE_CHECKING, Any

import pytest

from bilimq.core import RetryPolicy, TaskQueue, TaskState, TaskStateError

if TYPE_CHECKING:
    from conftest import FakeClock, QueueFactory

VISIBILITY = 5.0


class Recorder:
    """Hook that records the calls it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args)


@pytest.fixture
def timed_queue(new_queue: QueueFactory) -> TaskQueue:
    """Queue with a 5 s visibility timeout and three attempts per task."""
    policy = RetryPolicy(max_attempts=3, base_delay=1.0, jitter=0.0)
    return new_queue(
        visibility_timeout=VISIBILITY, retry_policy=policy, rng=random.Random(1)
    )


def _pop(queue: TaskQueue) -> dict[str, Any]:
    task = queue.pop_task(timeout=0)
    assert task is not None
    return task


def _pop_in_thread(queue: TaskQueue, name: str = "short-lived") -> dict[str, Any]:
    """Pop one task in a thread that then ends without ack() or fail()."""
    popped: list[dict[str, Any]] = []
    thread = threading.Thread(
        target=lambda: popped.append(_pop(queue)), name=name, daemon=True
    )
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive()
    return popped[0]


# -- visibility timeout --------------------------------------------------------


def test_visibility_kept_before_deadline(
    timed_queue: TaskQueue, clock: FakeClock
) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY - 0.01)
    assert timed_queue.pop_task(timeout=0) is None
    assert timed_queue.get_task("a").state is TaskState.RUNNING


def test_visibility_pop_takes_back(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY)
    assert _pop(timed_queue)["task_id"] == "a"
    info = timed_queue.get_task("a")
    assert info.attempts == 2
    assert info.state is TaskState.RUNNING


def test_visibility_expire_tasks(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY)
    assert timed_queue.expire_tasks() == 1
    info = timed_queue.get_task("a")
    assert info.state is TaskState.QUEUED
    assert info.last_error == "visibility timeout of 5 s passed"


def test_visibility_fires_on_expire(timed_queue: TaskQueue, clock: FakeClock) -> None:
    hook = Recorder()
    timed_queue.add_hook("on_expire", hook)
    timed_queue.push_task({"type": "t", "task_id": "a"})
    task = _pop(timed_queue)
    clock.advance(VISIBILITY)
    timed_queue.expire_tasks()
    assert hook.calls == [(task, "visibility timeout of 5 s passed")]


def test_visibility_requeue_goes_last(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    timed_queue.push_task({"type": "t", "task_id": "b"})
    clock.advance(VISIBILITY)
    timed_queue.push_task({"type": "t", "task_id": "c"})
    order = [_pop(timed_queue)["task_id"] for _ in range(3)]
    assert order == ["b", "a", "c"]


def test_visibility_last_attempt_dead_letter(
    new_queue: QueueFactory, clock: FakeClock
) -> None:
    queue = new_queue(visibility_timeout=1, retry_policy=RetryPolicy(max_attempts=1))
    expired, failed = Recorder(), Recorder()
    queue.add_hook("on_expire", expired)
    queue.add_hook("on_failure", failed)
    queue.push_task({"type": "t", "task_id": "a"})
    task = _pop(queue)
    clock.advance(1)
    assert queue.expire_tasks() == 1
    assert queue.get_task("a").state is TaskState.FAILED
    assert [letter.task_id for letter in queue.dead_letters()] == ["a"]
    assert expired.calls == [(task, "visibility timeout of 1 s passed")]
    assert failed.calls == [(task, "visibility timeout of 1 s passed")]


def test_visibility_off_by_default(queue: TaskQueue, clock: FakeClock) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    clock.advance(10**6)
    assert queue.expire_tasks() == 0
    assert queue.get_task("a").state is TaskState.RUNNING


def test_visibility_counts_in_stats(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t"})
    _pop(timed_queue)
    clock.advance(VISIBILITY)
    timed_queue.expire_tasks()
    stats = timed_queue.stats()
    assert stats.running == 0
    assert stats.queued == 1


def test_late_ack_is_ignored(
    timed_queue: TaskQueue, clock: FakeClock, core_log: pytest.LogCaptureFixture
) -> None:
    success = Recorder()
    timed_queue.add_hook("on_success", success)
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY)
    timed_queue.expire_tasks()
    timed_queue.ack("a")
    assert timed_queue.get_task("a").state is TaskState.QUEUED
    assert success.calls == []
    warnings = [
        r.getMessage() for r in core_log.records if r.levelno >= logging.WARNING
    ]
    assert "ignored ack of task a" in warnings[-1]


def test_late_fail_is_ignored(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY)
    timed_queue.expire_tasks()
    timed_queue.fail("a", "too late", retry=True)
    info = timed_queue.get_task("a")
    assert info.state is TaskState.QUEUED
    assert info.last_error == "visibility timeout of 5 s passed"


def test_ack_after_new_pop_counts(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY)
    _pop(timed_queue)
    timed_queue.ack("a")
    assert timed_queue.get_task("a").state is TaskState.SUCCEEDED


# -- touch ---------------------------------------------------------------------


def test_touch_restarts_timeout(timed_queue: TaskQueue, clock: FakeClock) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    _pop(timed_queue)
    clock.advance(VISIBILITY - 1)
    timed_queue.touch("a")
    clock.advance(VISIBILITY - 1)
    assert timed_queue.expire_tasks() == 0
    clock.advance(1)
    assert timed_queue.expire_tasks() == 1


def test_touch_queued_task(timed_queue: TaskQueue) -> None:
    timed_queue.push_task({"type": "t", "task_id": "a"})
    with pytest.raises(TaskStateError, match="queued"):
        timed_queue.touch("a")


def test_touch_without_timeout(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.touch("a")
    assert queue.get_task("a").state is TaskState.RUNNING


# -- ended worker threads --------------------------------------------------------


def test_ended_thread_task_popped_again(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop_in_thread(queue)
    assert _pop(queue)["task_id"] == "a"
    assert queue.get_task("a").attempts == 2


def test_ended_thread_fires_on_expire(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_expire", hook)
    queue.push_task({"type": "t", "task_id": "a"})
    task = _pop_in_thread(queue, name="worker-7")
    assert queue.expire_tasks() == 1
    assert hook.calls == [
        (task, "worker thread 'worker-7' ended before ack() or fail()")
    ]


def test_live_thread_keeps_task(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    popped = threading.Event()
    release = threading.Event()

    def worker() -> None:
        _pop(queue)
        popped.set()
        release.wait(timeout=10)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        assert popped.wait(timeout=5)
        assert queue.expire_tasks() == 0
        assert queue.pop_task(timeout=0) is None
    finally:
        release.set()
        thread.join(timeout=5)


def test_ended_thread_acked_task_kept(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})

    def worker() -> None:
        queue.ack(_pop(queue)["task_id"])

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert queue.expire_tasks() == 0
    assert queue.get_task("a").state is TaskState.SUCCEEDED


def test_ended_thread_last_attempt(new_queue: QueueFactory) -> None:
    queue = new_queue(retry_policy=RetryPolicy(max_attempts=1))
    queue.push_task({"type": "t", "task_id": "a"})
    _pop_in_thread(queue)
    assert queue.pop_task(timeout=0) is None
    assert queue.get_task("a").state is TaskState.FAILED
    assert queue.dead_letters()[0].last_error == (
        "worker thread 'short-lived' ended before ack() or fail()"
    )


def test_get_task_names_worker(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop_in_thread(queue, name="worker-3")
    worker = queue.get_task("a").worker
    assert worker is not None
    assert worker.endswith("worker-3")


def test_cleaner_takes_back(new_queue: QueueFactory) -> None:
    queue = new_queue(cleanup_interval=0.01)
    expired = threading.Event()
    queue.add_hook("on_expire", lambda task, reason: expired.set())
    queue.push_task({"type": "t", "task_id": "a"})
    _pop_in_thread(queue)
    queue.start_cleanup()
    try:
        assert expired.wait(timeout=10)
    finally:
        assert queue.stop_cleanup(timeout=5)
    assert queue.get_task("a").state is TaskState.QUEUED


def test_blocked_pop_takes_back(queue: TaskQueue) -> None:
    # The waiting pop itself must notice the ended thread: no cleaner runs.
    queue.push_task({"type": "t", "task_id": "a"})
    owner_done = threading.Event()
    popped: list[Any] = []

    def owner() -> None:
        _pop(queue)
        owner_done.wait(timeout=10)

    owner_thread = threading.Thread(target=owner, daemon=True)
    owner_thread.start()
    waiter = threading.Thread(
        target=lambda: popped.append(queue.pop_task(timeout=10)), daemon=True
    )
    waiter.start()
    owner_done.set()
    owner_thread.join(timeout=5)
    waiter.join(timeout=15)
    assert popped[0]["task_id"] == "a"
