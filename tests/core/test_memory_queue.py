"""Task queues on every backend: push, pop, priorities, states, back-pressure, close
and stats."""

from __future__ import annotations

import queue as stdlib_queue
import threading
from typing import TYPE_CHECKING, Any

import pytest

from bilimq.core import (
    DuplicateTaskError,
    InvalidTaskError,
    QueueClosed,
    QueueFull,
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


def _run_in_thread(fn: Any) -> threading.Thread:
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    return thread


# -- push and pop ------------------------------------------------------------


def test_push_returns_task_id(queue: TaskQueue) -> None:
    task_id = queue.push_task({"type": "t"})
    assert _pop(queue)["task_id"] == task_id


def test_push_keeps_given_task_id(queue: TaskQueue) -> None:
    assert queue.push_task({"type": "t", "task_id": "mine"}) == "mine"


def test_push_does_not_mutate_caller_dict(queue: TaskQueue) -> None:
    task = {"type": "t"}
    queue.push_task(task)
    assert task == {"type": "t"}


def test_push_keeps_items_of_reused_dict(queue: TaskQueue) -> None:
    task: dict[str, Any] = {"type": "t"}
    for name in ("a", "b"):
        task["params"] = {"name": name}
        task["note"] = name
        queue.push_task(task)
    popped = [_pop(queue) for _ in range(2)]
    assert [(t["params"]["name"], t["note"]) for t in popped] == [
        ("a", "a"),
        ("b", "b"),
    ]


def test_pop_keeps_extra_keys(queue: TaskQueue) -> None:
    task_id = queue.push_task({"type": "t", "song": "像鱼", "params": {}})
    assert _pop(queue) == {
        "type": "t",
        "params": {},
        "song": "像鱼",
        "task_id": task_id,
    }


def test_popped_dict_change_stays_out_of_queue(queue: TaskQueue) -> None:
    task_id = queue.push_task({"type": "t", "params": {"n": 1}})
    _pop(queue)["type"] = "changed"
    assert queue.get_task(task_id).task["type"] == "t"


def test_pop_returns_params(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "params": {"row_id": 7}})
    assert _pop(queue)["params"] == {"row_id": 7}


def test_push_rejects_invalid_task(queue: TaskQueue) -> None:
    with pytest.raises(InvalidTaskError):
        queue.push_task({"params": {}})


@pytest.mark.parametrize("priority", [1.5, "1", True, None, 2**53 + 1, -(2**53) - 1])
def test_push_rejects_invalid_priority(queue: TaskQueue, priority: object) -> None:
    with pytest.raises(InvalidTaskError, match="priority"):
        queue.push_task({"type": "t"}, priority)  # type: ignore[arg-type]  # on purpose


def test_push_duplicate_live_id(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    with pytest.raises(DuplicateTaskError, match="'a'"):
        queue.push_task({"type": "t", "task_id": "a"})


def test_push_duplicate_running_id(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    with pytest.raises(DuplicateTaskError):
        queue.push_task({"type": "t", "task_id": "a"})


def test_duplicate_error_is_value_error() -> None:
    assert issubclass(DuplicateTaskError, ValueError)


def test_push_reuses_finished_id(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.ack("a")
    queue.push_task({"type": "t", "task_id": "a"})
    assert queue.get_task("a").state is TaskState.QUEUED


def test_pop_empty_timeout_zero(queue: TaskQueue) -> None:
    assert queue.pop_task(timeout=0) is None


def test_pop_empty_short_timeout(queue: TaskQueue) -> None:
    assert queue.pop_task(timeout=0.01) is None


def test_pop_rejects_negative_timeout(queue: TaskQueue) -> None:
    with pytest.raises(ValueError, match="timeout"):
        queue.pop_task(timeout=-1)


def test_pop_waits_for_push(queue: TaskQueue) -> None:
    popped: list[Any] = []
    waiter = _run_in_thread(lambda: popped.append(queue.pop_task()))
    queue.push_task({"type": "t", "task_id": "late"})
    waiter.join(timeout=5)
    assert popped[0]["task_id"] == "late"


def test_fifo_within_priority(queue: TaskQueue) -> None:
    ids = [queue.push_task({"type": "t"}) for _ in range(5)]
    assert [_pop(queue)["task_id"] for _ in ids] == ids


def test_higher_priority_first(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "low"}, priority=-1)
    queue.push_task({"type": "t", "task_id": "mid"})
    queue.push_task({"type": "t", "task_id": "high"}, priority=5)
    queue.push_task({"type": "t", "task_id": "mid2"})
    order = [_pop(queue)["task_id"] for _ in range(4)]
    assert order == ["high", "mid", "mid2", "low"]


# -- states ------------------------------------------------------------------


def test_state_queued_then_running(queue: TaskQueue, clock: FakeClock) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    assert queue.get_task("a").state is TaskState.QUEUED
    clock.advance(2)
    _pop(queue)
    info = queue.get_task("a")
    assert info.state is TaskState.RUNNING
    assert info.attempts == 1
    assert info.started_at == info.created_at + 2


def test_ack_marks_succeeded(queue: TaskQueue, clock: FakeClock) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    clock.advance(3)
    queue.ack("a")
    info = queue.get_task("a")
    assert info.state is TaskState.SUCCEEDED
    assert info.finished_at == info.started_at + 3


def test_ack_unknown_id(queue: TaskQueue) -> None:
    with pytest.raises(TaskNotFoundError, match="'nope'"):
        queue.ack("nope")


def test_ack_queued_task(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    with pytest.raises(TaskStateError, match="queued"):
        queue.ack("a")


def test_ack_twice(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.ack("a")
    with pytest.raises(TaskStateError, match="succeeded"):
        queue.ack("a")


def test_fail_without_retry(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.fail("a", "video gone")
    info = queue.get_task("a")
    assert info.state is TaskState.FAILED
    assert info.last_error == "video gone"


def test_fail_queued_task(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    with pytest.raises(TaskStateError):
        queue.fail("a", "x")


def test_fail_unknown_id(queue: TaskQueue) -> None:
    with pytest.raises(TaskNotFoundError):
        queue.fail("nope", "x")


def test_cancel_queued(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    queue.push_task({"type": "t", "task_id": "b"})
    assert queue.cancel("a") is True
    assert _pop(queue)["task_id"] == "b"
    assert queue.get_task("a").state is TaskState.CANCELLED


def test_cancel_running_ignores_ack(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    assert queue.cancel("a") is True
    queue.ack("a")
    assert queue.get_task("a").state is TaskState.CANCELLED


def test_cancel_running_ignores_fail(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.cancel("a")
    queue.fail("a", "x", retry=True)
    assert queue.get_task("a").state is TaskState.CANCELLED
    assert queue.dead_letters() == []


def test_cancel_finished_returns_false(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.ack("a")
    assert queue.cancel("a") is False
    assert queue.get_task("a").state is TaskState.SUCCEEDED


def test_cancel_unknown_id(queue: TaskQueue) -> None:
    with pytest.raises(TaskNotFoundError):
        queue.cancel("nope")


def test_cancel_then_push_same_id(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a", "params": {"n": 1}})
    queue.cancel("a")
    queue.push_task({"type": "t", "task_id": "a", "params": {"n": 2}})
    assert _pop(queue)["params"] == {"n": 2}
    assert queue.pop_task(timeout=0) is None


def test_get_task_unknown(queue: TaskQueue) -> None:
    with pytest.raises(TaskNotFoundError):
        queue.get_task("nope")


def test_fifo_after_dropped_task_leaves_entry(new_queue: QueueFactory) -> None:
    # The cancelled task's entry stays in the ready list, and with
    # keep_finished=0 its row is freed at once: the task pushed next
    # must still queue behind "c".
    queue = new_queue(keep_finished=0)
    queue.push_task({"type": "t", "task_id": "a"})
    queue.push_task({"type": "t", "task_id": "c"})
    queue.cancel("a")
    queue.push_task({"type": "t", "task_id": "b"})
    assert [_pop(queue)["task_id"] for _ in range(2)] == ["c", "b"]
    assert queue.pop_task(timeout=0) is None


def test_rows_reused_after_many_tasks(new_queue: QueueFactory) -> None:
    queue = new_queue(keep_finished=3)
    for n in range(50):
        queue.push_task({"type": "t", "task_id": f"t{n}"})
        queue.ack(_pop(queue)["task_id"])
    assert queue.get_task("t49").state is TaskState.SUCCEEDED
    assert queue.get_task("t47").task["task_id"] == "t47"
    with pytest.raises(TaskNotFoundError):
        queue.get_task("t46")


def test_keep_finished_drops_oldest(new_queue: QueueFactory) -> None:
    queue = new_queue(keep_finished=2)
    for task_id in "abc":
        queue.push_task({"type": "t", "task_id": task_id})
        _pop(queue)
        queue.ack(task_id)
    with pytest.raises(TaskNotFoundError):
        queue.get_task("a")
    assert queue.get_task("c").state is TaskState.SUCCEEDED
    assert queue.stats().succeeded == 3


# -- task_done ---------------------------------------------------------------


def test_task_done_acks_oldest_popped(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    queue.push_task({"type": "t", "task_id": "b"})
    _pop(queue)
    _pop(queue)
    queue.task_done()
    assert queue.get_task("a").state is TaskState.SUCCEEDED
    assert queue.get_task("b").state is TaskState.RUNNING


def test_task_done_with_id(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    queue.task_done("a")
    assert queue.get_task("a").state is TaskState.SUCCEEDED


def test_task_done_too_many(queue: TaskQueue) -> None:
    with pytest.raises(ValueError, match="task_done"):
        queue.task_done()


def test_task_done_other_thread_task(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _run_in_thread(lambda: queue.pop_task(timeout=5)).join(timeout=5)
    with pytest.raises(ValueError):
        queue.task_done()


def test_task_done_with_join(queue: TaskQueue) -> None:
    def worker() -> None:
        while queue.pop_task(timeout=5) is not None:
            queue.task_done()

    for _ in range(3):
        queue.push_task({"type": "t"})
    queue.close()
    thread = _run_in_thread(worker)
    assert queue.join(timeout=5) is True
    thread.join(timeout=5)
    assert queue.stats().succeeded == 3


# -- bounded size --------------------------------------------------------------


def test_push_full_nonblocking(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=2)
    queue.push_task({"type": "t"})
    queue.push_task({"type": "t"})
    with pytest.raises(QueueFull, match="maxsize"):
        queue.push_task({"type": "t"}, block=False)


def test_push_full_timeout(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=1)
    queue.push_task({"type": "t"})
    with pytest.raises(QueueFull):
        queue.push_task({"type": "t"}, timeout=0.01)


def test_queue_full_is_stdlib_full() -> None:
    assert issubclass(QueueFull, stdlib_queue.Full)


def test_full_push_rejected_task_absent(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=1)
    queue.push_task({"type": "t"})
    with pytest.raises(QueueFull):
        queue.push_task({"type": "t", "task_id": "b"}, block=False)
    with pytest.raises(TaskNotFoundError):
        queue.get_task("b")


def test_push_blocks_until_pop(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=1)
    queue.push_task({"type": "t", "task_id": "a"})
    pushed = threading.Event()

    def producer() -> None:
        queue.push_task({"type": "t", "task_id": "b"})
        pushed.set()

    thread = _run_in_thread(producer)
    assert pushed.is_set() is False
    assert _pop(queue)["task_id"] == "a"
    thread.join(timeout=5)
    assert pushed.is_set() is True
    assert _pop(queue)["task_id"] == "b"


def test_cancel_frees_space(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=1)
    queue.push_task({"type": "t", "task_id": "a"})
    queue.cancel("a")
    assert queue.push_task({"type": "t"}, block=False)


def test_running_tasks_do_not_count(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=1)
    queue.push_task({"type": "t"})
    _pop(queue)
    assert queue.push_task({"type": "t"}, block=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"maxsize": -1},
        {"keep_finished": -1},
        {"max_dead_letters": 1.5},
        {"visibility_timeout": 0},
        {"visibility_timeout": float("nan")},
        {"cleanup_interval": 0},
    ],
)
def test_constructor_rejects_invalid(
    new_queue: QueueFactory, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="invalid"):
        new_queue(**kwargs)


# -- close and join ------------------------------------------------------------


def test_close_rejects_push(queue: TaskQueue) -> None:
    queue.close()
    with pytest.raises(QueueClosed, match="closed"):
        queue.push_task({"type": "t"})


def test_close_drains_then_none(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    queue.close()
    assert _pop(queue)["task_id"] == "a"
    assert queue.pop_task() is None


def test_close_wakes_waiting_pop(queue: TaskQueue) -> None:
    popped: list[Any] = ["unset"]

    def waiter() -> None:
        popped[0] = queue.pop_task()

    thread = _run_in_thread(waiter)
    queue.close()
    thread.join(timeout=5)
    assert popped == [None]


def test_close_wakes_blocked_push(new_queue: QueueFactory) -> None:
    queue = new_queue(maxsize=1)
    queue.push_task({"type": "t"})
    errors: list[BaseException] = []

    def producer() -> None:
        try:
            queue.push_task({"type": "t"})
        except QueueClosed as exc:
            errors.append(exc)

    thread = _run_in_thread(producer)
    queue.close()
    thread.join(timeout=5)
    assert len(errors) == 1


def test_close_twice(queue: TaskQueue) -> None:
    queue.close()
    queue.close()
    assert queue.closed is True


def test_join_empty_queue(queue: TaskQueue) -> None:
    assert queue.join(timeout=0) is True


def test_join_times_out_with_running(queue: TaskQueue) -> None:
    queue.push_task({"type": "t"})
    _pop(queue)
    assert queue.join(timeout=0.01) is False


def test_join_after_cancel(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    queue.cancel("a")
    assert queue.join(timeout=0) is True


def test_join_waits_for_ack(queue: TaskQueue) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    _pop(queue)
    thread = _run_in_thread(lambda: queue.ack("a"))
    assert queue.join(timeout=5) is True
    thread.join(timeout=5)


# -- stats and sizes -----------------------------------------------------------


def test_size_and_empty(queue: TaskQueue) -> None:
    assert queue.is_empty() is True
    queue.push_task({"type": "t"})
    queue.push_task({"type": "t"})
    assert queue.get_queue_size() == 2
    _pop(queue)
    assert queue.get_queue_size() == 1
    assert queue.is_empty() is False


def test_stats_counts_states(queue: TaskQueue) -> None:
    for task_id in "abcde":
        queue.push_task({"type": "t", "task_id": task_id})
    for _ in range(4):
        _pop(queue)
    queue.ack("a")
    queue.fail("b", "permanent")
    queue.fail("c", "transient", retry=True)
    queue.cancel("e")
    stats = queue.stats()
    assert stats.queued == 0
    assert stats.running == 1
    assert stats.succeeded == 1
    assert stats.failed == 1
    assert stats.retrying == 1
    assert stats.cancelled == 1
    assert stats.dead_letters == 1
    assert stats.depth == 0


def test_stats_oldest_age(queue: TaskQueue, clock: FakeClock) -> None:
    queue.push_task({"type": "t", "task_id": "a"})
    clock.advance(4)
    queue.push_task({"type": "t", "task_id": "b"})
    clock.advance(1)
    assert queue.stats().oldest_age == 5
    _pop(queue)
    assert queue.stats().oldest_age == 1


def test_stats_oldest_age_empty(queue: TaskQueue) -> None:
    assert queue.stats().oldest_age == 0.0


def test_stats_as_dict(queue: TaskQueue) -> None:
    queue.push_task({"type": "t"})
    stats = queue.stats().as_dict()
    assert stats["queued"] == 1
    assert stats["depth"] == 1
    assert stats["closed"] is False
