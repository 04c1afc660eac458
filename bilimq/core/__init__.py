"""Task queue and TTL key-value store, in process or shared through Redis.

``MemoryQueue`` hands task dicts from producer threads to worker threads, by
priority and then in push order, and tracks each task through the states
queued, running, succeeded, failed, retrying and cancelled. ``PublicStore``
(reachable through the queue's ``set_public()`` and related methods) shares
values between threads, each with an optional TTL. Both keep their data in a
backend: in this process on the standard library alone (the default), or on
a Redis server that several processes share (``make_queue("redis", url)``,
which needs redis-py). ``make_shared_store(url)`` builds a store alone on
Redis that falls back to memory while the server does not respond. This
package imports nothing else of bilimq, and it logs on the standard
``logging`` logger ``bilimq.core``.

Example::

    import threading
    from bilimq.core import MemoryQueue

    q = MemoryQueue(maxsize=8)
    q.set_public("greeting", "hello", ttl=60)

    def worker() -> None:
        while (task := q.pop_task(timeout=1)) is not None:
            print(q.get_public("greeting"), task["params"]["name"])
            q.ack(task["task_id"])

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for name in ("a", "b", "c"):
        q.push_task({"type": "greet", "params": {"name": name}})
    q.close()  # workers drain the queue, then pop_task returns None
    for thread in threads:
        thread.join()
    print(q.stats().succeeded)  # 3

Module-level ``push_task``, ``pop_task``, ``set_public``, ``get_public`` and
``delete_public`` act on one process-wide queue returned by ``get_queue()``.
``docs/queue.md`` describes the whole API.
"""

from __future__ import annotations

from bilimq.core.backend import (
    Expiry,
    FailResult,
    QueueBackend,
    QueueStats,
    StoreBackend,
)
from bilimq.core.default import (
    delete_public,
    get_public,
    get_queue,
    pop_task,
    push_task,
    set_default_queue,
    set_public,
)
from bilimq.core.errors import (
    BackendError,
    CoreError,
    DuplicateTaskError,
    InvalidTaskError,
    QueueClosed,
    QueueFull,
    TaskNotFoundError,
    TaskStateError,
)
from bilimq.core.factory import (
    BACKENDS,
    make_queue,
    make_redis_queue,
    make_shared_store,
)
from bilimq.core.fallback_store import FallbackStoreBackend
from bilimq.core.hooks import HOOK_NAMES
from bilimq.core.memory_queue import MemoryQueueBackend
from bilimq.core.queue import MemoryQueue, TaskQueue
from bilimq.core.retry import RetryPolicy
from bilimq.core.store import MISSING, Clock, MemoryStoreBackend, PublicStore
from bilimq.core.task import Task, TaskInfo, TaskState, new_task_id

__all__ = [
    "BACKENDS",
    "HOOK_NAMES",
    "MISSING",
    "BackendError",
    "Clock",
    "CoreError",
    "DuplicateTaskError",
    "Expiry",
    "FailResult",
    "FallbackStoreBackend",
    "InvalidTaskError",
    "MemoryQueue",
    "MemoryQueueBackend",
    "MemoryStoreBackend",
    "PublicStore",
    "QueueBackend",
    "QueueClosed",
    "QueueFull",
    "QueueStats",
    "RetryPolicy",
    "StoreBackend",
    "Task",
    "TaskInfo",
    "TaskNotFoundError",
    "TaskQueue",
    "TaskState",
    "TaskStateError",
    "delete_public",
    "get_public",
    "get_queue",
    "make_queue",
    "make_redis_queue",
    "make_shared_store",
    "new_task_id",
    "pop_task",
    "push_task",
    "set_default_queue",
    "set_public",
]
