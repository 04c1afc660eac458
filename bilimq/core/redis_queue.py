"""RedisQueueBackend: a ``QueueBackend`` that several processes share through Redis.

Shared through the server: the ready tasks with their priorities and push
order, every task's state, attempts and timestamps, the retry schedule, the
visibility deadlines and the dead letters. Kept in each process: ``close()``,
the hooks, and the list of tasks its own threads popped. That list is how a
task whose thread ended is noticed, because another process cannot see the
thread. The visibility timeout covers a process that died as a whole.

Blocked pops and pushes wait on wake-up lists with BLPOP, and for at most
``poll_interval`` seconds at a time, so they also notice retries that came due,
visibility deadlines and ``close()`` without a message.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bilimq.core import redis_scripts
from bilimq.core.backend import Expiry, ExpiryListener, FailResult, QueueStats
from bilimq.core.checks import (
    check_count,
    check_visibility_timeout,
    closed_error,
    deadline_after,
    queue_full_error,
    remaining,
)
from bilimq.core.errors import DuplicateTaskError, TaskNotFoundError, TaskStateError
from bilimq.core.memory_queue import OWNER_CHECK_INTERVAL
from bilimq.core.redis_client import DEFAULT_SERIALIZER, Serializer
from bilimq.core.retry import RetryPolicy
from bilimq.core.store import Clock
from bilimq.core.task import Task, TaskInfo, TaskState, queued_task

if TYPE_CHECKING:
    import redis

logger = logging.getLogger("bilimq.core")

_SCRIPTS = {
    "push": redis_scripts.PUSH,
    "pop": redis_scripts.POP,
    "ack": redis_scripts.ACK,
    "fail": redis_scripts.FAIL,
    "cancel": redis_scripts.CANCEL,
    "requeue": redis_scripts.REQUEUE,
    "touch": redis_scripts.TOUCH,
    "expire": redis_scripts.EXPIRE,
    "take_back": redis_scripts.TAKE_BACK,
    "stats": redis_scripts.STATS,
    "size": redis_scripts.SIZE,
    "dead_letters": redis_scripts.DEAD_LETTERS,
}
_MIN_WAIT = 0.01  # BLPOP treats a timeout of 0 as "forever"


@dataclass(slots=True)
class _Popped:
    """A task that a thread of this process popped and has not finished."""

    owner: threading.Thread
    pop_id: str


class RedisQueueBackend:
    """``QueueBackend`` on a Redis server, under the keys ``<prefix>:q:*``."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "bilimq",
        *,
        maxsize: int = 0,
        clock: Clock = time.time,
        retry_policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        keep_finished: int = 10_000,
        max_dead_letters: int = 10_000,
        visibility_timeout: float | None = None,
        poll_interval: float = 0.2,
        serializer: Serializer = DEFAULT_SERIALIZER,
    ) -> None:
        """Use ``client`` for the queue ``prefix``; see ``make_queue`` for the rest.

        ``clock`` must count the same seconds in every process that shares
        the queue, hence ``time.time`` and not ``time.monotonic``.
        ``poll_interval`` is the maximum number of seconds a blocked call
        waits before it reads the queue again.
        """
        check_count("maxsize", maxsize)
        check_count("keep_finished", keep_finished)
        check_count("max_dead_letters", max_dead_letters)
        check_visibility_timeout(visibility_timeout)
        if not poll_interval > 0:
            raise ValueError(
                f"invalid poll_interval {poll_interval!r}: it must be seconds > 0"
            )
        self.maxsize = maxsize
        self.retry_policy = retry_policy or RetryPolicy()
        self.visibility_timeout = visibility_timeout
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._serializer = serializer
        self._poll_interval = poll_interval
        self._max_dead_letters = max_dead_letters
        self._limits = (
            str(self.retry_policy.max_attempts),
            str(max_dead_letters),
            str(keep_finished),
            "" if visibility_timeout is None else repr(float(visibility_timeout)),
            f"visibility timeout of {visibility_timeout or 0:g} s passed",
        )
        self._scripts = {
            name: client.register_script(redis_scripts.QUEUE_PRELUDE + source)
            for name, source in _SCRIPTS.items()
        }
        self._worker_prefix = f"{socket.gethostname()}:{os.getpid()}"
        self._listener: ExpiryListener | None = None
        self._closed = False
        self._lock = threading.Lock()
        # NOTE: an entry leaves this dict on ack, fail or cancel through this
        # object, or when its thread ends. A task popped here but finished by
        # another process stays listed until its popping thread ends.
        self._popped: dict[str, _Popped] = {}  # guarded by self._lock
        self._waiters = 0
        self._next_owner_check = 0.0

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called on this object."""
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
        task = queued_task(task, task_id)
        payload = self._serializer.dumps(task)
        deadline = deadline_after(timeout)
        while True:
            if self._closed:
                raise closed_error("push a task")
            args = (task_id, payload, task["type"], priority, self.maxsize)
            reply = self._run("push", *args)
            self._report(reply[1])
            status = reply[0].decode()
            if status == "ok":
                return
            if status == "duplicate":
                raise DuplicateTaskError(task_id)
            left = remaining(deadline)
            if not block or (left is not None and left <= 0):
                raise queue_full_error(self.maxsize)
            self._wait_for_token("space", left)

    def requeue(self, task_id: str) -> Task:
        """Queue a dead letter again with its attempts reset to 0."""
        if self._closed:
            raise closed_error("requeue a task")
        reply = self._run("requeue", task_id)
        self._check_reply(reply, task_id, "requeue", "in the dead-letter list")
        return self._serializer.loads(reply[1])

    # -- consuming -------------------------------------------------------------

    def pop(self, owner: threading.Thread, timeout: float | None) -> Task | None:
        """Mark the next ready task running for ``owner`` and return it."""
        deadline = deadline_after(timeout)
        worker = f"{self._worker_prefix}:{owner.name}"
        while True:
            self._take_back_orphans(force=False)
            reply = self._run("pop", worker)
            self._report(reply[1])
            payload, retrying, pop_id = reply[0], int(reply[2]), reply[5]
            if payload:
                task = self._serializer.loads(payload)
                with self._lock:
                    self._popped[task["task_id"]] = _Popped(owner, pop_id.decode())
                return task
            if self._take_back_orphans(force=True):
                continue
            if self._closed and not retrying:
                return None
            wait = self._wait_time(deadline, reply[3], reply[4])
            if wait <= 0:
                return None
            self._wait_for_token("wake", wait)

    def ack(self, task_id: str) -> Task | None:
        """Mark a running task succeeded, or ignore a cancelled or taken-back one."""
        reply = self._run("ack", task_id)
        self._forget_popped(task_id)
        if reply[0] == b"ignored":
            return self._ignore_late(task_id, "ack", reply[1])
        self._check_reply(reply, task_id, "ack", "running")
        return self._serializer.loads(reply[1])

    def fail(self, task_id: str, error: str, retry: bool) -> FailResult | None:
        """Schedule a retry with backoff, or move the task to the dead letters."""
        policy = self.retry_policy
        with self._rng_lock:
            draw = self._rng.random()
        args = (task_id, error, "1" if retry else "0", policy.base_delay)
        args += (policy.max_delay, policy.jitter, repr(draw))
        reply = self._run("fail", *args)
        self._forget_popped(task_id)
        if reply[0] == b"ignored":
            return self._ignore_late(task_id, "fail", reply[1])
        self._check_reply(reply, task_id, "fail", "running")
        task = self._serializer.loads(reply[1])
        if reply[0] == b"retry":
            delay = float(reply[2])
            logger.debug("task %s failed, retrying in %.3f s", task_id, delay)
            return FailResult(task, delay)
        if retry:
            _log_exhausted(task_id, int(reply[2]), error)
        self._log_dropped(reply[3])
        return FailResult(task, None)

    def cancel(self, task_id: str) -> bool:
        """Cancel a queued, retrying or running task."""
        status = self._run("cancel", task_id)
        if status == b"missing":
            raise TaskNotFoundError(task_id)
        self._forget_popped(task_id)
        return status == b"cancelled"

    def touch(self, task_id: str) -> None:
        """Restart the visibility timeout of a running task."""
        self._check_reply(self._run("touch", task_id), task_id, "touch", "running")

    def expire(self) -> int:
        """Take back the tasks of ended threads and of passed visibility deadlines."""
        taken_back = self._take_back_orphans(force=True)
        reply = self._run("expire")
        self._report(reply)
        return taken_back + len(reply)

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Reject pushes from this object and let its pops return once drained."""
        self._closed = True
        # Tokens wake the threads of this process that wait in BLPOP now. A
        # thread of another process may take one instead and then waits again.
        waiters = self._waiters
        if waiters:
            names = [self._key("wake"), self._key("space")]
            with self._client.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.rpush(name, *["1"] * waiters)
                pipe.execute()

    def join(self, timeout: float | None) -> bool:
        """Poll until no task is queued, running or retrying."""
        deadline = deadline_after(timeout)
        states = ("queued", "running", "retrying")
        while True:
            counts = self._client.hmget(self._key("counts"), states)
            if not any(int(count or 0) for count in counts):
                return True
            left = remaining(deadline)
            if left is not None and left <= 0:
                return False
            time.sleep(min(self._poll_interval, left or self._poll_interval))

    # -- inspection ------------------------------------------------------------

    def get_task(self, task_id: str) -> TaskInfo:
        """Return a snapshot of one task."""
        fields = self._client.hgetall(self._key(f"task:{task_id}"))
        if not fields:
            raise TaskNotFoundError(task_id)
        return self._snapshot(fields)

    def dead_letters(self) -> list[TaskInfo]:
        """Return the dead letters, oldest failure first."""
        letters = self._run("dead_letters")
        return [self._snapshot(_pairs_to_dict(letter)) for letter in letters]

    def stats(self) -> QueueStats:
        """Return the counts per state, the depth and the oldest waiting age."""
        now = self._clock()
        reply = self._run("stats", now=now)
        counts = {
            name.decode(): int(value)
            for name, value in _pairs_to_dict(reply[0]).items()
        }

        def count(state: TaskState) -> int:
            return counts.get(state.value, 0)

        oldest = float(reply[2]) if reply[2] else None
        return QueueStats(
            queued=count(TaskState.QUEUED),
            running=count(TaskState.RUNNING),
            succeeded=count(TaskState.SUCCEEDED),
            failed=count(TaskState.FAILED),
            retrying=count(TaskState.RETRYING),
            cancelled=count(TaskState.CANCELLED),
            depth=count(TaskState.QUEUED),
            dead_letters=int(reply[1]),
            oldest_age=0.0 if oldest is None else max(0.0, now - oldest),
            closed=self._closed,
        )

    def size(self) -> int:
        """Return how many tasks are ready to pop."""
        return int(self._run("size"))

    def oldest_task_of(self, owner: threading.Thread) -> str | None:
        """Return the oldest running task that ``owner`` popped through this object."""
        with self._lock:
            for task_id, popped in self._popped.items():
                if popped.owner is owner:
                    return task_id
        return None

    # -- internals ---------------------------------------------------------------

    def _key(self, name: str) -> str:
        return f"{self._prefix}:q:{name}"

    def _run(self, script: str, *args: Any, now: float | None = None) -> Any:
        if now is None:
            now = self._clock()
        return self._scripts[script](
            keys=[self._prefix], args=(repr(now), *self._limits, *args)
        )

    def _check_reply(
        self, reply: list[bytes], task_id: str, action: str, allowed: str
    ) -> None:
        status = reply[0]
        if status == b"missing":
            raise TaskNotFoundError(task_id)
        if status == b"state":
            raise TaskStateError(task_id, reply[1].decode(), action, allowed)

    def _ignore_late(self, task_id: str, action: str, reason: bytes) -> None:
        if reason:
            logger.warning(
                "ignored %s of task %s: it was taken back from its worker (%s)",
                action,
                task_id,
                reason.decode(),
            )

    def _wait_time(
        self, deadline: float | None, next_due: bytes, next_end: bytes
    ) -> float:
        # Wake up for the next due retry and the next visibility deadline too.
        now = self._clock()
        waits = [self._poll_interval]
        left = remaining(deadline)
        if left is not None:
            waits.append(left)
        for moment in (next_due, next_end):
            if moment:
                waits.append(max(float(moment) - now, _MIN_WAIT))
        return min(waits)

    def _wait_for_token(self, name: str, wait: float | None) -> None:
        """Wait for a token on a wake-up list, for at most one poll interval."""
        if wait is None or wait > self._poll_interval:
            wait = self._poll_interval
        with self._lock:
            self._waiters += 1
        try:
            wait = max(wait, _MIN_WAIT)
            self._client.blpop([self._key(name)], timeout=wait)
        finally:
            with self._lock:
                self._waiters -= 1

    def _forget_popped(self, task_id: str) -> None:
        with self._lock:
            self._popped.pop(task_id, None)

    def _take_back_orphans(self, force: bool) -> int:
        """Take back the running tasks whose popping thread here has ended."""
        with self._lock:
            if not self._popped:
                return 0
            if not force and time.monotonic() < self._next_owner_check:
                return 0
            self._next_owner_check = time.monotonic() + OWNER_CHECK_INTERVAL
            orphans = [
                (task_id, popped)
                for task_id, popped in self._popped.items()
                if not popped.owner.is_alive()
            ]
            for task_id, _ in orphans:
                del self._popped[task_id]
        taken_back = 0
        for task_id, popped in orphans:
            reason = f"worker thread {popped.owner.name!r} ended before ack() or fail()"
            reply = self._run("take_back", task_id, popped.pop_id, reason)
            if reply:
                self._report([reply])
                taken_back += 1
        return taken_back

    def _report(self, replies: list[list[bytes]]) -> None:
        if not replies:
            return
        taken_back = []
        for raw_id, payload, requeued, raw_reason, attempts, dropped in replies:
            task_id, reason = raw_id.decode(), raw_reason.decode()
            self._forget_popped(task_id)
            task = self._serializer.loads(payload)
            taken_back.append(Expiry(task, reason, requeued == b"1"))
            logger.warning(
                "task %s taken back from its worker (%s), %s",
                task_id,
                reason,
                "queued again" if requeued == b"1" else "moved to dead letters",
            )
            if requeued != b"1":
                _log_exhausted(task_id, int(attempts), reason)
                self._log_dropped(dropped)
        listener = self._listener
        if listener is not None:
            listener(taken_back)

    def _log_dropped(self, dropped: list[bytes]) -> None:
        for task_id in dropped:
            logger.warning(
                "dead-letter list over %d tasks, dropped the oldest: %s",
                self._max_dead_letters,
                task_id.decode(),
            )

    def _snapshot(self, fields: dict[bytes, bytes]) -> TaskInfo:
        def text(name: str) -> str | None:
            value = fields.get(name.encode())
            return None if value is None else value.decode()

        def moment(name: str) -> float | None:
            value = text(name)
            return None if value is None else float(value)

        task = self._serializer.loads(fields[b"task"])
        return TaskInfo(
            task_id=task["task_id"],
            type=task["type"],
            task=task,
            state=TaskState(text("state")),
            priority=int(fields[b"priority"]),
            attempts=int(fields[b"attempts"]),
            created_at=float(fields[b"created_at"]),
            started_at=moment("started_at"),
            finished_at=moment("finished_at"),
            run_at=moment("run_at"),
            last_error=text("last_error"),
            worker=text("worker"),
        )


def _log_exhausted(task_id: str, attempts: int, error: str) -> None:
    logger.warning(
        "task %s failed all %d attempts, moved to dead letters: %s",
        task_id,
        attempts,
        error,
    )


def _pairs_to_dict(flat: list[bytes]) -> dict[bytes, bytes]:
    return dict(zip(flat[::2], flat[1::2], strict=True))
