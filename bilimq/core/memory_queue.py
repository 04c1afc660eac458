"""MemoryQueueBackend: the in-process ``QueueBackend``, one lock and plain containers.

Ready tasks wait in one deque per priority, so push and pop cost O(1) for a
known priority, plus O(log p) for a heap of the p priorities in use. Entries
of cancelled tasks stay in their deque and are skipped when they reach the
front. Retries wait in a heap of due times, visibility deadlines in another.
push, pop and ack are written flat, with the rare cases in helpers, because
they run once per task.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections import deque

from bilimq.core.backend import Expiry, ExpiryListener, FailResult, QueueStats
from bilimq.core.checks import (
    check_count,
    check_visibility_timeout,
    closed_error,
    deadline_after,
    queue_full_error,
    remaining,
)
from bilimq.core.errors import (
    DuplicateTaskError,
    TaskNotFoundError,
    TaskStateError,
)
from bilimq.core.retry import RetryPolicy
from bilimq.core.store import Clock
from bilimq.core.task import FINISHED_STATES, LIVE_STATES, Task, TaskInfo, TaskState

logger = logging.getLogger("bilimq.core")

_QUEUED = TaskState.QUEUED
_RUNNING = TaskState.RUNNING
_SUCCEEDED = TaskState.SUCCEEDED
_FAILED = TaskState.FAILED
_RETRYING = TaskState.RETRYING
_CANCELLED = TaskState.CANCELLED

_new_record = object.__new__

# Shared empty list for the common pop that takes nothing back, which saves
# allocating one list per pop. It is never appended to.
_NO_EXPIRIES: list[Expiry] = []

OWNER_CHECK_INTERVAL = 0.5
"""Real seconds a waiting pop sleeps at most while tasks run, so that it wakes
up to look for ended worker threads.

A pop that finds no ready task looks for them at once, unless a pop did so in
the last ``OWNER_SCAN_GAP`` seconds: under contention consumers often find
the queue empty, and each scan calls ``Thread.is_alive()`` for every owner.
``expire()`` (and so the cleaner thread) scans on every call.
"""

OWNER_SCAN_GAP = 0.05
"""Real seconds between two scans for ended worker threads by empty pops."""


class _Record:
    """Mutable bookkeeping for one task, guarded by the backend's lock.

    Only ``MemoryQueueBackend.push`` creates records. It sets every field
    itself, because calling an ``__init__`` method would double the cost of
    creating a record (measured on CPython 3.11).
    """

    __slots__ = (
        "task",
        "priority",
        "state",
        "attempts",
        "created_at",
        "ready_at",
        "started_at",
        "finished_at",
        "run_at",
        "last_error",
        "owner",
        "deadline",
        "taken_back",
    )

    task: Task
    priority: int
    state: TaskState
    attempts: int
    created_at: float
    ready_at: float
    started_at: float | None
    finished_at: float | None
    run_at: float | None
    last_error: str | None
    owner: threading.Thread | None
    deadline: float | None
    taken_back: bool
    """True from the moment the task was taken back from its worker until the
    next pop, so that the late ack() or fail() of that worker is ignored
    instead of raising."""

    def snapshot(self) -> TaskInfo:
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
            worker=None if self.owner is None else self.owner.name,
        )


class MemoryQueueBackend:
    """``QueueBackend`` whose tasks live in this process only."""

    def __init__(
        self,
        maxsize: int = 0,
        *,
        clock: Clock = time.monotonic,
        retry_policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        keep_finished: int = 10_000,
        max_dead_letters: int = 10_000,
        visibility_timeout: float | None = None,
    ) -> None:
        """Create an empty, open backend (see ``MemoryQueue`` for the arguments)."""
        check_count("maxsize", maxsize)
        check_count("keep_finished", keep_finished)
        check_count("max_dead_letters", max_dead_letters)
        check_visibility_timeout(visibility_timeout)
        self.maxsize = maxsize
        self.retry_policy = retry_policy or RetryPolicy()
        self.visibility_timeout = visibility_timeout
        self._clock = clock
        self._rng = rng or random.Random()
        self._keep_finished = keep_finished
        self._max_dead_letters = max_dead_letters
        self._listener: ExpiryListener | None = None

        self._lock = threading.Lock()
        self._task_ready = threading.Condition(self._lock)
        self._space_free = threading.Condition(self._lock)
        self._all_finished = threading.Condition(self._lock)
        # Waiter counts let the hot paths skip Condition.notify(), which costs
        # a lock probe even when no thread waits.
        self._pop_waiters = 0
        self._push_waiters = 0
        self._join_waiters = 0
        self._closed = False

        self._records: dict[str, _Record] = {}
        self._counts: dict[TaskState, int] = dict.fromkeys(TaskState, 0)
        self._buckets: dict[int, deque[_Record]] = {}
        self._priorities: list[int] = []  # heap of -priority, one per bucket
        self._tiebreak = itertools.count()
        self._delayed: list[tuple[float, int, _Record]] = []  # (run_at, n, record)
        self._deadlines: list[tuple[float, int, _Record]] = []  # visibility
        # Oldest pop first. The owners of these records are the only threads
        # whose end matters, so no other list of worker threads is kept.
        self._running: dict[str, _Record] = {}
        self._next_orphan_scan = 0.0  # time.monotonic() reading
        self._finished: deque[_Record] = deque()
        self._dead: dict[str, _Record] = {}  # oldest failure first

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def set_expiry_listener(self, listener: ExpiryListener) -> None:
        """Register the function that receives the tasks taken back."""
        self._listener = listener

    # -- producing -------------------------------------------------------------

    def push(
        self, task: Task, priority: int, block: bool, timeout: float | None
    ) -> None:
        """Store a validated task as ready, waiting for room when full."""
        task_id = task["task_id"]
        taken_back = None
        with self._lock:
            existing = self._records.get(task_id)
            if (
                self._closed
                or (existing is not None and existing.state in LIVE_STATES)
                or (self.maxsize and self._counts[_QUEUED] >= self.maxsize)
            ):
                self._make_room(task_id, block, timeout)
            if self._dead:
                # A dead letter with this id is superseded by the new task.
                self._dead.pop(task_id, None)
            now = self._clock()
            # Due retries and timed-out tasks go first, so that they keep
            # their place before this task.
            if (self._delayed and self._delayed[0][0] <= now) or (
                self._deadlines and self._deadlines[0][0] <= now
            ):
                taken_back = []
                self._promote_due(now)
                self._collect_timed_out(now, taken_back)
            record = _new_record(_Record)
            record.task = task
            record.priority = priority
            record.state = _QUEUED
            record.attempts = 0
            record.created_at = now
            record.ready_at = now
            record.started_at = None
            record.finished_at = None
            record.run_at = None
            record.last_error = None
            record.owner = None
            record.deadline = None
            record.taken_back = False
            self._records[task_id] = record
            self._counts[_QUEUED] += 1
            bucket = self._buckets.get(priority)
            if bucket is None:
                self._append_ready(record)
            else:
                bucket.append(record)
                if self._pop_waiters:
                    self._task_ready.notify()
        if taken_back:
            self._report(taken_back)

    def requeue(self, task_id: str) -> Task:
        """Queue a dead letter again with its attempts reset to 0."""
        with self._lock:
            if self._closed:
                raise closed_error("requeue a task")
            record = self._get_record(task_id)
            if self._dead.get(task_id) is not record:
                raise TaskStateError(
                    task_id, record.state, "requeue", "in the dead-letter list"
                )
            del self._dead[task_id]
            now = self._clock()
            self._promote_due(now)
            record.attempts = 0
            record.run_at = None
            record.finished_at = None
            record.taken_back = False
            record.ready_at = now
            self._transition(record, _QUEUED)
            self._append_ready(record)
        return record.task

    # -- consuming -------------------------------------------------------------

    def pop(self, owner: threading.Thread, timeout: float | None) -> Task | None:
        """Mark the next ready task running for ``owner`` and return it."""
        taken_back: list[Expiry] = _NO_EXPIRIES
        with self._lock:
            now = self._clock()
            if (self._delayed and self._delayed[0][0] <= now) or (
                self._deadlines and self._deadlines[0][0] <= now
            ):
                taken_back = []
                self._housekeep(now, taken_back)
            record = None
            if self._priorities:
                # The common case inline: the first task of the top bucket.
                bucket = self._buckets[-self._priorities[0]]
                if bucket:
                    record = bucket.popleft()
            if record is None or record.state is not _QUEUED:
                record = self._take_ready()
                if record is None:
                    if taken_back is _NO_EXPIRIES:
                        taken_back = []
                    record = self._wait_for_task(timeout, taken_back)
                    now = self._clock()
            if record is not None:
                # Mark it running; inline because it happens for every task.
                counts = self._counts
                counts[_QUEUED] -= 1
                counts[_RUNNING] += 1
                record.state = _RUNNING
                record.attempts += 1
                record.started_at = now
                record.owner = owner
                if record.run_at is not None:
                    record.run_at = None
                if record.taken_back:
                    record.taken_back = False
                self._running[record.task["task_id"]] = record
                if self.visibility_timeout is not None:
                    self._set_deadline(record, now)
                if self._push_waiters:
                    self._space_free.notify()
        if taken_back:
            self._report(taken_back)
        return None if record is None else record.task

    def ack(self, task_id: str) -> Task | None:
        """Mark a running task succeeded, or ignore a cancelled or taken-back one."""
        with self._lock:
            record = self._records.get(task_id)
            if record is None or record.state is not _RUNNING:
                return self._handle_not_running(task_id, record, "ack")
            # _release() and _finish() inline, because every task passes here.
            del self._running[task_id]
            counts = self._counts
            counts[_RUNNING] -= 1
            counts[_SUCCEEDED] += 1
            record.state = _SUCCEEDED
            record.finished_at = self._clock()
            if record.last_error is not None:
                record.last_error = None
            finished = self._finished
            finished.append(record)
            if len(finished) > self._keep_finished:
                self._forget(finished.popleft())
            if self._join_waiters and self._nothing_unfinished():
                self._all_finished.notify_all()
        return record.task

    def fail(self, task_id: str, error: str, retry: bool) -> FailResult | None:
        """Schedule a retry with backoff, or move the task to the dead letters."""
        with self._lock:
            record = self._records.get(task_id)
            if record is None or record.state is not _RUNNING:
                return self._handle_not_running(task_id, record, "fail")
            self._release(record)
            record.last_error = error
            if retry and self.retry_policy.allows_retry(record.attempts):
                delay: float | None = self._schedule_retry(record)
            else:
                delay = None
                self._bury(record, retry)
        return FailResult(record.task, delay)

    def cancel(self, task_id: str) -> bool:
        """Cancel a queued, retrying or running task."""
        with self._lock:
            record = self._get_record(task_id)
            state = record.state
            if state not in LIVE_STATES:
                return False
            if state is _RUNNING:
                self._release(record)
            self._finish(record, _CANCELLED)
            if state is _QUEUED and self._push_waiters:
                self._space_free.notify()
        return True

    def touch(self, task_id: str) -> None:
        """Restart the visibility timeout of a running task."""
        with self._lock:
            record = self._get_record(task_id)
            if record.state is not _RUNNING:
                raise TaskStateError(task_id, record.state, "touch", "running")
            if self.visibility_timeout is not None:
                self._set_deadline(record, self._clock())

    def expire(self) -> int:
        """Take back the tasks of ended threads and of passed visibility deadlines."""
        taken_back: list[Expiry] = []
        with self._lock:
            now = self._clock()
            # Due retries first, so that each bucket stays in ready_at order.
            self._promote_due(now)
            self._collect_timed_out(now, taken_back)
            self._collect_orphans(now, taken_back)
        if taken_back:
            self._report(taken_back)
        return len(taken_back)

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Reject pushes and wake every waiting producer and consumer."""
        with self._lock:
            self._closed = True
            self._task_ready.notify_all()
            self._space_free.notify_all()

    def join(self, timeout: float | None) -> bool:
        """Wait until no task is queued, running or retrying."""
        with self._lock:
            self._join_waiters += 1
            try:
                return self._all_finished.wait_for(self._nothing_unfinished, timeout)
            finally:
                self._join_waiters -= 1

    # -- inspection ------------------------------------------------------------

    def get_task(self, task_id: str) -> TaskInfo:
        """Return a snapshot of one task."""
        with self._lock:
            return self._get_record(task_id).snapshot()

    def dead_letters(self) -> list[TaskInfo]:
        """Return the dead letters, oldest failure first."""
        with self._lock:
            return [record.snapshot() for record in self._dead.values()]

    def stats(self) -> QueueStats:
        """Return the counts per state, the depth and the oldest waiting age."""
        with self._lock:
            now = self._clock()
            self._promote_due(now)
            oldest = self._oldest_ready_at()
            counts = self._counts
            return QueueStats(
                queued=counts[_QUEUED],
                running=counts[_RUNNING],
                succeeded=counts[_SUCCEEDED],
                failed=counts[_FAILED],
                retrying=counts[_RETRYING],
                cancelled=counts[_CANCELLED],
                depth=counts[_QUEUED],
                dead_letters=len(self._dead),
                oldest_age=0.0 if oldest is None else max(0.0, now - oldest),
                closed=self._closed,
            )

    def size(self) -> int:
        """Return how many tasks are ready to pop."""
        with self._lock:
            self._promote_due(self._clock())
            return self._counts[_QUEUED]

    def oldest_task_of(self, owner: threading.Thread) -> str | None:
        """Return the id of the oldest running task that ``owner`` popped."""
        with self._lock:
            for task_id, record in self._running.items():
                if record.owner is owner:
                    return task_id
        return None

    # -- internals (callers hold self._lock) -----------------------------------

    def _make_room(self, task_id: str, block: bool, timeout: float | None) -> None:
        """Raise unless a push of ``task_id`` may go ahead, waiting for room."""
        self._check_pushable(task_id)
        if self.maxsize and self._counts[_QUEUED] >= self.maxsize:
            self._wait_for_space(block, deadline_after(timeout))
            # Another producer may have pushed the same id meanwhile.
            self._check_pushable(task_id)

    def _check_pushable(self, task_id: str) -> None:
        if self._closed:
            raise closed_error("push a task")
        existing = self._records.get(task_id)
        if existing is not None and existing.state in LIVE_STATES:
            raise DuplicateTaskError(task_id)

    def _wait_for_space(self, block: bool, deadline: float | None) -> None:
        while self.maxsize and self._counts[_QUEUED] >= self.maxsize:
            left = remaining(deadline)
            if not block or (left is not None and left <= 0):
                raise queue_full_error(self.maxsize)
            self._push_waiters += 1
            try:
                self._space_free.wait(left)
            finally:
                self._push_waiters -= 1
            if self._closed:
                raise closed_error("push a task")

    def _append_ready(self, record: _Record) -> None:
        bucket = self._buckets.get(record.priority)
        if bucket is None:
            bucket = self._buckets[record.priority] = deque()
            heapq.heappush(self._priorities, -record.priority)
        bucket.append(record)
        if self._pop_waiters:
            self._task_ready.notify()

    def _take_ready(self) -> _Record | None:
        priorities = self._priorities
        while priorities:
            priority = -priorities[0]
            bucket = self._buckets[priority]
            while bucket:
                record = bucket.popleft()
                if record.state is _QUEUED:
                    return record
            del self._buckets[priority]
            heapq.heappop(priorities)
        return None

    def _housekeep(self, now: float, taken_back: list[Expiry]) -> None:
        """Promote due retries and take back timed-out tasks."""
        self._promote_due(now)
        self._collect_timed_out(now, taken_back)

    def _wait_for_task(
        self, timeout: float | None, taken_back: list[Expiry]
    ) -> _Record | None:
        """Wait for a ready task; None once closed and drained, or on timeout."""
        deadline = deadline_after(timeout)
        while True:
            now = self._clock()
            self._housekeep(now, taken_back)
            record = self._take_ready()
            # Nothing is ready: a task of an ended worker may be the only one.
            if (
                record is None
                and self._running
                and time.monotonic() >= self._next_orphan_scan
            ):
                self._next_orphan_scan = time.monotonic() + OWNER_SCAN_GAP
                if self._collect_orphans(now, taken_back):
                    record = self._take_ready()
            if record is not None:
                return record
            if self._closed and not self._counts[_RETRYING]:
                return None
            wait = self._wait_time(deadline)
            if wait is not None and wait <= 0:
                return None
            self._pop_waiters += 1
            try:
                self._task_ready.wait(wait)
            finally:
                self._pop_waiters -= 1

    def _wait_time(self, deadline: float | None) -> float | None:
        # Wake up for the next due retry, visibility deadline and orphan scan
        # as well as for the caller's deadline.
        now = self._clock()
        waits = []
        left = remaining(deadline)
        if left is not None:
            waits.append(left)
        if self._delayed:
            waits.append(max(self._delayed[0][0] - now, 0.001))
        if self._deadlines:
            waits.append(max(self._deadlines[0][0] - now, 0.001))
        if self._running:
            waits.append(OWNER_CHECK_INTERVAL)
        return min(waits, default=None)

    def _set_deadline(self, record: _Record, now: float) -> None:
        assert self.visibility_timeout is not None
        record.deadline = now + self.visibility_timeout
        entry = (record.deadline, next(self._tiebreak), record)
        heapq.heappush(self._deadlines, entry)

    def _release(self, record: _Record) -> None:
        """Forget the worker of a running task that is about to change state."""
        del self._running[record.task["task_id"]]

    def _handle_not_running(
        self, task_id: str, record: _Record | None, action: str
    ) -> None:
        """Ignore an ack or fail of a cancelled or taken-back task, else raise."""
        if record is None:
            raise TaskNotFoundError(task_id)
        if record.state is _CANCELLED:
            return None
        if record.taken_back:
            logger.warning(
                "ignored %s of task %s: it was taken back from its worker (%s)",
                action,
                task_id,
                record.last_error,
            )
            return None
        raise TaskStateError(task_id, record.state, action, "running")

    def _schedule_retry(self, record: _Record) -> float:
        delay = self.retry_policy.delay(record.attempts, self._rng)
        self._transition(record, _RETRYING)
        record.run_at = self._clock() + delay
        entry = (record.run_at, next(self._tiebreak), record)
        heapq.heappush(self._delayed, entry)
        if self._pop_waiters:
            # A waiting pop must shorten its wait to this retry's due time.
            self._task_ready.notify()
        logger.debug(
            "task %s failed attempt %d, retrying in %.3f s",
            record.task["task_id"],
            record.attempts,
            delay,
        )
        return delay

    def _promote_due(self, now: float) -> None:
        delayed = self._delayed
        while delayed and delayed[0][0] <= now:
            run_at, _, record = heapq.heappop(delayed)
            # A retry cancelled while it waited leaves its entry behind.
            if record.state is _RETRYING:
                self._transition(record, _QUEUED)
                record.ready_at = run_at
                self._append_ready(record)

    def _collect_timed_out(self, now: float, taken_back: list[Expiry]) -> None:
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            deadline, _, record = heapq.heappop(deadlines)
            # touch() and a new pop leave older entries behind.
            if record.state is _RUNNING and record.deadline == deadline:
                reason = f"visibility timeout of {self.visibility_timeout:g} s passed"
                taken_back.append(self._take_back(record, reason, now))

    def _collect_orphans(self, now: float, taken_back: list[Expiry]) -> int:
        owners = {record.owner for record in self._running.values()}
        ended = {thread for thread in owners if not thread.is_alive()}
        if not ended:
            return 0
        orphans = [r for r in self._running.values() if r.owner in ended]
        for record in orphans:
            assert record.owner is not None
            reason = f"worker thread {record.owner.name!r} ended before ack() or fail()"
            taken_back.append(self._take_back(record, reason, now))
        return len(orphans)

    def _take_back(self, record: _Record, reason: str, now: float) -> Expiry:
        self._release(record)
        record.last_error = reason
        record.taken_back = True
        requeued = self.retry_policy.allows_retry(record.attempts)
        if requeued:
            self._transition(record, _QUEUED)
            record.ready_at = now
            self._append_ready(record)
        else:
            self._bury(record, retry_requested=True)
        logger.warning(
            "task %s taken back from its worker (%s), %s",
            record.task["task_id"],
            reason,
            "queued again" if requeued else "moved to dead letters",
        )
        return Expiry(record.task, reason, requeued)

    def _bury(self, record: _Record, retry_requested: bool) -> None:
        task_id = record.task["task_id"]
        self._finish(record, _FAILED)
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

    def _finish(self, record: _Record, state: TaskState) -> None:
        counts = self._counts
        counts[record.state] -= 1
        counts[state] += 1
        record.state = state
        record.finished_at = self._clock()
        if state is not _FAILED:
            finished = self._finished
            finished.append(record)
            if len(finished) > self._keep_finished:
                self._forget(finished.popleft())
        if self._join_waiters and self._nothing_unfinished():
            self._all_finished.notify_all()

    def _forget(self, record: _Record) -> None:
        task_id = record.task["task_id"]
        # The id may belong to a newer task pushed after this one finished,
        # and a dead letter stays until it is requeued or dropped.
        if self._records.get(task_id) is record and record.state in FINISHED_STATES:
            if not self._dead or self._dead.get(task_id) is not record:
                del self._records[task_id]

    def _transition(self, record: _Record, state: TaskState) -> None:
        self._counts[record.state] -= 1
        self._counts[state] += 1
        record.state = state

    def _nothing_unfinished(self) -> bool:
        counts = self._counts
        return not (counts[_QUEUED] or counts[_RUNNING] or counts[_RETRYING])

    def _oldest_ready_at(self) -> float | None:
        # Each bucket is in ready_at order, so only the first live entry of
        # each counts. Dead entries at the front are dropped on the way.
        oldest = None
        for bucket in self._buckets.values():
            while bucket and bucket[0].state is not _QUEUED:
                bucket.popleft()
            if bucket and (oldest is None or bucket[0].ready_at < oldest):
                oldest = bucket[0].ready_at
        return oldest

    def _get_record(self, task_id: str) -> _Record:
        record = self._records.get(task_id)
        if record is None:
            raise TaskNotFoundError(task_id)
        return record

    def _report(self, taken_back: list[Expiry]) -> None:
        listener = self._listener
        if taken_back and listener is not None:
            listener(taken_back)
