"""make_queue and make_shared_store: build queues and stores on either backend."""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from bilimq.core.fallback_store import RETRY_INTERVAL, FallbackStoreBackend
from bilimq.core.queue import MemoryQueue, TaskQueue
from bilimq.core.redis_client import (
    DEFAULT_SERIALIZER,
    Serializer,
    connect,
    describe_client,
    outage_errors,
)
from bilimq.core.redis_queue import RedisQueueBackend
from bilimq.core.redis_store import RedisStoreBackend
from bilimq.core.retry import RetryPolicy
from bilimq.core.store import Clock, MemoryStoreBackend, PublicStore

if TYPE_CHECKING:
    import redis

BACKENDS = ("memory", "redis")
"""The names that ``make_queue`` accepts."""


def make_queue(
    backend: str = "memory", url: str | None = None, **options: Any
) -> TaskQueue:
    """Build a task queue with its public store on ``backend``.

    ``"memory"`` (the default) returns a ``MemoryQueue``: the options are its
    constructor arguments, and ``url`` must be None or empty. ``"redis"``
    connects to ``url`` (default ``redis://127.0.0.1:6379/0``) and returns a
    queue whose tasks and store every process with the same server and
    ``prefix`` shares. ``make_redis_queue`` lists its options.

    Raises:
        ValueError: the backend name is unknown, or memory got a URL.
        BackendError: redis-py is not installed or the server does not respond.
    """
    if backend == "memory":
        if url:
            raise ValueError(
                f"the memory backend takes no url (got {url!r}): leave it empty, "
                'or use backend="redis"'
            )
        return MemoryQueue(**options)
    if backend == "redis":
        return make_redis_queue(url, **options)
    raise ValueError(
        f"unknown queue backend {backend!r}: use one of {', '.join(BACKENDS)}"
    )


def make_redis_queue(
    url: str | None = None,
    *,
    client: redis.Redis | None = None,
    prefix: str = "bilimq",
    maxsize: int = 0,
    clock: Clock = time.time,
    retry_policy: RetryPolicy | None = None,
    cleanup_interval: float | None = None,
    keep_finished: int = 10_000,
    max_dead_letters: int = 10_000,
    rng: random.Random | None = None,
    visibility_timeout: float | None = None,
    poll_interval: float = 0.2,
    serializer: Serializer = DEFAULT_SERIALIZER,
) -> TaskQueue:
    """Build a task queue and public store that live on a Redis server.

    Args:
        url: the server, as ``redis://[:password@]host:port/db``.
        client: a redis-py client to use instead of connecting to ``url``,
            for example to share one connection pool.
        prefix: first part of every key. Processes that pass the same prefix
            share one queue and one store; tests use a unique prefix each.
        maxsize: maximum number of ready tasks, checked by this process's
            pushes, or 0 for no limit.
        clock: wall-clock seconds shared by all processes (``time.time``).
        visibility_timeout: seconds a popped task may run without ``ack()``,
            ``fail()`` or ``touch()`` before any process takes it back. It is
            also how the tasks of a process that died return to the queue.
        poll_interval: maximum seconds a blocked push, pop or join waits
            before it reads the server again.
        serializer: turns tasks and values into bytes (``pickle`` by default).

    The other arguments are those of ``MemoryQueue``.
    """
    if client is None:
        client = connect(url)
    elif url:
        raise ValueError("make_redis_queue got both url and client: pass one of them")
    backend = RedisQueueBackend(
        client,
        prefix,
        maxsize=maxsize,
        clock=clock,
        retry_policy=retry_policy,
        rng=rng,
        keep_finished=keep_finished,
        max_dead_letters=max_dead_letters,
        visibility_timeout=visibility_timeout,
        poll_interval=poll_interval,
        serializer=serializer,
    )
    store_backend = RedisStoreBackend(
        client, prefix, clock=clock, serializer=serializer
    )
    store = PublicStore(backend=store_backend)
    return TaskQueue(backend, store, cleanup_interval=cleanup_interval)


def make_shared_store(
    url: str | None = None,
    *,
    client: redis.Redis | None = None,
    prefix: str = "bilimq",
    clock: Clock = time.time,
    cleanup_interval: float | None = None,
    retry_interval: float = RETRY_INTERVAL,
    serializer: Serializer = DEFAULT_SERIALIZER,
) -> PublicStore:
    """Build a public store on Redis that falls back to memory during outages.

    The store shares its values with every process that uses the same server
    and ``prefix``. When the server stops responding, the store logs one
    warning and keeps working on values in this process only, then shares
    again once the server responds (see ``FallbackStoreBackend``). The server
    must respond when the store is built.

    Args:
        url: the server, as ``redis://[:password@]host:port/db``.
        client: a redis-py client to use instead of connecting to ``url``.
        prefix: first part of every key.
        clock: wall-clock seconds shared by all processes (``time.time``).
        cleanup_interval: seconds between runs of the background cleaner,
            which starts with ``start_cleanup()``.
        retry_interval: seconds between attempts to reach the server during
            an outage.
        serializer: turns values into bytes (``pickle`` by default).

    Raises:
        BackendError: redis-py is not installed or the server does not respond.
    """
    if client is None:
        client = connect(url)
    elif url:
        raise ValueError("make_shared_store got both url and client: pass one of them")
    backend = FallbackStoreBackend(
        RedisStoreBackend(client, prefix, clock=clock, serializer=serializer),
        MemoryStoreBackend(clock),
        errors=outage_errors(),
        name=f"Redis at {describe_client(client)}",
        retry_interval=retry_interval,
    )
    return PublicStore(backend=backend, cleanup_interval=cleanup_interval)
