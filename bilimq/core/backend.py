"""The storage protocols behind ``TaskQueue`` and ``PublicStore``.

A backend owns the data and makes every state change atomic: the memory
backends under one lock per object, the Redis backends in Lua scripts on the
server, so that several processes can share one queue and one store. The
front ends (``TaskQueue``, ``PublicStore``) validate arguments, fire hooks and
run the cleaner thread, and they call nothing but the methods listed here.
``tests/core`` contains one contract suite that every backend passes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bilimq.core.retry import RetryPolicy
    from bilimq.core.task import Task, TaskInfo


@dataclasses.dataclass(frozen=True, slots=True)
class QueueStats:
    """Counts of a task queue at one moment.

    ``succeeded``, ``failed`` and ``cancelled`` count every task that reached
    that state since the queue was created (for Redis: since its keys were
    created), including records already dropped. ``requeue()`` moves a task
    from ``failed`` back to ``queued``.
    """

    queued: int
    running: int
    succeeded: int
    failed: int
    retrying: int
    cancelled: int
    depth: int
    """Tasks ready to pop, the same number as ``get_queue_size()``."""
    dead_letters: int
    oldest_age: float
    """Seconds the longest-waiting ready task has waited, or 0.0 when none waits."""
    closed: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as a plain dict, for logging or JSON."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, slots=True)
class Expiry:
    """A running task that a backend took back from its worker."""

    task: Task
    reason: str
    """Why: the worker thread ended, or the visibility timeout passed."""
    requeued: bool
    """True when the task is queued again, False when it used up its attempts
    and went to the dead-letter list."""


@dataclasses.dataclass(frozen=True, slots=True)
class FailResult:
    """Outcome of ``fail()`` for a running task."""

    task: Task
    retry_delay: float | None
    """Seconds until the retry, or None when the task went to the dead letters."""


ExpiryListener = Callable[[list[Expiry]], None]
"""Called by a backend, outside its lock, with the tasks it just took back."""


@runtime_checkable
class QueueBackend(Protocol):
    """Storage and state machine of a task queue.

    Every method is thread-safe and atomic. Methods that take a ``timeout``
    count real seconds; all other times (ages, backoff, visibility deadlines)
    come from the backend's clock.
    """

    maxsize: int
    retry_policy: RetryPolicy

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called on this backend object."""
        ...

    def set_expiry_listener(self, listener: ExpiryListener) -> None:
        """Register the one function that receives the tasks taken back."""
        ...

    def push(
        self,
        task: Task,
        task_id: str,
        priority: int,
        block: bool,
        timeout: float | None,
    ) -> None:
        """Store a task as ready under ``task_id``.

        ``task`` passed ``check_task()`` and has ``params``. The backend keeps
        copies of its top-level items, never the caller's dict. Raises
        DuplicateTaskError, QueueFull or QueueClosed.
        """
        ...

    def pop(self, owner: threading.Thread, timeout: float | None) -> Task | None:
        """Mark the next ready task running for ``owner`` and return it.

        Returns None on timeout, and at once when the backend is closed and no
        task is ready or waiting for a retry.
        """
        ...

    def ack(self, task_id: str) -> Task | None:
        """Mark a running task succeeded. None: ignored (cancelled or taken back)."""
        ...

    def fail(self, task_id: str, error: str, retry: bool) -> FailResult | None:
        """Schedule a retry or bury the task. None: ignored, as for ``ack``."""
        ...

    def cancel(self, task_id: str) -> bool:
        """Cancel a queued, retrying or running task; return whether it changed."""
        ...

    def requeue(self, task_id: str) -> Task:
        """Queue a dead letter again with its attempts reset to 0."""
        ...

    def touch(self, task_id: str) -> None:
        """Restart the visibility timeout of a running task."""
        ...

    def expire(self) -> int:
        """Take back the running tasks whose worker ended or whose time ran out."""
        ...

    def close(self) -> None:
        """Reject pushes from now on and let pops return None once drained."""
        ...

    def join(self, timeout: float | None) -> bool:
        """Wait until no task is queued, running or retrying."""
        ...

    def get_task(self, task_id: str) -> TaskInfo:
        """Return a snapshot of one task. Raises TaskNotFoundError."""
        ...

    def dead_letters(self) -> list[TaskInfo]:
        """Return the failed tasks that ``requeue()`` accepts, oldest first."""
        ...

    def stats(self) -> QueueStats:
        """Return the counts per state, the depth and the oldest waiting age."""
        ...

    def size(self) -> int:
        """Return how many tasks are ready to pop."""
        ...

    def oldest_task_of(self, owner: threading.Thread) -> str | None:
        """Return the id of the oldest running task that ``owner`` popped here."""
        ...


@runtime_checkable
class StoreBackend(Protocol):
    """Storage of a ``PublicStore``: values with an optional deadline.

    ``ttl`` is already validated: None or a finite number of seconds > 0.
    A key whose deadline has passed is absent for every read at once.
    """

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value``, replacing the value and the expiry of ``key``."""
        ...

    def get(self, key: str, default: Any) -> Any:
        """Return the value of ``key``, or ``default`` when it is absent."""
        ...

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it had a value that had not expired."""
        ...

    def cleanup(self) -> int:
        """Remove the expired keys and return how many were removed."""
        ...

    def size(self) -> int:
        """Return how many keys have a value that has not expired."""
        ...

    def keys(self) -> list[str]:
        """Return the keys that have not expired, in insertion order."""
        ...

    def clear(self) -> None:
        """Remove every key."""
        ...
