"""MemoryQueueBackend: the in-process ``QueueBackend``, one lock and plain containers.

Tasks live in ``TaskRows``, one row per task. Ready tasks wait in one deque
of row handles per priority, so push and pop cost O(1) for a known priority,
plus O(log p) for a heap of the p priorities in use. Entries of cancelled
tasks stay in their deque and are skipped when they reach the front. Retries
wait in a heap of due times, visibility deadlines in another. push, pop and
ack are written flat, with the rare cases in helpers, because they run once
per task.
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
from bilimq.core.task import LIVE_STATES, Task, TaskInfo, TaskState, extra_items
from bilimq.core.task_rows import SLOT_MASK, TaskRows

logger = logging.getLogger("bilimq.core")

_QUEUED = TaskState.QUEUED
_RUNNING = TaskState.RUNNING
_SUCCEEDED = TaskState.SUCCEEDED
_FAILED = TaskState.FAILED
_RETRYING = TaskState.RETRYING
_CANCELLED = TaskState.CANCELLED

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

        self._rows = TaskRows()
        self._slots: dict[str, int] = {}  # task id -> slot of its newest task
        # Tasks per state; running tasks are counted by len(self._running).
        self._counts: dict[TaskState, int] = dict.fromkeys(TaskState, 0)
        self._buckets: dict[int, deque[int]] = {}  # priority -> handles
        self._priorities: list[int] = []  # heap of -priority, one per bucket
        self._tiebreak = itertools.count()
        self._delayed: list[tuple[float, int, int]] = []  # (run_at, n, handle)
        self._deadlines: list[tuple[float, int, int]] = []  # visibility
        # Task id -> slot, oldest pop first. The owners of these tasks are the
        # only threads whose end matters, so no other list of workers is kept.
        self._running: dict[str, int] = {}
        self._next_orphan_scan = 0.0  # time.monotonic() reading
        self._finished: deque[int] = deque()  # slots, oldest first
        self._dead: dict[str, int] = {}  # task id -> slot, oldest failure first

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def set_expiry_listener(self, listener: ExpiryListener) -> None:
        """Register the function that receives the tasks taken back."""
        self._listener = listener

    # -- producing -------------------------------------------------------------

    def push(
        self,
        task: Task,
        task_id: str,
        priority: int,
        block: bool,
        timeout: float | None,
    ) -> None:
        """Store a checked task as ready, waiting for room when full."""
        task_type = task["type"]
        params = task["params"]
        # Most tasks have only type and params, and then len() is enough.
        extras = None if len(task) == 2 else extra_items(task)
        taken_back = None
        # acquire() and release() instead of a with block in push, pop and
        # ack: on CPython 3.11 that cuts the cost of the lock by more than
        # half (63 ns instead of 150 ns, measured with timeit).
        self._lock.acquire()
        try:
            rows = self._rows
            existing = self._slots.get(task_id)
            if (
                self._closed
                or (existing is not None and rows.state[existing] in LIVE_STATES)
                or (self.maxsize and self._counts[_QUEUED] >= self.maxsize)
            ):
                self._make_room(task_id, block, timeout)
            if self._dead:
                self._drop_superseded(task_id)
            now = self._clock()
            # Due retries and timed-out tasks go first, so that they keep
            # their place before this task.
            if (self._delayed and self._delayed[0][0] <= now) or (
                self._deadlines and self._deadlines[0][0] <= now
            ):
                taken_back = []
                self._promote_due(now)
                self._collect_timed_out(now, taken_back)
            free = rows.free
            if not free:
                rows.grow()
            slot = free.pop()
            rows.task_id[slot] = task_id
            rows.type[slot] = task_type
            rows.params[slot] = params
            if extras is not None:
                rows.extras[slot] = extras
            if priority:
                rows.priority[slot] = priority
            rows.state[slot] = _QUEUED
            rows.created_at[slot] = now
            rows.ready_at[slot] = now
            self._slots[task_id] = slot
            self._counts[_QUEUED] += 1
            bucket = self._buckets.get(priority)
            if bucket is None:
                self._append_ready(slot)
            else:
                bucket.append(rows.handle[slot])
                if self._pop_waiters:
                    self._task_ready.notify()
        finally:
            self._lock.release()
        if taken_back:
            self._report(taken_back)

    def requeue(self, task_id: str) -> Task:
        """Queue a dead letter again with its attempts reset to 0."""
        with self._lock:
            if self._closed:
                raise closed_error("requeue a task")
            slot = self._get_slot(task_id)
            rows = self._rows
            if self._dead.get(task_id) != slot:
                raise TaskStateError(
                    task_id, rows.state[slot], "requeue", "in the dead-letter list"
                )
            del self._dead[task_id]
            now = self._clock()
            self._promote_due(now)
            rows.attempts[slot] = 0
            rows.run_at[slot] = None
            rows.finished_at[slot] = None
            rows.taken_back[slot] = False
            rows.ready_at[slot] = now
            self._transition(slot, _QUEUED)
            self._append_ready(slot)
            return rows.task(slot)

    # -- consuming -------------------------------------------------------------

    def pop(self, owner: threading.Thread, timeout: float | None) -> Task | None:
        """Mark the next ready task running for ``owner`` and return it."""
        taken_back: list[Expiry] = _NO_EXPIRIES
        task = None
        self._lock.acquire()
        try:
            now = self._clock()
            if (self._delayed and self._delayed[0][0] <= now) or (
                self._deadlines and self._deadlines[0][0] <= now
            ):
                taken_back = []
                self._housekeep(now, taken_back)
            rows = self._rows
            slot = None
            if self._priorities:
                # The common case inline: the first task of the top bucket.
                bucket = self._buckets[-self._priorities[0]]
                if bucket:
                    handle = bucket.popleft()
                    slot = handle & SLOT_MASK
                    if rows.handle[slot] != handle or rows.state[slot] is not _QUEUED:
                        slot = None
            if slot is None:
                slot = self._take_ready()
                if slot is None:
                    if taken_back is _NO_EXPIRIES:
                        taken_back = []
                    slot = self._wait_for_task(timeout, taken_back)
                    now = self._clock()
            if slot is not None:
                # Mark it running; inline because it happens for every task.
                self._counts[_QUEUED] -= 1
                rows.state[slot] = _RUNNING
                attempts = rows.attempts[slot]
                if attempts:
                    # Popped before: clear what a retry or a take-back left.
                    rows.run_at[slot] = None
                    rows.taken_back[slot] = False
                rows.attempts[slot] = attempts + 1
                rows.started_at[slot] = now
                rows.owner[slot] = owner
                task_id = rows.task_id[slot]
                self._running[task_id] = slot
                if self.visibility_timeout is not None:
                    self._set_deadline(slot, now)
                if self._push_waiters:
                    self._space_free.notify()
                # rows.task() inline, for the same reason.
                task = {
                    "type": rows.type[slot],
                    "params": rows.params[slot],
                    "task_id": task_id,
                }
                extras = rows.extras[slot]
                if extras is not None:
                    task.update(extras)
        finally:
            self._lock.release()
        if taken_back:
            self._report(taken_back)
        return task

    def ack(self, task_id: str) -> Task | None:
        """Mark a running task succeeded, or ignore a cancelled or taken-back one."""
        self._lock.acquire()
        try:
            slot = self._slots.get(task_id)
            rows = self._rows
            if slot is None or rows.state[slot] is not _RUNNING:
                return self._handle_not_running(task_id, slot, "ack")
            task = rows.task(slot)
            # _release() and _finish() inline, because every task passes here.
            del self._running[task_id]
            self._counts[_SUCCEEDED] += 1
            rows.state[slot] = _SUCCEEDED
            rows.finished_at[slot] = self._clock()
            if rows.last_error[slot] is not None:
                rows.last_error[slot] = None
            finished = self._finished
            finished.append(slot)
            if len(finished) > self._keep_finished:
                self._forget(finished.popleft())
            if self._join_waiters and self._nothing_unfinished():
                self._all_finished.notify_all()
        finally:
            self._lock.release()
        return task

    def fail(self, task_id: str, error: str, retry: bool) -> FailResult | None:
        """Schedule a retry with backoff, or move the task to the dead letters."""
        with self._lock:
            slot = self._slots.get(task_id)
            rows = self._rows
            if slot is None or rows.state[slot] is not _RUNNING:
                return self._handle_not_running(task_id, slot, "fail")
            task = rows.task(slot)
            self._release(slot)
            rows.last_error[slot] = error
            if retry and self.retry_policy.allows_retry(rows.attempts[slot]):
                delay: float | None = self._schedule_retry(slot)
            else:
                delay = None
                self._bury(slot, retry)
        return FailResult(task, delay)

    def cancel(self, task_id: str) -> bool:
        """Cancel a queued, retrying or running task."""
        with self._lock:
            slot = self._get_slot(task_id)
            state = self._rows.state[slot]
            if state not in LIVE_STATES:
                return False
            if state is _RUNNING:
                self._release(slot)
            self._finish(slot, _CANCELLED)
            if state is _QUEUED and self._push_waiters:
                self._space_free.notify()
        return True

    def touch(self, task_id: str) -> None:
        """Restart the visibility timeout of a running task."""
        with self._lock:
            slot = self._get_slot(task_id)
            state = self._rows.state[slot]
            if state is not _RUNNING:
                raise TaskStateError(task_id, state, "touch", "running")
            if self.visibility_timeout is not None:
                self._set_deadline(slot, self._clock())

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
            return self._rows.snapshot(self._get_slot(task_id))

    def dead_letters(self) -> list[TaskInfo]:
        """Return the dead letters, oldest failure first."""
        with self._lock:
            return [self._rows.snapshot(slot) for slot in self._dead.values()]

    def stats(self) -> QueueStats:
        """Return the counts per state, the depth and the oldest waiting age."""
        with self._lock:
            now = self._clock()
            self._promote_due(now)
            oldest = self._oldest_ready_at()
            counts = self._counts
            return QueueStats(
                queued=counts[_QUEUED],
                running=len(self._running),
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
            owners = self._rows.owner
            for task_id, slot in self._running.items():
                if owners[slot] is owner:
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
        existing = self._slots.get(task_id)
        if existing is not None and self._rows.state[existing] in LIVE_STATES:
            raise DuplicateTaskError(task_id)

    def _drop_superseded(self, task_id: str) -> None:
        """Forget the dead letter of ``task_id``, which a new task replaces."""
        slot = self._dead.pop(task_id, None)
        if slot is not None:
            self._forget(slot)

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

    def _append_ready(self, slot: int) -> None:
        rows = self._rows
        priority = rows.priority[slot]
        bucket = self._buckets.get(priority)
        if bucket is None:
            bucket = self._buckets[priority] = deque()
            heapq.heappush(self._priorities, -priority)
        bucket.append(rows.handle[slot])
        if self._pop_waiters:
            self._task_ready.notify()

    def _take_ready(self) -> int | None:
        """Remove the next queued task from the buckets and return its slot."""
        priorities = self._priorities
        is_current = self._rows.is_current
        while priorities:
            priority = -priorities[0]
            bucket = self._buckets[priority]
            while bucket:
                handle = bucket.popleft()
                if is_current(handle, _QUEUED):
                    return handle & SLOT_MASK
            del self._buckets[priority]
            heapq.heappop(priorities)
        return None

    def _housekeep(self, now: float, taken_back: list[Expiry]) -> None:
        """Promote due retries and take back timed-out tasks."""
        self._promote_due(now)
        self._collect_timed_out(now, taken_back)

    def _wait_for_task(
        self, timeout: float | None, taken_back: list[Expiry]
    ) -> int | None:
        """Wait for a ready task; None once closed and drained, or on timeout."""
        deadline = deadline_after(timeout)
        while True:
            now = self._clock()
            self._housekeep(now, taken_back)
            slot = self._take_ready()
            # Nothing is ready: a task of an ended worker may be the only one.
            if (
                slot is None
                and self._running
                and time.monotonic() >= self._next_orphan_scan
            ):
                self._next_orphan_scan = time.monotonic() + OWNER_SCAN_GAP
                if self._collect_orphans(now, taken_back):
                    slot = self._take_ready()
            if slot is not None:
                return slot
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

    def _set_deadline(self, slot: int, now: float) -> None:
        assert self.visibility_timeout is not None
        rows = self._rows
        deadline = rows.deadline[slot] = now + self.visibility_timeout
        entry = (deadline, next(self._tiebreak), rows.handle[slot])
        heapq.heappush(self._deadlines, entry)

    def _release(self, slot: int) -> None:
        """Forget the worker of a running task that is about to change state."""
        del self._running[self._rows.task_id[slot]]

    def _handle_not_running(self, task_id: str, slot: int | None, action: str) -> None:
        """Ignore an ack or fail of a cancelled or taken-back task, else raise."""
        if slot is None:
            raise TaskNotFoundError(task_id)
        rows = self._rows
        if rows.state[slot] is _CANCELLED:
            return None
        if rows.taken_back[slot]:
            logger.warning(
                "ignored %s of task %s: it was taken back from its worker (%s)",
                action,
                task_id,
                rows.last_error[slot],
            )
            return None
        raise TaskStateError(task_id, rows.state[slot], action, "running")

    def _schedule_retry(self, slot: int) -> float:
        rows = self._rows
        delay = self.retry_policy.delay(rows.attempts[slot], self._rng)
        self._transition(slot, _RETRYING)
        run_at = rows.run_at[slot] = self._clock() + delay
        entry = (run_at, next(self._tiebreak), rows.handle[slot])
        heapq.heappush(self._delayed, entry)
        if self._pop_waiters:
            # A waiting pop must shorten its wait to this retry's due time.
            self._task_ready.notify()
        logger.debug(
            "task %s failed attempt %d, retrying in %.3f s",
            rows.task_id[slot],
            rows.attempts[slot],
            delay,
        )
        return delay

    def _promote_due(self, now: float) -> None:
        delayed = self._delayed
        rows = self._rows
        while delayed and delayed[0][0] <= now:
            run_at, _, handle = heapq.heappop(delayed)
            # A retry cancelled while it waited leaves its entry behind.
            if rows.is_current(handle, _RETRYING):
                slot = handle & SLOT_MASK
                self._transition(slot, _QUEUED)
                rows.ready_at[slot] = run_at
                self._append_ready(slot)

    def _collect_timed_out(self, now: float, taken_back: list[Expiry]) -> None:
        deadlines = self._deadlines
        rows = self._rows
        while deadlines and deadlines[0][0] <= now:
            deadline, _, handle = heapq.heappop(deadlines)
            # touch() and a new pop leave older entries behind.
            slot = handle & SLOT_MASK
            if rows.is_current(handle, _RUNNING) and rows.deadline[slot] == deadline:
                reason = f"visibility timeout of {self.visibility_timeout:g} s passed"
                taken_back.append(self._take_back(slot, reason, now))

    def _collect_orphans(self, now: float, taken_back: list[Expiry]) -> int:
        owners = self._rows.owner
        ended = {
            owner
            for owner in {owners[slot] for slot in self._running.values()}
            if owner is not None and not owner.is_alive()
        }
        if not ended:
            return 0
        orphans = [slot for slot in self._running.values() if owners[slot] in ended]
        for slot in orphans:
            owner = owners[slot]
            assert owner is not None
            reason = f"worker thread {owner.name!r} ended before ack() or fail()"
            taken_back.append(self._take_back(slot, reason, now))
        return len(orphans)

    def _take_back(self, slot: int, reason: str, now: float) -> Expiry:
        rows = self._rows
        # Built first: burying the task may drop its row at once.
        task = rows.task(slot)
        self._release(slot)
        rows.last_error[slot] = reason
        rows.taken_back[slot] = True
        requeued = self.retry_policy.allows_retry(rows.attempts[slot])
        if requeued:
            self._transition(slot, _QUEUED)
            rows.ready_at[slot] = now
            self._append_ready(slot)
        else:
            self._bury(slot, retry_requested=True)
        logger.warning(
            "task %s taken back from its worker (%s), %s",
            task["task_id"],
            reason,
            "queued again" if requeued else "moved to dead letters",
        )
        return Expiry(task, reason, requeued)

    def _bury(self, slot: int, retry_requested: bool) -> None:
        rows = self._rows
        task_id = rows.task_id[slot]
        assert task_id is not None
        self._finish(slot, _FAILED)
        self._dead[task_id] = slot
        if retry_requested:
            logger.warning(
                "task %s failed all %d attempts, moved to dead letters: %s",
                task_id,
                rows.attempts[slot],
                rows.last_error[slot],
            )
        if len(self._dead) > self._max_dead_letters:
            self._drop_oldest_dead_letter()

    def _drop_oldest_dead_letter(self) -> None:
        task_id, slot = next(iter(self._dead.items()))
        del self._dead[task_id]
        self._forget(slot)
        logger.warning(
            "dead-letter list over %d tasks, dropped the oldest: %s",
            self._max_dead_letters,
            task_id,
        )

    def _finish(self, slot: int, state: TaskState) -> None:
        rows = self._rows
        self._transition(slot, state)
        rows.finished_at[slot] = self._clock()
        if state is not _FAILED:
            finished = self._finished
            finished.append(slot)
            if len(finished) > self._keep_finished:
                self._forget(finished.popleft())
        if self._join_waiters and self._nothing_unfinished():
            self._all_finished.notify_all()

    def _forget(self, slot: int) -> None:
        """Free the row of a finished task that left the finished or dead list."""
        task_id = self._rows.task_id[slot]
        assert task_id is not None
        # The id may belong to a newer task pushed after this one finished.
        if self._slots.get(task_id) == slot:
            del self._slots[task_id]
        self._rows.release(slot)

    def _transition(self, slot: int, state: TaskState) -> None:
        # Running tasks are counted by len(self._running) instead.
        states = self._rows.state
        old = states[slot]
        assert old is not None
        if old is not _RUNNING:
            self._counts[old] -= 1
        self._counts[state] += 1
        states[slot] = state

    def _nothing_unfinished(self) -> bool:
        counts = self._counts
        return not (counts[_QUEUED] or self._running or counts[_RETRYING])

    def _oldest_ready_at(self) -> float | None:
        # Each bucket is in ready_at order, so only the first live entry of
        # each counts. Dead entries at the front are dropped on the way.
        rows = self._rows
        oldest = None
        for bucket in self._buckets.values():
            while bucket and not rows.is_current(bucket[0], _QUEUED):
                bucket.popleft()
            if bucket:
                ready_at = rows.ready_at[bucket[0] & SLOT_MASK]
                assert ready_at is not None
                if oldest is None or ready_at < oldest:
                    oldest = ready_at
        return oldest

    def _get_slot(self, task_id: str) -> int:
        slot = self._slots.get(task_id)
        if slot is None:
            raise TaskNotFoundError(task_id)
        return slot

    def _report(self, taken_back: list[Expiry]) -> None:
        listener = self._listener
        if taken_back and listener is not None:
            listener(taken_back)
