"""A process-wide task queue and module-level shortcuts that act on it."""

from __future__ import annotations

import threading
from typing import Any

from bilimq.core.queue import MemoryQueue, TaskQueue
from bilimq.core.task import Task

_default_queue: TaskQueue | None = None
_default_lock = threading.Lock()


def get_queue() -> TaskQueue:
    """Return the process-wide queue, creating an unbounded ``MemoryQueue`` first.

    ``set_default_queue()`` installs another one, such as a Redis queue.
    """
    global _default_queue
    queue = _default_queue
    if queue is not None:
        return queue
    with _default_lock:
        # A second thread may have created it while this one waited for the lock.
        if _default_queue is None:
            _default_queue = MemoryQueue()
        return _default_queue


def set_default_queue(queue: TaskQueue | None) -> TaskQueue | None:
    """Make ``queue`` the process-wide queue and return the one it replaces.

    None resets it, so that the next ``get_queue()`` creates a new
    ``MemoryQueue``. The replaced queue is neither closed nor drained.
    """
    global _default_queue
    with _default_lock:
        previous, _default_queue = _default_queue, queue
    return previous


def push_task(
    task: Task,
    priority: int = 0,
    *,
    block: bool = True,
    timeout: float | None = None,
) -> str:
    """Queue a task on the process-wide queue and return its ``task_id``."""
    return get_queue().push_task(task, priority, block=block, timeout=timeout)


def pop_task(timeout: float | None = None) -> Task | None:
    """Pop the next task from the process-wide queue, or None on timeout."""
    return get_queue().pop_task(timeout)


def set_public(key: str, value: Any, ttl: float | None = None) -> None:
    """Store a shared value in the process-wide queue's store."""
    get_queue().set_public(key, value, ttl)


def get_public(key: str, default: Any = None) -> Any:
    """Return a shared value from the process-wide queue's store, or ``default``."""
    return get_queue().get_public(key, default)


def delete_public(key: str) -> bool:
    """Remove a shared value and return whether it was set and not expired."""
    return get_queue().delete_public(key)
