"""Task dicts, their states, task snapshots and new task ids."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from typing import Any

from bilimq.core.errors import InvalidTaskError

Task = dict[str, Any]
"""A task: ``{"task_id": str, "type": str, "params": dict, ...}``."""


class TaskState(enum.StrEnum):
    """State of a task in a task queue, with plain strings as values."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRYING = "retrying"
    CANCELLED = "cancelled"

    @property
    def is_finished(self) -> bool:
        """True once the task left the queue (``requeue()`` revives a failed one)."""
        return self in FINISHED_STATES


FINISHED_STATES = frozenset(
    {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED}
)
LIVE_STATES = frozenset({TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRYING})


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """Snapshot of a task's state, attempts and timestamps.

    Timestamps are readings of the queue's clock: ``time.monotonic`` for a
    ``MemoryQueue`` and ``time.time`` for a Redis queue, unless another clock
    was injected.
    """

    task_id: str
    type: str
    task: Task
    """A copy of the task dict, as ``pop_task()`` returns it."""
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
    worker: str | None = None
    """The thread that popped the task last: its name in memory, and
    ``host:pid:thread name`` on Redis."""


# The keys that a queue reads. A task's other keys are kept as they are.
_TASK_KEYS = frozenset({"type", "params", "task_id"})


def check_task(task: object) -> str:
    """Validate a pushed task and return its ``task_id``, or a new uuid4.

    The task itself is left as it is: ``queued_task()`` builds the dict with
    the defaults filled in. Raises ``InvalidTaskError``.
    """
    # One flat function, because it runs on every push: the helpers below
    # only build the error messages.
    if not isinstance(task, dict):
        raise _invalid_task(task)
    task_type = task.get("type")
    if not task_type or not isinstance(task_type, str):
        raise _invalid_type(task_type)
    params = task.get("params")
    if params is None:
        if "params" in task:
            raise _invalid_params(params)
    elif not isinstance(params, dict):
        raise _invalid_params(params)
    task_id = task.get("task_id")
    if task_id is None:
        # new_task_id() inline for its common case: an id left in the pool.
        try:
            return _id_pool.pop()
        except IndexError:
            return new_task_id()
    if not task_id or not isinstance(task_id, str):
        raise _invalid_task_id(task_id)
    return task_id


def queued_task(task: Task, task_id: str) -> Task:
    """Return a shallow copy of a checked task with its defaults filled in.

    The copy gets ``task_id`` and, when it is missing, ``params`` = ``{}``.
    """
    queued = dict(task)
    if "params" not in queued:
        queued["params"] = {}
    queued["task_id"] = task_id
    return queued


def normalize_task(task: object) -> Task:
    """Validate a task and return it as a queue hands it out.

    The result is a shallow copy with ``task_id`` and ``params`` filled in.

    Raises ``InvalidTaskError``.
    """
    task_id = check_task(task)
    assert isinstance(task, dict)
    return queued_task(task, task_id)


def extra_items(task: Task) -> dict[str, Any] | None:
    """Return the items of a task other than ``type``, ``params`` and ``task_id``."""
    extras = {key: value for key, value in task.items() if key not in _TASK_KEYS}
    return extras or None


def _invalid_task(task: object) -> InvalidTaskError:
    return InvalidTaskError(
        f"invalid task {task!r}: expected a dict such as "
        '{"type": "download", "params": {...}}'
    )


def _invalid_type(task_type: object) -> InvalidTaskError:
    return InvalidTaskError(
        f"invalid task type {task_type!r}: every task needs a non-empty str "
        'under "type", such as "download"'
    )


def _invalid_params(params: object) -> InvalidTaskError:
    return InvalidTaskError(
        f'invalid task params {params!r}: "params" must be a dict (or left '
        "out, which means {})"
    )


def _invalid_task_id(task_id: object) -> InvalidTaskError:
    return InvalidTaskError(
        f"invalid task_id {task_id!r}: it must be a non-empty str, or left out "
        "so that the queue assigns a uuid4"
    )


# Ids come from one os.urandom() call per batch, formatted like str(uuid.uuid4())
# but several times faster, because uuid.UUID() validates and converts each id
# in Python code. list.pop() and list.extend() are atomic, so threads share the
# pool without a lock, and a concurrent refill only adds more fresh ids.
_ID_BATCH = 1024
# Byte maps that set the version nibble to 4 and the variant bits to 10xx
# (RFC 4122), as uuid.uuid4() does, applied to a whole batch at once.
_VERSION_4 = bytes((byte & 0x0F) | 0x40 for byte in range(256))
_VARIANT_RFC_4122 = bytes((byte & 0x3F) | 0x80 for byte in range(256))
# Target positions of the 32 hex digits in the 36-character text of an id.
# The 4 positions left out are the dashes.
_DIGIT_POSITIONS = [n for n in range(36) if n not in (8, 13, 18, 23)]
_id_pool: list[str] = []
# A forked child must not hand out the ids left in its parent's pool.
os.register_at_fork(after_in_child=_id_pool.clear)


def new_task_id() -> str:
    """Return a new random task id in the canonical uuid4 form."""
    try:
        return _id_pool.pop()
    except IndexError:
        _refill_id_pool()
        return new_task_id()


def _refill_id_pool() -> None:
    raw = bytearray(os.urandom(16 * _ID_BATCH))
    raw[6::16] = raw[6::16].translate(_VERSION_4)
    raw[8::16] = raw[8::16].translate(_VARIANT_RFC_4122)
    digits = raw.hex().encode("ascii")
    # Lay the digits out as "<36 characters> " per id with one strided copy
    # per digit position, so that split() cuts the ids in C code: one slice
    # per id in Python costs about twice as much.
    text = bytearray(b"-" * (37 * _ID_BATCH))
    for digit, position in enumerate(_DIGIT_POSITIONS):
        text[position::37] = digits[digit::32]
    text[36::37] = b" " * _ID_BATCH
    _id_pool.extend(text.decode("ascii").split())
