"""Hooks that a TaskQueue calls on push, start, success, failure and retry."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bilimq.core import HOOK_NAMES, TaskQueue


class Recorder:
    """Hook that records the calls it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args)


def _boom(*args: Any) -> None:
    raise RuntimeError("hook exploded")


def _start_one(queue: TaskQueue) -> dict[str, Any]:
    queue.push_task({"type": "t", "task_id": "a"})
    task = queue.pop_task(timeout=0)
    assert task is not None
    return task


def test_hook_names() -> None:
    assert set(HOOK_NAMES) == {
        "on_push",
        "on_start",
        "on_success",
        "on_failure",
        "on_retry",
        "on_expire",
    }


def test_on_push_gets_task(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_push", hook)
    queue.push_task({"type": "t", "task_id": "a"})
    assert hook.calls == [({"type": "t", "task_id": "a", "params": {}},)]


def test_on_start_gets_task(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_start", hook)
    task = _start_one(queue)
    assert hook.calls == [(task,)]


def test_on_success_after_ack(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_success", hook)
    task = _start_one(queue)
    queue.ack("a")
    assert hook.calls == [(task,)]


def test_on_failure_gets_error(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_failure", hook)
    task = _start_one(queue)
    queue.fail("a", "gone")
    assert hook.calls == [(task, "gone")]


def test_on_retry_gets_delay(queue: TaskQueue) -> None:
    hook = Recorder()
    failure = Recorder()
    queue.add_hook("on_retry", hook)
    queue.add_hook("on_failure", failure)
    task = _start_one(queue)
    queue.fail("a", "timeout", retry=True)
    assert hook.calls == [(task, "timeout", 1.0)]
    assert failure.calls == []


def test_hooks_run_in_order(queue: TaskQueue) -> None:
    order: list[str] = []
    queue.add_hook("on_push", lambda task: order.append("first"))
    queue.add_hook("on_push", lambda task: order.append("second"))
    queue.push_task({"type": "t"})
    assert order == ["first", "second"]


def test_remove_hook(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_push", hook)
    assert queue.remove_hook("on_push", hook) is True
    queue.push_task({"type": "t"})
    assert hook.calls == []


def test_remove_unknown_hook_returns_false(queue: TaskQueue) -> None:
    assert queue.remove_hook("on_push", Recorder()) is False


def test_add_hook_unknown_name(queue: TaskQueue) -> None:
    with pytest.raises(ValueError, match="on_push"):
        queue.add_hook("on_pop", Recorder())


def test_failing_hook_is_logged(
    queue: TaskQueue, core_log: pytest.LogCaptureFixture
) -> None:
    queue.add_hook("on_push", _boom)
    queue.push_task({"type": "t"})
    errors = [r for r in core_log.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "bilimq.core"
    assert "on_push" in errors[0].getMessage()
    assert errors[0].exc_info is not None


def test_failing_hook_keeps_queue_working(queue: TaskQueue) -> None:
    for name in HOOK_NAMES:
        queue.add_hook(name, _boom)
    _start_one(queue)
    queue.ack("a")
    assert queue.stats().succeeded == 1


def test_failing_hook_keeps_later_hooks(queue: TaskQueue) -> None:
    hook = Recorder()
    queue.add_hook("on_push", _boom)
    queue.add_hook("on_push", hook)
    queue.push_task({"type": "t"})
    assert len(hook.calls) == 1


def test_hook_may_call_queue(queue: TaskQueue) -> None:
    seen: list[int] = []
    queue.add_hook("on_push", lambda task: seen.append(queue.get_queue_size()))
    queue.push_task({"type": "t"})
    assert seen == [1]
