"""TaskQueue and MemoryQueue: priority task queues with states, retries and hooks."""

from __future__ import annotations

import logging
import random
import threading
import time
from threading import current_thread

from bilimq.core.backend import Expiry, QueueBackend, QueueStats
from bilimq.core.checks import MAX_PRIORITY, check_priority
from bilimq.core.cleaner import PeriodicCleaner, check_interval
from bilimq.core.hooks import Hook, HookRegistry
from bilimq.core.memory_queue import MemoryQueueBackend
from bilimq.core.retry import RetryPolicy
from bilimq.core.store import Clock, PublicStore, PublicStoreMixin
from bilimq.core.task import Task, TaskInfo, check_task, queued_task

logger = logging.getLogger("bilimq.core")

__all__ = ["MemoryQueue", "QueueStats", "TaskQueue"]


class TaskQueue(PublicStoreMixin):
    """Thread-safe task queue with priorities, states, retries, hooks and a store.

    Tasks are dicts with a str ``type``, a dict ``params`` and a str
    ``task_id``. A higher ``priority`` pops first, and tasks of equal priority
    pop in push order. A popped task is ``running`` until a worker calls
    ``ack()``, ``fail()`` or ``task_done()``, or until the queue takes it back
    because the worker thread ended or the visibility timeout passed. The
    queue also carries a ``PublicStore`` for shared values with a TTL
    (``set_public()`` and the other store methods).

    The tasks live in a ``QueueBackend``: ``MemoryQueue`` keeps them in this
    process, and ``make_queue("redis", url)`` shares them between processes
    through a Redis server.
    """

    def __init__(
        self,
        backend: QueueBackend,
        store: PublicStore,
        *,
        cleanup_interval: float | None = None,
    ) -> None:
        """Create a queue front end over ``backend`` and ``store``.

        Args:
            backend: where the tasks and their states live.
            store: the store behind ``set_public()`` and the related methods.
            cleanup_interval: seconds between runs of the background cleaner,
                which starts with ``start_cleanup()``.
        """
        if cleanup_interval is not None:
            check_interval(cleanup_interval)
        self.backend = backend
        """The storage and state machine of the tasks. Do not replace it."""
        self.store = store
        """The store behind ``set_public()`` and the other store methods."""
        self._cleanup_interval = cleanup_interval
        self._hooks = HookRegistry()
        self._hook_lists = self._hooks.by_name
        # Bound once: push, pop and ack run for every task.
        self._push = backend.push
        self._pop = backend.pop
        self._ack = backend.ack
        self._cleaner = PeriodicCleaner(
            self._clean_once,
            name="bilimq-queue-cleaner",
            failure_message="queue cleanup failed, the cleaner goes on",
        )
        backend.set_expiry_listener(self._report_taken_back)

    @property
    def maxsize(self) -> int:
        """Maximum number of tasks ready to pop, or 0 for no limit."""
        return self.backend.maxsize

    @property
    def retry_policy(self) -> RetryPolicy:
        """Attempts and backoff used by ``fail(retry=True)`` and by expiry."""
        return self.backend.retry_policy

    # -- producing -------------------------------------------------------------

    def push_task(
        self,
        task: Task,
        priority: int = 0,
        *,
        block: bool = True,
        timeout: float | None = None,
    ) -> str:
        """Queue a task and return its ``task_id``.

        The queue keeps the top-level items of ``task`` as they are at this
        call, with ``params`` defaulting to ``{}`` and ``task_id`` defaulting
        to a new uuid4 string; the caller's dict is left unchanged. A
        ``params`` dict is shared, not copied. When
        ``maxsize`` tasks are ready already, the call waits for room (for at
        most ``timeout`` seconds, or not at all when ``block`` is False).

        Raises:
            InvalidTaskError: the task or the priority is invalid.
            DuplicateTaskError: a task with this ``task_id`` is still live.
            QueueFull: no room was freed in time.
            QueueClosed: the queue is closed.
        """
        task_id = check_task(task)
        if type(priority) is not int or not -MAX_PRIORITY <= priority <= MAX_PRIORITY:
            check_priority(priority)
        if "params" not in task:
            # The backends expect params. Filling it in here also gives the
            # on_push hooks the dict the worker gets, so their changes reach it.
            task = {**task, "params": {}}
        self._push(task, task_id, priority, block, timeout)
        if self._hook_lists["on_push"]:
            self._hooks.fire("on_push", queued_task(task, task_id))
        return task_id

    def requeue(self, task_id: str) -> None:
        """Queue a dead-lettered task again with its attempts reset to 0.

        A requeued task is admitted even when the queue is full.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not in the dead-letter list.
            QueueClosed: the queue is closed.
        """
        task = self.backend.requeue(task_id)
        self._hooks.fire("on_push", task)

    # -- consuming -------------------------------------------------------------

    def pop_task(self, timeout: float | None = None) -> Task | None:
        """Remove the next task, mark it running and return it.

        Waits for a task up to ``timeout`` seconds (forever when None) and
        returns None when the time runs out. Once the queue is closed and no
        task is ready or waiting for a retry, returns None at once, so worker
        loops end without a sentinel task. Before it takes a task, the call
        takes back the running tasks whose visibility timeout passed, and,
        when no task is ready, those whose worker thread has ended.
        """
        task = self._pop(current_thread(), timeout)
        if task is not None and self._hook_lists["on_start"]:
            self._hooks.fire("on_start", task)
        return task

    def ack(self, task_id: str) -> None:
        """Mark a running task as succeeded.

        The call is ignored for a cancelled task, so a worker may finish a task
        that was cancelled while it ran. It is also ignored, with a warning,
        for a task that the queue took back from a worker that was too slow.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not running.
        """
        task = self._ack(task_id)
        if task is not None and self._hook_lists["on_success"]:
            self._hooks.fire("on_success", task)

    def fail(self, task_id: str, error: str, retry: bool = False) -> None:
        """Mark a running task as failed with the message ``error``.

        With ``retry=True`` and attempts left under ``retry_policy``, the task
        waits in ``retrying`` for its backoff delay and then queues behind the
        tasks of its priority that are ready at that moment. Otherwise it
        becomes ``failed`` and goes to ``dead_letters()``. The call is ignored
        in the same cases as ``ack()``.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not running.
        """
        result = self.backend.fail(task_id, error, retry)
        if result is None:
            return
        if result.retry_delay is None:
            self._hooks.fire("on_failure", result.task, error)
        else:
            self._hooks.fire("on_retry", result.task, error, result.retry_delay)

    def task_done(self, task_id: str | None = None) -> None:
        """Acknowledge a task, for code written against ``queue.Queue``.

        With an id this is ``ack(task_id)``. Without one it acknowledges the
        oldest task that the calling thread popped and has not finished.

        Raises:
            ValueError: the calling thread has no unfinished popped task.
        """
        if task_id is None:
            task_id = self.backend.oldest_task_of(threading.current_thread())
            if task_id is None:
                raise ValueError(
                    "task_done() called with no unfinished task popped by this "
                    "thread. Call it once per pop_task(), or pass the task_id"
                )
        self.ack(task_id)

    def cancel(self, task_id: str) -> bool:
        """Cancel a queued, retrying or running task and return whether it changed.

        A running task keeps running in its worker, but a later ``ack()`` or
        ``fail()`` for it is ignored. A finished task is left as it is.

        Raises:
            TaskNotFoundError: no task has this id.
        """
        return self.backend.cancel(task_id)

    def touch(self, task_id: str) -> None:
        """Restart the visibility timeout of a running task, for long tasks.

        Does nothing when the queue has no visibility timeout.

        Raises:
            TaskNotFoundError: no task has this id.
            TaskStateError: the task is not running.
        """
        self.backend.touch(task_id)

    def expire_tasks(self) -> int:
        """Take back running tasks whose worker ended or whose timeout passed.

        Each such task is queued again (or, with no attempts left, moved to the
        dead letters) and ``on_expire`` fires. Return how many were taken back.
        The cleaner thread calls this on every run, and ``pop_task`` does the
        same checks before it takes a task.
        """
        return self.backend.expire()

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Stop accepting tasks, while letting workers pop the queued ones.

        Producers waiting for room get ``QueueClosed``, and ``pop_task``
        returns None once nothing is left to pop. Calling it again does
        nothing. On a shared backend, closing affects this queue object only.
        """
        self.backend.close()

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self.backend.closed

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no task is queued, running or retrying.

        Return True when that happened, False when ``timeout`` seconds passed
        first.
        """
        return self.backend.join(timeout)

    def start_cleanup(self, interval: float | None = None) -> None:
        """Start the background cleaner thread unless it is running already.

        Every ``interval`` seconds (default: ``cleanup_interval``) the thread
        removes the store's expired keys and calls ``expire_tasks()``. It is a
        daemon thread and stops promptly on ``stop_cleanup()``.
        """
        interval = self._cleanup_interval if interval is None else interval
        if interval is None:
            raise ValueError(
                "no cleanup interval: pass start_cleanup(interval=seconds) or "
                "create the queue with cleanup_interval=seconds"
            )
        self._cleaner.start(interval)

    def stop_cleanup(self, timeout: float | None = None) -> bool:
        """Stop the background cleaner and wait for it to end.

        Return True when no cleaner is running afterwards, False when the
        thread did not end within ``timeout`` seconds.
        """
        return self._cleaner.stop(timeout)

    @property
    def cleaner_running(self) -> bool:
        """True while the background cleaner thread is alive."""
        return self._cleaner.running

    # -- inspection ------------------------------------------------------------

    def get_task(self, task_id: str) -> TaskInfo:
        """Return a snapshot of the task's state, attempts and timestamps.

        Raises:
            TaskNotFoundError: no task has this id, or its record was dropped.
        """
        return self.backend.get_task(task_id)

    def dead_letters(self) -> list[TaskInfo]:
        """Return the failed tasks that ``requeue()`` accepts, oldest first."""
        return self.backend.dead_letters()

    def stats(self) -> QueueStats:
        """Return the number of tasks in each state, the depth and the oldest age."""
        return self.backend.stats()

    def get_queue_size(self) -> int:
        """Return how many tasks are ready to pop (retries in their delay excluded)."""
        return self.backend.size()

    def is_empty(self) -> bool:
        """Return whether no task is ready to pop right now."""
        return self.backend.size() == 0

    # -- hooks -----------------------------------------------------------------

    def add_hook(self, name: str, fn: Hook) -> None:
        """Call ``fn`` on an event (``HOOK_NAMES`` lists the names and arguments).

        Hooks run in the thread that caused the event, after the queue's lock
        is released, so a hook may call the queue. For the same reason an
        ``on_push`` hook may run after a worker has already popped the task.
        An exception in a hook is logged on the ``bilimq.core`` logger and
        otherwise ignored. A task taken back with no attempts left fires
        ``on_expire`` and then ``on_failure``.
        """
        self._hooks.add(name, fn)

    def remove_hook(self, name: str, fn: Hook) -> bool:
        """Unregister a hook and return whether it was registered."""
        return self._hooks.remove(name, fn)

    # -- internals ---------------------------------------------------------------

    def _report_taken_back(self, taken_back: list[Expiry]) -> None:
        for expiry in taken_back:
            self._hooks.fire("on_expire", expiry.task, expiry.reason)
            if not expiry.requeued:
                self._hooks.fire("on_failure", expiry.task, expiry.reason)

    def _clean_once(self) -> None:
        removed = self.store.cleanup()
        taken_back = self.expire_tasks()
        if removed or taken_back:
            logger.debug(
                "queue cleanup removed %d expired keys and took back %d tasks",
                removed,
                taken_back,
            )


class MemoryQueue(TaskQueue):
    """``TaskQueue`` whose tasks and store live in this process.

    ``clock`` measures backoff delays, ages, TTLs and visibility timeouts. The
    ``timeout`` arguments of ``push_task``, ``pop_task`` and ``join`` always
    count real seconds, so a frozen test clock cannot make them wait forever.
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
        visibility_timeout: float | None = None,
    ) -> None:
        """Create an empty, open queue.

        Args:
            maxsize: maximum number of tasks ready to pop, or 0 for no limit.
                Tasks waiting for a retry, requeued tasks and tasks taken back
                from their workers are admitted even when the queue is full.
            clock: time source for backoff, ages, TTLs and visibility timeouts.
            retry_policy: attempts and backoff used by ``fail(retry=True)``.
            cleanup_interval: seconds between runs of the background cleaner,
                which starts with ``start_cleanup()``.
            keep_finished: maximum number of succeeded or cancelled task
                records kept for ``get_task()``. Older ones are dropped.
            max_dead_letters: maximum number of failed tasks kept for
                ``dead_letters()``. Beyond it the oldest is dropped with a
                warning.
            rng: random source for the backoff jitter.
            visibility_timeout: seconds a popped task may run without
                ``ack()``, ``fail()`` or ``touch()`` before the queue takes it
                back, or None for no limit.
        """
        backend = MemoryQueueBackend(
            maxsize,
            clock=clock,
            retry_policy=retry_policy,
            rng=rng,
            keep_finished=keep_finished,
            max_dead_letters=max_dead_letters,
            visibility_timeout=visibility_timeout,
        )
        super().__init__(backend, PublicStore(clock), cleanup_interval=cleanup_interval)
