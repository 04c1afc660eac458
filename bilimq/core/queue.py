"""MemoryQueue: a thread-safe priority task queue with states, retries and hooks."""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import logging
import math
import random
import threading
import time
from collections import deque
from typing import Any

from bilimq.core.errors import (
    DuplicateTaskError,
    InvalidTaskError,
    QueueClosed,
    QueueFull,
    TaskNotFoundError,
    TaskStateError,
)
from bilimq.core.hooks import Hook, HookRegistry
from bilimq.core.retry import RetryPolicy
from bilimq.core.store import Clock, PublicStore, PublicStoreMixin
from bilimq.core.task import Task, TaskInfo, TaskRecord, TaskState, normalize_task

logger = logging.getLogger("bilimq.core")

_LIVE_STATES = (TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRYING)


@dataclasses.dataclass(frozen=True, slots=True)
class QueueStats:
    """Counts of a ``MemoryQueue`` at one moment.

    ``succeeded``, ``failed`` and ``cancelled`` count every task that reached
    that state since the queue was created, including records already dropped
    from memory. ``requeue()`` moves a task from ``failed`` back to ``queued``.
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


class MemoryQueue(PublicStoreMixin):
    """Thread-safe in-process task queue with priorities, states and retries.

    Tasks are dicts with a str ``type``, a dict ``params`` and a str
    ``task_id``. A higher ``priority`` pops first, and tasks of equal priority
    pop in push order. A popped task is ``running`` until a worker calls
    ``ack()``, ``fail()`` or ``task_done()``. The queue also carries a
    ``PublicStore`` for shared values with a TTL (``set_public()`` and
    friends).

    ``clock`` measures backoff delays, ages and TTLs. The ``timeout``
    arguments of ``push_task``, ``pop_task`` and ``join`` always count real
    seconds, so a frozen test clock cannot make them wait forever.
    """

    def __init__(
        self,
        maxsize: int = 0,
        *,
        clock: Clock = time.monotonic,
        retry_policy: RetryPolicy | None = None,
        cleanup_interval: float | None = None,
        keep_finished: int = 10_000,
        max_dead_letters: int = 10_000,
        rng: random.Random | None = None,
    ) -> None:
        """Create an empty, open queue.

        Args:
            maxsize: maximum number of tasks ready to pop, or 0 for no limit.
                Tasks waiting for a retry, requeued tasks and due retries are
                admitted even when the queue is full.
            clock: time source for backoff, ages and TTLs.
            retry_policy: attempts and backoff used by ``fail(retry=True)``.
            cleanup_interval: seconds between runs of the store's background
                cleaner, which starts with ``start_cleanup()``.
            keep_finished: maximum number of succeeded or cancelled task
                records kept for ``get_task()``. Older ones are dropped.
            max_dead_letters: maximum number of failed tasks kept for
                ``dead_letters()``. Beyond it the oldest is dropped with a
                warning.
            rng: random source for the backoff jitter.
        """
        _check_count("maxsize", maxsize)
        _check_count("keep_finished", keep_finished)
        _check_count("max_dead_letters", max_dead_letters)
        self.maxsize = maxsize
        self.retry_policy = retry_policy or RetryPolicy()
        self._clock = clock
        self._rng = rng or random.Random()
        self._keep_finished = keep_finished
        self._max_dead_letters = max_dead_letters
        self.store = PublicStore(clock=clock, cleanup_interval=cleanup_interval)
        """The store behind ``set_public()`` and the other store methods."""
        self._hooks = HookRegistry()

        self._lock = threading.Lock()
        self._task_ready = threading.Condition(self._lock)
        self._space_free = threading.Condition(self._lock)
        self._all_finished = threading.Condition(self._lock)
        self._closed = False

        self._records: dict[str, TaskRecord] = {}
        self._counts: dict[TaskState, int] = dict.fromkeys(TaskState, 0)
        self._seq = itertools.count()
        # Heap entries whose seq no longer matches their record are stale:
        # cancel() and re-pushes leave them behind instead of searching the heap.
        self._ready: list[tuple[int, int, str]] = []  # (-priority, seq, id)
        self._delayed: list[tuple[float, int, str]] = []  # (run_at, seq, id)
        self._ready_since: dict[str, float] = {}  # queued ids, oldest first
        self._running: dict[str, TaskRecord] = {}  # oldest pop first
        self._finished: deque[TaskRecord] = deque()
        self._dead: dict[str, TaskRecord] = {}  # oldest failure first

    # -- producing ---------------------------------------------------------

    def push_task(
        self,
        task: Task,
        priority: int = 0,
        *,
        block: bool = True,
        timeout: float | None = None,
    ) -> str:
        """Queue a task and return its ``task_id``.

        The queue stores a shallow copy of ``task`` with ``params`` defaulting
        to ``{}`` and ``task_id`` defaulting to a new uuid4 string. When
        ``maxsize`` tasks are ready already, the call waits for room (for at
        most ``timeout`` seconds, or not at all when ``block`` is False).

        Raises:
            InvalidTaskError: the task or the priority is invalid.
            DuplicateTaskError: a task with this ``task_id`` is still live.
            QueueFull: no room was freed in time.
            QueueClosed: the queue is closed.
        """
        normalized = normalize_task(task)
        _check_priority(priority)
        deadline = _deadline(timeout)
        task_id = normalized["task_id"]
        with self._lock:
            self._check_pushable(task_id)
            self._wait_for_space(block, deadline)
            # Another producer may have pushed the same id while this one waited.
            self._check_pushable(task_id)
            # A dead letter with this id is superseded by the new task.
            self._dead.pop(task_id, None)
            now = self._clock()
            # Due retries go first so that they keep their place before this task.
            self._promote_due(now)
            record = TaskRecord(normalized, priority, created_at=now)
            self._records[task_id] = record
            self._counts[TaskState.QUEUED] += 1
            self._make_ready(record, record.created_at)
        self._hooks.fire("on_push", normalized)
        return task_id

    def requeue(self, task_id: str) -> None:
        """Queue a dead-lettered task again with its attempts reset to 0.

        A requeued task is admitted even when the queue is full.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not in the dead-letter list.
            QueueClosed: the queue is closed.
        """
        with self._lock:
            if self._closed:
                raise _closed_error("requeue a task")
            record = self._get_record(task_id)
            if self._dead.get(task_id) is not record:
                raise TaskStateError(
                    task_id, record.state, "requeue", "in the dead-letter list"
                )
            del self._dead[task_id]
            record.attempts = 0
            record.run_at = None
            record.finished_at = None
            self._transition(record, TaskState.QUEUED)
            self._make_ready(record, self._clock())
        self._hooks.fire("on_push", record.task)

    # -- consuming ---------------------------------------------------------

    def pop_task(self, timeout: float | None = None) -> Task | None:
        """Remove the next task, mark it running and return it.

        Waits for a task up to ``timeout`` seconds (forever when None) and
        returns None when the time runs out. Once the queue is closed and no
        task is ready or waiting for a retry, returns None at once, so worker
        loops end without a sentinel task.
        """
        deadline = _deadline(timeout)
        with self._lock:
            record = self._wait_for_task(deadline)
            if record is None:
                return None
            self._start(record)
        self._hooks.fire("on_start", record.task)
        return record.task

    def ack(self, task_id: str) -> None:
        """Mark a running task as succeeded.

        The call is ignored for a cancelled task, so a worker may finish a task
        that was cancelled while it ran.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not running.
        """
        with self._lock:
            record = self._get_record(task_id)
            if record.state is TaskState.CANCELLED:
                return
            self._check_running(record, "ack")
            record.last_error = None
            self._finish(record, TaskState.SUCCEEDED)
        self._hooks.fire("on_success", record.task)

    def fail(self, task_id: str, error: str, retry: bool = False) -> None:
        """Mark a running task as failed with the message ``error``.

        With ``retry=True`` and attempts left under ``retry_policy``, the task
        waits in ``retrying`` for its backoff delay and then queues behind the
        tasks of its priority that are ready at that moment. Otherwise it
        becomes ``failed`` and goes to ``dead_letters()``. The call is ignored
        for a cancelled task.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not running.
        """
        with self._lock:
            record = self._get_record(task_id)
            if record.state is TaskState.CANCELLED:
                return
            self._check_running(record, "fail")
            record.last_error = error
            if retry and self.retry_policy.allows_retry(record.attempts):
                delay = self._schedule_retry(record)
            else:
                delay = None
                self._bury(record, retry)
        if delay is None:
            self._hooks.fire("on_failure", record.task, error)
        else:
            self._hooks.fire("on_retry", record.task, error, delay)

    def task_done(self, task_id: str | None = None) -> None:
        """Acknowledge a task, for code written against ``queue.Queue``.

        With an id this is ``ack(task_id)``. Without one it acknowledges the
        oldest task that the calling thread popped and has not finished.

        Raises:
            ValueError: the calling thread has no unfinished popped task.
        """
        if task_id is None:
            task_id = self._oldest_task_of_this_thread()
        self.ack(task_id)

    def cancel(self, task_id: str) -> bool:
        """Cancel a queued, retrying or running task and return whether it changed.

        A running task keeps running in its worker, but a later ``ack()`` or
        ``fail()`` for it is ignored. A finished task is left as it is.

        Raises:
            TaskNotFoundError: no task has this id.
        """
        with self._lock:
            record = self._get_record(task_id)
            if record.state not in _LIVE_STATES:
                return False
            self._ready_since.pop(task_id, None)
            self._running.pop(task_id, None)
            self._finish(record, TaskState.CANCELLED)
            self._space_free.notify()
        return True

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Stop accepting tasks, while letting workers pop the queued ones.

        Producers waiting for room get ``QueueClosed``, and ``pop_task``
        returns None once nothing is left to pop. Calling it again does nothing.
        """
        with self._lock:
            self._closed = True
            self._task_ready.notify_all()
            self._space_free.notify_all()

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no task is queued, running or retrying.

        Return True when that happened, False when ``timeout`` seconds passed
        first.
        """
        with self._lock:
            return self._all_finished.wait_for(self._nothing_unfinished, timeout)

    # -- inspection ----------------------------------------------------------

    def get_task(self, task_id: str) -> TaskInfo:
        """Return a snapshot of the task's state, attempts and timestamps.

        Raises:
            TaskNotFoundError: no task has this id, or its record was dropped.
        """
        with self._lock:
            return self._get_record(task_id).snapshot()

    def dead_letters(self) -> list[TaskInfo]:
        """Return the failed tasks that ``requeue()`` accepts, oldest first."""
        with self._lock:
            return [record.snapshot() for record in self._dead.values()]

    def stats(self) -> QueueStats:
        """Return the number of tasks in each state, the depth and the oldest age."""
        with self._lock:
            now = self._clock()
            self._promote_due(now)
            oldest = next(iter(self._ready_since.values()), now)
            return QueueStats(
                **{state.value: count for state, count in self._counts.items()},
                depth=self._counts[TaskState.QUEUED],
                dead_letters=len(self._dead),
                oldest_age=max(0.0, now - oldest),
                closed=self._closed,
            )

    def get_queue_size(self) -> int:
        """Return how many tasks are ready to pop (retries in their delay excluded)."""
        with self._lock:
            self._promote_due(self._clock())
            return self._counts[TaskState.QUEUED]

    def is_empty(self) -> bool:
        """Return whether no task is ready to pop right now."""
        return self.get_queue_size() == 0

    # -- hooks ---------------------------------------------------------------

    def add_hook(self, name: str, fn: Hook) -> None:
        """Call ``fn`` on an event (``HOOK_NAMES`` lists the names and arguments).

        Hooks run in the thread that caused the event, after the queue's lock
        is released, so a hook may call the queue. For the same reason an
        ``on_push`` hook may run after a worker has already popped the task.
        An exception in a hook is logged on the ``bilimq.core`` logger and
        otherwise ignored.
        """
        self._hooks.add(name, fn)

    def remove_hook(self, name: str, fn: Hook) -> bool:
        """Unregister a hook and return whether it was registered."""
        return self._hooks.remove(name, fn)

    # -- internals (callers hold self._lock) ---------------------------------

    def _check_pushable(self, task_id: str) -> None:
        if self._closed:
            raise _closed_error("push a task")
        existing = self._records.get(task_id)
        if existing is not None and existing.state in _LIVE_STATES:
            raise DuplicateTaskError(task_id)

    def _wait_for_space(self, block: bool, deadline: float | None) -> None:
        while self.maxsize and self._counts[TaskState.QUEUED] >= self.maxsize:
            remaining = _remaining(deadline)
            if not block or (remaining is not None and remaining <= 0):
                raise QueueFull(
                    f"queue full: {self.maxsize} tasks are ready (maxsize). "
                    "Retry after workers pop some, or raise maxsize"
                )
            self._space_free.wait(remaining)
            if self._closed:
                raise _closed_error("push a task")

    def _wait_for_task(self, deadline: float | None) -> TaskRecord | None:
        while True:
            now = self._clock()
            self._promote_due(now)
            record = self._take_ready()
            if record is not None:
                return record
            if self._closed and not self._counts[TaskState.RETRYING]:
                return None
            wait = self._wait_time(deadline, now)
            if wait is not None and wait <= 0:
                return None
            self._task_ready.wait(wait)

    def _wait_time(self, deadline: float | None, now: float) -> float | None:
        # Wake up for the next due retry as well as for the caller's deadline.
        waits = []
        remaining = _remaining(deadline)
        if remaining is not None:
            waits.append(remaining)
        if self._delayed:
            waits.append(max(self._delayed[0][0] - now, 0.001))
        return min(waits, default=None)

    def _make_ready(self, record: TaskRecord, now: float) -> None:
        record.seq = next(self._seq)
        task_id = record.task["task_id"]
        heapq.heappush(self._ready, (-record.priority, record.seq, task_id))
        self._ready_since[task_id] = now
        self._task_ready.notify()

    def _take_ready(self) -> TaskRecord | None:
        while self._ready:
            _, seq, task_id = heapq.heappop(self._ready)
            record = self._records.get(task_id)
            if record is not None and record.seq == seq:
                if record.state is TaskState.QUEUED:
                    return record
        return None

    def _promote_due(self, now: float) -> None:
        while self._delayed and self._delayed[0][0] <= now:
            run_at, seq, task_id = heapq.heappop(self._delayed)
            record = self._records.get(task_id)
            if record is None or record.seq != seq:
                continue
            if record.state is TaskState.RETRYING:
                self._transition(record, TaskState.QUEUED)
                self._make_ready(record, run_at)

    def _start(self, record: TaskRecord) -> None:
        task_id = record.task["task_id"]
        del self._ready_since[task_id]
        self._transition(record, TaskState.RUNNING)
        record.attempts += 1
        record.started_at = self._clock()
        record.run_at = None
        record.owner = threading.get_ident()
        self._running[task_id] = record
        self._space_free.notify()

    def _schedule_retry(self, record: TaskRecord) -> float:
        delay = self.retry_policy.delay(record.attempts, self._rng)
        del self._running[record.task["task_id"]]
        self._transition(record, TaskState.RETRYING)
        record.seq = next(self._seq)
        record.run_at = self._clock() + delay
        heapq.heappush(
            self._delayed, (record.run_at, record.seq, record.task["task_id"])
        )
        # A waiting pop_task must shorten its wait to this retry's due time.
        self._task_ready.notify()
        logger.debug(
            "task %s failed attempt %d, retrying in %.3f s",
            record.task["task_id"],
            record.attempts,
            delay,
        )
        return delay

    def _bury(self, record: TaskRecord, retry_requested: bool) -> None:
        task_id = record.task["task_id"]
        self._finish(record, TaskState.FAILED)
        self._dead[task_id] = record
        if retry_requested:
            logger.warning(
                "task %s failed all %d attempts, moved to dead letters: %s",
                task_id,
                record.attempts,
                record.last_error,
            )
        if len(self._dead) > self._max_dead_letters:
            self._drop_oldest_dead_letter()

    def _drop_oldest_dead_letter(self) -> None:
        task_id, record = next(iter(self._dead.items()))
        del self._dead[task_id]
        self._forget(record)
        logger.warning(
            "dead-letter list over %d tasks, dropped the oldest: %s",
            self._max_dead_letters,
            task_id,
        )

    def _finish(self, record: TaskRecord, state: TaskState) -> None:
        self._running.pop(record.task["task_id"], None)
        self._transition(record, state)
        record.finished_at = self._clock()
        if state is not TaskState.FAILED:
            self._finished.append(record)
            while len(self._finished) > self._keep_finished:
                self._forget(self._finished.popleft())
        if self._nothing_unfinished():
            self._all_finished.notify_all()

    def _forget(self, record: TaskRecord) -> None:
        task_id = record.task["task_id"]
        # The id may belong to a newer task pushed after this one finished.
        if self._records.get(task_id) is record and record.state.is_finished:
            if self._dead.get(task_id) is not record:
                del self._records[task_id]

    def _transition(self, record: TaskRecord, state: TaskState) -> None:
        self._counts[record.state] -= 1
        self._counts[state] += 1
        record.state = state

    def _nothing_unfinished(self) -> bool:
        return not any(self._counts[state] for state in _LIVE_STATES)

    def _get_record(self, task_id: str) -> TaskRecord:
        record = self._records.get(task_id)
        if record is None:
            raise TaskNotFoundError(task_id)
        return record

    @staticmethod
    def _check_running(record: TaskRecord, action: str) -> None:
        if record.state is not TaskState.RUNNING:
            task_id = record.task["task_id"]
            raise TaskStateError(task_id, record.state, action, "running")

    def _oldest_task_of_this_thread(self) -> str:
        me = threading.get_ident()
        with self._lock:
            for task_id, record in self._running.items():
                if record.owner == me:
                    return task_id
        raise ValueError(
            "task_done() called with no unfinished task popped by this thread. "
            "Call it once per pop_task(), or pass the task_id"
        )


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"invalid {name} {value!r}: it must be an int >= 0")


def _check_priority(priority: int) -> None:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidTaskError(
            f"invalid priority {priority!r}: it must be an int (higher pops first)"
        )


def _deadline(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if math.isnan(timeout) or timeout < 0:
        raise ValueError(f"invalid timeout {timeout!r}: it must be >= 0 or None")
    return time.monotonic() + timeout


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def _closed_error(action: str) -> QueueClosed:
    return QueueClosed(f"cannot {action}: the queue is closed (close() was called)")
