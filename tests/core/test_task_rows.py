"""TaskRows and the MemoryQueueBackend's use of them: handles, reuse, release."""

from __future__ import annotations

from bilimq.core import MemoryQueue
from bilimq.core.task import TaskState
from bilimq.core.task_rows import SLOT_MASK, TaskRows


def _take(rows: TaskRows) -> int:
    if not rows.free:
        rows.grow()
    slot = rows.free.pop()
    rows.state[slot] = TaskState.QUEUED
    return slot


def test_slots_come_in_order() -> None:
    rows = TaskRows()
    assert [_take(rows) for _ in range(3)] == [0, 1, 2]


def test_released_handle_stops_matching() -> None:
    rows = TaskRows()
    slot = _take(rows)
    old = rows.handle[slot]
    rows.release(slot)
    again = _take(rows)
    assert again == slot
    assert not rows.is_current(old, TaskState.QUEUED)
    assert rows.is_current(rows.handle[slot], TaskState.QUEUED)
    assert rows.handle[slot] & SLOT_MASK == slot


def test_release_drops_references_and_resets_fields() -> None:
    rows = TaskRows()
    slot = _take(rows)
    rows.params[slot] = {"big": "x" * 1000}
    rows.extras[slot] = {"song": "像鱼"}
    rows.attempts[slot] = 3
    rows.priority[slot] = 9
    rows.taken_back[slot] = True
    rows.last_error[slot] = "boom"
    rows.release(slot)
    assert rows.params[slot] is None
    assert rows.extras[slot] is None
    assert rows.state[slot] is None
    assert (rows.attempts[slot], rows.priority[slot]) == (0, 0)
    assert rows.taken_back[slot] is False
    assert rows.last_error[slot] is None


def test_queue_reuses_rows_of_dropped_tasks() -> None:
    queue = MemoryQueue(keep_finished=10)
    for _ in range(5000):
        queue.push_task({"type": "t"})
        queue.ack(queue.pop_task(timeout=0)["task_id"])
    rows = queue.backend._rows
    # One batch of rows covers the 11 tasks that are ever kept at once.
    assert len(rows.handle) == 1024
    assert len(rows.free) == 1024 - 10


def test_queue_frees_superseded_dead_letter() -> None:
    queue = MemoryQueue(keep_finished=0)
    queue.push_task({"type": "t", "task_id": "a"})
    queue.pop_task(timeout=0)
    queue.fail("a", "boom")
    queue.push_task({"type": "t", "task_id": "a"})
    queue.ack(queue.pop_task(timeout=0)["task_id"])
    rows = queue.backend._rows
    assert len(rows.free) == len(rows.handle)
    assert queue.dead_letters() == []


def test_on_push_params_reach_worker() -> None:
    # The queue shares a task's params dict, so a change that an on_push hook
    # makes to it reaches the worker, also when the push left params out.
    queue = MemoryQueue()
    queue.add_hook("on_push", lambda task: task["params"].setdefault("trace", 1))
    queue.push_task({"type": "t", "params": {}})
    queue.push_task({"type": "t"})
    with_params = queue.pop_task(timeout=0)
    without_params = queue.pop_task(timeout=0)
    assert with_params is not None
    assert without_params is not None
    assert with_params["params"] == {"trace": 1}
    assert without_params["params"] == {"trace": 1}
