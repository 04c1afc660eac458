"""make_queue, the backends' protocols, and queues shared between processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from bilimq.core import (
    BackendError,
    MemoryQueue,
    MemoryQueueBackend,
    MemoryStoreBackend,
    QueueBackend,
    StoreBackend,
    TaskQueue,
    TaskState,
    make_queue,
)

if TYPE_CHECKING:
    from conftest import RedisKeys


def _free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then freed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# -- memory ----------------------------------------------------------------------


def test_make_queue_default_memory() -> None:
    assert isinstance(make_queue(), MemoryQueue)


def test_make_queue_passes_options() -> None:
    queue = make_queue("memory", maxsize=3, visibility_timeout=9)
    assert queue.maxsize == 3


def test_make_queue_empty_url_memory() -> None:
    assert isinstance(make_queue("memory", ""), MemoryQueue)


def test_make_queue_memory_rejects_url() -> None:
    with pytest.raises(ValueError, match="memory backend takes no url"):
        make_queue("memory", "redis://127.0.0.1:6379/0")


def test_make_queue_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown queue backend 'sqlite'"):
        make_queue("sqlite")


def test_memory_backends_match_protocols() -> None:
    assert isinstance(MemoryQueueBackend(), QueueBackend)
    assert isinstance(MemoryStoreBackend(), StoreBackend)


def test_memory_path_without_redis() -> None:
    # A None entry in sys.modules makes `import redis` fail as if not installed.
    result = _run_python(
        """
        import sys
        sys.modules["redis"] = None
        from bilimq.core import BackendError, make_queue
        queue = make_queue("memory")
        queue.push_task({"type": "t", "task_id": "a"})
        print(queue.pop_task(timeout=0)["task_id"])
        try:
            make_queue("redis", "redis://127.0.0.1:6379/0")
        except BackendError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "a"
    assert "pip install 'redis>=5,<8'" in lines[1]


# -- redis -----------------------------------------------------------------------


def test_make_queue_redis_refused(redis_keys: RedisKeys) -> None:
    url = f"redis://127.0.0.1:{_free_port()}/0"
    with pytest.raises(BackendError, match="cannot use Redis at redis://127.0.0.1"):
        make_queue("redis", url)


def test_make_queue_redis_bad_scheme(redis_keys: RedisKeys) -> None:
    with pytest.raises(BackendError, match="fix the URL"):
        make_queue("redis", "http://127.0.0.1:6379/0")


def test_make_queue_redis_hides_password(redis_keys: RedisKeys) -> None:
    url = f"redis://:hunter2@127.0.0.1:{_free_port()}/0"
    with pytest.raises(BackendError) as caught:
        make_queue("redis", url)
    assert "hunter2" not in str(caught.value)
    assert ":***@127.0.0.1" in str(caught.value)


def test_make_queue_redis_backends(redis_keys: RedisKeys) -> None:
    from bilimq.core.redis_queue import RedisQueueBackend
    from bilimq.core.redis_store import RedisStoreBackend

    queue = make_queue("redis", redis_keys.url, prefix=redis_keys.new_prefix())
    assert isinstance(queue, TaskQueue)
    assert isinstance(queue.backend, RedisQueueBackend)
    assert isinstance(queue.backend, QueueBackend)
    assert isinstance(queue.store.backend, RedisStoreBackend)
    assert isinstance(queue.store.backend, StoreBackend)


def test_redis_queues_share_tasks(redis_keys: RedisKeys) -> None:
    prefix = redis_keys.new_prefix()
    producer = make_queue("redis", redis_keys.url, prefix=prefix)
    consumer = make_queue("redis", redis_keys.url, prefix=prefix)
    producer.push_task({"type": "t", "task_id": "low"}, priority=1)
    producer.push_task({"type": "t", "task_id": "high"}, priority=5)
    first = consumer.pop_task(timeout=0)
    assert first is not None
    assert first["task_id"] == "high"
    consumer.ack("high")
    assert producer.get_task("high").state is TaskState.SUCCEEDED
    assert producer.stats().succeeded == 1


def test_redis_queues_share_store(redis_keys: RedisKeys) -> None:
    prefix = redis_keys.new_prefix()
    writer = make_queue("redis", redis_keys.url, prefix=prefix)
    reader = make_queue("redis", redis_keys.url, prefix=prefix)
    writer.set_public("cooldown", 12.5, ttl=60)
    writer.set_public("nothing", None)
    assert reader.get_public("cooldown") == 12.5
    assert reader.has_public("nothing") is True
    assert reader.list_keys() == ["cooldown", "nothing"]


def test_redis_prefixes_are_separate(redis_keys: RedisKeys) -> None:
    first = make_queue("redis", redis_keys.url, prefix=redis_keys.new_prefix())
    second = make_queue("redis", redis_keys.url, prefix=redis_keys.new_prefix())
    first.push_task({"type": "t"})
    first.set_public("k", 1)
    assert second.pop_task(timeout=0) is None
    assert second.get_store_size() == 0


def test_redis_close_is_local(redis_keys: RedisKeys) -> None:
    prefix = redis_keys.new_prefix()
    closing = make_queue("redis", redis_keys.url, prefix=prefix)
    other = make_queue("redis", redis_keys.url, prefix=prefix)
    closing.close()
    other.push_task({"type": "t", "task_id": "a"})
    assert closing.pop_task(timeout=0)["task_id"] == "a"
    assert closing.pop_task() is None


def test_redis_json_serializer(redis_keys: RedisKeys) -> None:
    import json

    prefix = redis_keys.new_prefix()
    queue = make_queue("redis", redis_keys.url, prefix=prefix, serializer=json)
    queue.push_task({"type": "t", "task_id": "a", "params": {"n": [1, 2]}})
    queue.set_public("k", {"v": 1})
    assert queue.pop_task(timeout=0)["params"] == {"n": [1, 2]}
    assert queue.get_public("k") == {"v": 1}


def test_redis_processes_share_queue(redis_keys: RedisKeys) -> None:
    prefix = redis_keys.new_prefix()
    queue = make_queue("redis", redis_keys.url, prefix=prefix)
    ids = {queue.push_task({"type": "t", "params": {"n": n}}) for n in range(300)}
    worker = f"""
        from bilimq.core import make_queue
        queue = make_queue("redis", {redis_keys.url!r}, prefix={prefix!r})
        while (task := queue.pop_task(timeout=1)) is not None:
            queue.ack(task["task_id"])
            print(task["task_id"])
    """
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(worker)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=60)[0].split() for process in workers]
    seen = [task_id for output in outputs for task_id in output]
    assert [process.returncode for process in workers] == [0, 0, 0]
    assert sorted(seen) == sorted(ids)
    assert queue.stats().succeeded == 300


def test_redis_dead_process_task_returns(redis_keys: RedisKeys) -> None:
    # A process pops a task and dies without ack(): the visibility timeout
    # brings the task back to another process.
    prefix = redis_keys.new_prefix()
    queue = make_queue("redis", redis_keys.url, prefix=prefix, visibility_timeout=0.5)
    expired: list[str] = []
    queue.add_hook("on_expire", lambda task, reason: expired.append(reason))
    queue.push_task({"type": "t", "task_id": "a"})
    result = _run_python(
        f"""
        import os
        from bilimq.core import make_queue
        queue = make_queue("redis", {redis_keys.url!r}, prefix={prefix!r},
                           visibility_timeout=0.5)
        print(queue.pop_task(timeout=5)["task_id"], flush=True)
        os._exit(9)
        """
    )
    assert result.stdout.strip() == "a"
    task = queue.pop_task(timeout=30)
    assert task is not None
    assert task["task_id"] == "a"
    assert queue.get_task("a").attempts == 2
    assert expired == ["visibility timeout of 0.5 s passed"]
