"""`bilimq run`: the feeder, the worker threads and the TTL cleaner.

The feeder claims due rows from the ledger under a lease, renews the leases of
tasks in flight and pushes the tasks onto an in-process dispatch queue. Worker
threads pop them and run the handler for their type. Stopping (Ctrl-C,
`--exit-when-idle`, or the network going away) returns every unfinished task to
`pending`. The public store (search cache, risk-control cooldown) lives in this
process or, with `[queue] backend = "redis"`, on a Redis server that every run
shares.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger

from bilimq.audio.errors import AudioError, DownloadError
from bilimq.bilibili.errors import BilibiliError, NetworkError
from bilimq.config import QueueSettings, Settings
from bilimq.core import (
    BackendError,
    MemoryQueue,
    MemoryQueueBackend,
    RetryPolicy,
    TaskQueue,
    make_shared_store,
)
from bilimq.core.redis_client import connect, redact_url
from bilimq.database import DatabaseError, Ledger, TaskRecord, TaskState
from bilimq.errors import BilimqError, InvalidNameError
from bilimq.jobs import (
    HANDLERS,
    Interrupted,
    JobContext,
    LeaseLost,
    NeedsReview,
    ProgressSink,
    task_type,
)

if TYPE_CHECKING:
    import redis

COOLDOWN_KEY = "cooldown:bilibili"
STRIKES_KEY = "cooldown:strikes"
_POP_TIMEOUT = 0.5
# Seconds a Redis call may take before the public store falls back to memory.
_REDIS_TIMEOUT = 5.0
_SUMMARY_LOCK = threading.Lock()


class NetworkUnreachable(BilimqError):
    """Bilibili cannot be reached at all; the run stops and keeps every task."""


class QueueUnavailable(BilimqError):
    """The Redis server in `[queue] url` does not respond when the run starts."""


class RunObserver(ProgressSink):
    """Receives run events for the display; every method may be a no-op."""

    def task_started(self, record: TaskRecord) -> None: ...
    def task_finished(self, record: TaskRecord, state: str) -> None: ...
    def tasks_claimed(self, count: int) -> None: ...


@dataclass
class RunSummary:
    """The outcome of one `bilimq run`."""

    finished: dict[str, int] = field(default_factory=dict)
    stop_reason: str = ""
    error: BilimqError | None = None
    released: int = 0
    elapsed: float = 0.0

    def count(self, state: str) -> None:
        with _SUMMARY_LOCK:
            self.finished[state] = self.finished.get(state, 0) + 1


def make_owner() -> str:
    """Return a lease owner id unique to this process."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Daemon:
    """Run tasks from the ledger with a pool of worker threads until stopped."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        observer: RunObserver,
        *,
        workers: int,
        exit_when_idle: bool = False,
        cookiefile: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Prepare a run; with a Redis backend, connect to it.

        ``clock`` times the run and the reaping of expired leases.
        ``wall_clock`` gives the cooldown deadlines, which other runs on other
        machines read too.

        Raises:
            QueueUnavailable: `[queue] backend` is redis and the server does
                not respond.
        """
        self.settings = settings
        self.ledger = ledger
        self.observer = observer
        self.workers = workers
        self.exit_when_idle = exit_when_idle
        self.clock = clock
        self.wall_clock = wall_clock
        self.owner = make_owner()
        self.queue, self._redis = open_queue(settings.queue, workers)
        self.stopping = threading.Event()
        self.summary = RunSummary()
        self._inflight: dict[int, TaskRecord] = {}
        self._inflight_lock = threading.Lock()
        self._cooldown_lock = threading.Lock()
        self._cooldown_set_here = 0.0
        self._cooldown_noticed = 0.0
        self._next_reap = 0.0
        self.context = JobContext(
            settings=settings,
            ledger=ledger,
            owner=self.owner,
            store=self.queue,
            progress=observer,
            stopping=self.stopping,
            cookiefile=cookiefile,
        )

    # -- lifecycle -----------------------------------------------------------

    def run(self) -> RunSummary:
        """Run until stopped; return what happened. Blocks the calling thread."""
        started = self.clock()
        logger.info(
            "run started: {} workers, owner {}, ledger {}, public store {}",
            self.workers,
            self.owner,
            self.ledger.display_url,
            describe_store(self.settings.queue),
        )
        self._next_reap = 0.0
        self.queue.start_cleanup()
        threads = [
            threading.Thread(target=self._work, name=f"worker-{n + 1}", daemon=True)
            for n in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        try:
            self._feed()
        finally:
            self._shutdown(threads)
            self.summary.elapsed = self.clock() - started
        return self.summary

    def stop(self, reason: str, error: BilimqError | None = None) -> None:
        """Ask the run to stop; safe to call from any thread or a signal handler."""
        if not self.stopping.is_set():
            self.summary.stop_reason = reason
            self.summary.error = error
            self.stopping.set()

    def _shutdown(self, threads: list[threading.Thread]) -> None:
        if self.summary.stop_reason == "interrupted":
            logger.warning("stopping: finishing up, Ctrl-C again to quit at once")
        self.stopping.set()
        self.queue.close()
        deadline = time.monotonic() + 5.0
        for thread in threads:
            # A worker inside a download notices the stop at its next
            # progress callback; a stuck one is abandoned (daemon thread).
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.queue.stop_cleanup()
        if self._redis is not None:
            self._redis.close()
        self.summary.released = self.ledger.release_owned(self.owner)
        logger.debug(
            "run stopped: {}; {} unfinished task(s) returned to pending",
            self.summary.stop_reason or "stopped",
            self.summary.released,
        )

    # -- feeder --------------------------------------------------------------

    def _feed(self) -> None:
        interval = self.settings.run.poll_interval
        while not self.stopping.is_set():
            try:
                claimed = self._feed_once()
                if self.exit_when_idle and not claimed and self._is_idle():
                    self.stop("queue drained")
                    break
            except DatabaseError as exc:
                # A database outage outlived the ledger's own retries; keep the
                # run alive and try again, since leases protect the tasks.
                logger.warning("ledger unavailable, retrying in {} s: {}", 5, exc)
                self.stopping.wait(5.0)
                continue
            self.stopping.wait(0.05 if claimed else interval)

    def _feed_once(self) -> int:
        # Renew first: after a long pause of this process (suspend, SIGSTOP)
        # its own leases may have run out, and reaping them would run the same
        # task twice.
        inflight = self._renew_leases()
        now = self.clock()
        if now >= self._next_reap:
            self.ledger.reap_expired(keep=inflight)
            self._next_reap = now + min(10.0, self.settings.run.lease_seconds / 3)
        if self.cooldown_remaining() > 0:
            self._notice_cooldown()
            return 0
        free = self.workers - self._inflight_count()
        records = self.ledger.claim(self.owner, free, self.settings.run.lease_seconds)
        for record in records:
            with self._inflight_lock:
                self._inflight[record.id] = record
            self.queue.push_task(
                {"type": task_type(record), "params": {"row_id": record.id}}
            )
        if records:
            self.observer.tasks_claimed(len(records))
        return len(records)

    def _renew_leases(self) -> list[int]:
        with self._inflight_lock:
            ids = list(self._inflight)
        if ids:
            self.ledger.renew(self.owner, ids, self.settings.run.lease_seconds)
        return ids

    def _inflight_count(self) -> int:
        with self._inflight_lock:
            return len(self._inflight)

    def _is_idle(self) -> bool:
        if self._inflight_count():
            return False
        # Tasks leased elsewhere are not done: another run is working on them,
        # or its process died and they come back here when the lease expires.
        if self.ledger.count_working():
            return False
        next_run = self.ledger.next_run_at()
        if next_run is None:
            return True
        wait = (next_run - self.ledger.clock()).total_seconds()
        return wait > self.settings.run.idle_wait

    # -- workers -------------------------------------------------------------

    def _work(self) -> None:
        try:
            while True:
                task = self.queue.pop_task(timeout=_POP_TIMEOUT)
                if task is None:
                    if self.stopping.is_set():
                        break
                    continue
                self._run_task(task)
        finally:
            self.context.close_client()

    def _run_task(self, task: dict) -> None:
        row_id = task["params"]["row_id"]
        with self._inflight_lock:
            record = self._inflight.get(row_id)
        try:
            if record is None or self.stopping.is_set():
                return
            self._wait_for_cooldown()
            if self.stopping.is_set():
                return
            self.observer.task_started(record)
            with logger.contextualize(task_id=record.id):
                state = self._handle(task["type"], record)
            if state:
                self.summary.count(state)
                self.observer.task_finished(record, state)
        except Exception as exc:  # noqa: BLE001 - a worker thread must not die
            # Recording the outcome failed (the ledger is down). The lease is
            # no longer renewed, so the task comes back when it expires.
            logger.opt(exception=exc).error(
                "task {} left to its lease after an error: {}", row_id, exc
            )
        finally:
            self.queue.ack(task["task_id"])
            with self._inflight_lock:
                self._inflight.pop(row_id, None)

    def _handle(self, kind: str, record: TaskRecord) -> str | None:
        """Run one handler; return the state the task ended in, if it ended."""
        try:
            HANDLERS[kind](self.context, record)
            return TaskState.DONE.value
        except Interrupted:
            return None
        except LeaseLost as exc:
            logger.warning("{}", exc)
            return None
        except NeedsReview as exc:
            return self._settle(
                record, TaskState.NEEDS_REVIEW, exc, match=exc.review_data()
            )
        except InvalidNameError as exc:
            return self._settle(record, TaskState.FAILED, exc)
        except (BilibiliError, AudioError) as exc:
            return self._classify(record, exc)
        except BilimqError as exc:
            return self._retry(record, exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not lose the song
            logger.opt(exception=exc).error("task {} crashed: {}", record.id, exc)
            return self._retry(record, exc)

    def _classify(self, record: TaskRecord, exc: BilimqError) -> str | None:
        if _is_unreachable(exc) and self._network_is_down():
            # The task stays leased to this run; shutdown returns it to
            # pending with every other unfinished task, without an attempt.
            self.stop("network unreachable", NetworkUnreachable(str(exc)))
            return None
        kind = getattr(exc, "kind", None)
        if isinstance(exc, DownloadError):
            kind = "transient" if exc.transient else "permanent"
            if exc.risk_control:
                kind = "global"
        if kind == "global":
            self.start_cooldown(exc)
            return self._retry(
                record, exc, delay=self.cooldown_remaining(), count=False
            )
        if kind == "permanent":
            return self._settle(record, TaskState.FAILED, exc)
        return self._retry(record, exc)

    def _retry(
        self,
        record: TaskRecord,
        exc: BaseException,
        *,
        delay: float | None = None,
        count: bool = True,
    ) -> str | None:
        run = self.settings.run
        attempts = record.attempts + (1 if count else 0)
        if count and attempts >= run.max_attempts:
            reason = f"gave up after {attempts} attempts: {exc}"
            return self._settle(
                record, TaskState.FAILED, BilimqError(reason), attempts=attempts
            )
        if delay is None:
            delay = backoff_delay(attempts, run.backoff_base, run.backoff_max)
        if not self.ledger.schedule_retry(
            record.id, self.owner, str(exc), delay, count
        ):
            logger.warning(
                "task {}: lease lost before the retry was recorded", record.id
            )
            return None
        logger.warning("task {} will retry in {:.0f} s: {}", record.id, delay, exc)
        return TaskState.RETRYING.value

    def _settle(
        self, record: TaskRecord, state: TaskState, exc: BaseException, **fields: object
    ) -> str | None:
        if not self.ledger.settle(record.id, self.owner, state, str(exc), **fields):
            logger.warning(
                "task {}: lease lost before {} was recorded", record.id, state
            )
            return None
        logger.warning("task {} {}: {}", record.id, state.value, exc)
        return state.value

    def _network_is_down(self, probes: int = 3) -> bool:
        """Check that Bilibili stays unreachable before stopping the whole run.

        One failed connection may be a passing DNS or routing fault; the API
        is asked again a few times, a second apart.
        """
        for _ in range(probes):
            if self.stopping.wait(1.0):
                return True
            try:
                self.context.client.nav()
            except NetworkError as exc:
                if not exc.unreachable:
                    return False
                continue
            except BilimqError:
                return False
            return False
        return True

    # -- risk-control cooldown ------------------------------------------------

    def cooldown_remaining(self) -> float:
        """Return the seconds left before workers may call Bilibili again."""
        until = self.queue.get_public(COOLDOWN_KEY)
        return max(0.0, until - self.wall_clock()) if until else 0.0

    def start_cooldown(self, exc: BaseException) -> None:
        """Pause every worker of every run that shares the store (risk control)."""
        with self._cooldown_lock:
            # Workers hit by the same burst share one pause and one strike.
            if self.cooldown_remaining() > 0:
                return
            self._extend_cooldown(exc)

    def _extend_cooldown(self, exc: BaseException) -> None:
        run = self.settings.run
        strikes = (self.queue.get_public(STRIKES_KEY) or 0) + 1
        delay = backoff_delay(strikes, run.cooldown, run.backoff_max)
        # A wall-clock deadline, because runs on other machines read it too.
        until = self.wall_clock() + delay
        self.queue.set_public(STRIKES_KEY, strikes, ttl=delay * 4)
        self.queue.set_public(COOLDOWN_KEY, until, ttl=delay)
        self._cooldown_set_here = until
        hint = (
            ""
            if self.settings.bilibili.sessdata
            else "; setting a SESSDATA cookie helps"
        )
        logger.warning("pausing all workers for {:.0f} s: {}{}", delay, exc, hint)

    def _notice_cooldown(self) -> None:
        """Log once per cooldown that another run started."""
        until = self.queue.get_public(COOLDOWN_KEY) or 0.0
        if until in (self._cooldown_set_here, self._cooldown_noticed):
            return
        self._cooldown_noticed = until
        logger.info(
            "another run hit Bilibili's risk control: no new tasks for {:.0f} s",
            max(0.0, until - self.wall_clock()),
        )

    def _wait_for_cooldown(self) -> None:
        while not self.stopping.is_set():
            remaining = self.cooldown_remaining()
            if remaining <= 0:
                return
            self.stopping.wait(min(remaining, 1.0))


def open_queue(
    settings: QueueSettings, workers: int
) -> tuple[TaskQueue, redis.Redis | None]:
    """Build the dispatch queue of a run and its public store, as `[queue]` sets.

    Return the queue and the Redis client to close at the end, if any. The
    queue's cleaner, which runs every `[queue] cleanup_interval` seconds,
    removes the store's expired keys.

    Raises:
        QueueUnavailable: the Redis server does not respond.
    """
    interval = settings.cleanup_interval
    if settings.backend != "redis":
        return MemoryQueue(maxsize=workers, cleanup_interval=interval), None
    # Dispatch stays in this process even with Redis. The ledger's leases
    # already decide which run works on which task, so a task claimed here
    # must only reach this run's workers. A queue in Redis would cost a round
    # trip per task, leave keys behind when a run crashes and stop the run
    # when Redis does. Only the store is shared: the search cache and the
    # risk-control cooldown are worth sharing, and they can fall back to
    # memory when Redis goes away.
    url = settings.url.reveal()
    try:
        client = connect(
            url, socket_timeout=_REDIS_TIMEOUT, socket_connect_timeout=_REDIS_TIMEOUT
        )
    except BackendError as exc:
        # from None: the message already has the cause, and a chained
        # traceback (shown with -v) would not mask the password.
        raise QueueUnavailable(
            f"{exc}. The URL is the setting [queue] url. To run without Redis, "
            'set [queue] backend = "memory"'
        ) from None
    store = make_shared_store(client=client, prefix=f"{settings.prefix}:public")
    dispatch = MemoryQueueBackend(maxsize=workers)
    return TaskQueue(dispatch, store, cleanup_interval=interval), client


def describe_store(settings: QueueSettings) -> str:
    """Describe where the public store lives, with any password masked."""
    if settings.backend != "redis":
        return "in memory"
    return f"on Redis {redact_url(settings.url.reveal())}, prefix {settings.prefix}"


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Return base·2^(attempt-1) seconds, capped, with up to 20% cut at random."""
    policy = RetryPolicy(max_attempts=1, base_delay=base, max_delay=cap, jitter=0.2)
    return policy.delay(attempt)


def _is_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, NetworkError | DownloadError):
        return bool(getattr(exc, "unreachable", False))
    return False
