"""Errors raised by the in-memory queue and the public store.

CoreError
 ├── InvalidTaskError     a pushed task is not a dict with a str ``type``
 ├── DuplicateTaskError   a task with the same ``task_id`` is still live
 ├── TaskNotFoundError    no task with this ``task_id`` is known
 ├── TaskStateError       the task is not in a state that allows the call
 ├── QueueFull            a bounded queue stayed full until the timeout
 ├── QueueClosed          the queue was closed, so it accepts no new tasks
 └── BackendError         a backend cannot be used (missing package, server down)

``bilimq.core`` imports nothing else of bilimq, so these classes derive from
``CoreError`` and from the matching built-in exception, not from
``bilimq.errors.BilimqError``.
"""

from __future__ import annotations

import queue


class CoreError(Exception):
    """Base class of every error that ``bilimq.core`` raises on purpose."""


class InvalidTaskError(CoreError, ValueError):
    """A task or an argument of ``push_task`` is invalid."""


class DuplicateTaskError(CoreError, ValueError):
    """A task with the same ``task_id`` is queued, running or waiting to retry."""

    def __init__(self, task_id: str) -> None:
        super().__init__(
            f"duplicate task_id {task_id!r}: a task with this id is still queued, "
            "running or waiting to retry. Push it again after it finishes, or leave "
            "task_id out to get a new uuid4"
        )
        self.task_id = task_id


class TaskNotFoundError(CoreError, LookupError):
    """No task with this ``task_id`` is known to the queue."""

    def __init__(self, task_id: str) -> None:
        super().__init__(
            f"task {task_id!r} not found: it was never pushed to this queue, or its "
            "record was dropped after it finished"
        )
        self.task_id = task_id


class TaskStateError(CoreError, ValueError):
    """The task exists but its state does not allow the requested call."""

    def __init__(self, task_id: str, state: str, action: str, allowed: str) -> None:
        super().__init__(
            f"cannot {action} task {task_id!r}: its state is {state!r}, "
            f"but {action} needs a task that is {allowed}"
        )
        self.task_id = task_id
        self.state = state


class QueueFull(CoreError, queue.Full):
    """The bounded queue stayed full until the push timed out."""


class QueueClosed(CoreError, RuntimeError):
    """The queue was closed with ``close()`` and accepts no new tasks."""


class BackendError(CoreError, RuntimeError):
    """A backend cannot be used: its package is missing or its server failed."""
