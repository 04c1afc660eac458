"""Task dicts, their states and the per-task record that the queue keeps."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Any

from bilimq.core.errors import InvalidTaskError

Task = dict[str, Any]
"""A task: ``{"task_id": str, "type": str, "params": dict, ...}``."""


class TaskState(enum.StrEnum):
    """State of a task in a ``MemoryQueue``, with plain strings as values."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRYING = "retrying"
    CANCELLED = "cancelled"

    @property
    def is_finished(self) -> bool:
        """True once the task left the queue (``requeue()`` revives a failed one)."""
        return self in _FINISHED_STATES


_FINISHED_STATES = frozenset(
    {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED}
)


@dataclass(slots=True)
class TaskRecord:
    """Mutable bookkeeping for one task, guarded by the queue's lock."""

    task: Task
    priority: int
    created_at: float
    state: TaskState = TaskState.QUEUED
    attempts: int = 0
    seq: int = -1
    """Sequence number of the task's live heap entry. Older entries are stale."""
    started_at: float | None = None
    finished_at: float | None = None
    run_at: float | None = None
    last_error: str | None = None
    owner: int | None = field(default=None, repr=False)
    """``threading.get_ident()`` of the worker that popped the task last."""

    def snapshot(self) -> TaskInfo:
        """Return a frozen snapshot of the record for callers outside the lock."""
        return TaskInfo(
            task_id=self.task["task_id"],
            type=self.task["type"],
            task=self.task,
            state=self.state,
            priority=self.priority,
            attempts=self.attempts,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            run_at=self.run_at,
            last_error=self.last_error,
        )


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """Snapshot of a task's state, attempts and timestamps.

    Timestamps are readings of the queue's clock (``time.monotonic`` unless
    another clock was injected), not wall-clock times.
    """

    task_id: str
    type: str
    task: Task
    """The task dict itself, shared with the queue: treat it as read-only."""
    state: TaskState
    priority: int
    attempts: int
    """How many times a worker popped the task."""
    created_at: float
    started_at: float | None
    """When a worker popped the task last."""
    finished_at: float | None
    run_at: float | None
    """When a task waiting to retry becomes ready again."""
    last_error: str | None


def normalize_task(task: object) -> Task:
    """Validate a pushed task and return a shallow copy with defaults filled in.

    The copy gets ``params`` = ``{}`` when it is missing and a new uuid4
    ``task_id`` when it is missing or None. Raises ``InvalidTaskError``.
    """
    if not isinstance(task, dict):
        raise InvalidTaskError(
            f"invalid task {task!r}: expected a dict such as "
            '{"type": "download", "params": {...}}'
        )
    normalized = dict(task)
    _check_type(normalized)
    _fill_params(normalized)
    _fill_task_id(normalized)
    return normalized


def _check_type(task: Task) -> None:
    task_type = task.get("type")
    if not isinstance(task_type, str) or not task_type:
        raise InvalidTaskError(
            f"invalid task type {task_type!r}: every task needs a non-empty str "
            'under "type", such as "download"'
        )


def _fill_params(task: Task) -> None:
    params = task.setdefault("params", {})
    if not isinstance(params, dict):
        raise InvalidTaskError(
            f'invalid task params {params!r}: "params" must be a dict (or left '
            "out, which means {})"
        )


def _fill_task_id(task: Task) -> None:
    task_id = task.get("task_id")
    if task_id is None:
        task["task_id"] = str(uuid.uuid4())
    elif not isinstance(task_id, str) or not task_id:
        raise InvalidTaskError(
            f"invalid task_id {task_id!r}: it must be a non-empty str, or left out "
            "so that the queue assigns a uuid4"
        )
