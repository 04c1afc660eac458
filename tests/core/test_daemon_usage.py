"""The queue used the way bilimq's daemon uses it: feeder, workers, cooldown."""

from __future__ import annotations

import threading
from collections import Counter

from bilimq.core import MemoryQueue, QueueFull, TaskState

WORKERS = 3
ROWS = 200


def test_daemon_feeder_workers_cooldown() -> None:
    q = MemoryQueue(maxsize=WORKERS * 2, cleanup_interval=5.0)
    q.start_cleanup()
    done: Counter[int] = Counter()
    done_lock = threading.Lock()

    def feeder() -> None:
        row_id = 0
        while row_id < ROWS:
            try:
                q.push_task(
                    {"type": "resolve_song", "params": {"row_id": row_id}},
                    block=True,
                    timeout=0.5,
                )
            except QueueFull:
                continue
            row_id += 1

    def worker() -> None:
        while True:
            task = q.pop_task(timeout=0.5)
            if task is None:
                if q.closed:
                    return
                continue
            row_id = task["params"]["row_id"]
            if row_id % 10 == 0:
                q.fail(task["task_id"], f"row {row_id} has no match", retry=False)
            else:
                with done_lock:
                    done[row_id] += 1
                q.ack(task["task_id"])

    workers = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in workers:
        thread.start()
    feeder_thread = threading.Thread(target=feeder)
    feeder_thread.start()

    until = 1234.5
    q.set_public("cooldown:bilibili", until, ttl=30)
    assert q.get_public("cooldown:bilibili") == until

    feeder_thread.join(timeout=30)
    q.close()
    for thread in workers:
        thread.join(timeout=30)
    assert q.stop_cleanup() is True

    stats = q.stats()
    assert stats.succeeded == ROWS - ROWS // 10
    assert stats.failed == ROWS // 10
    assert stats.running == 0
    assert stats.queued == 0
    assert all(count == 1 for count in done.values())
    assert len(done) == ROWS - ROWS // 10
    dead = q.dead_letters()
    assert {letter.state for letter in dead} == {TaskState.FAILED}
    errors = {letter.last_error for letter in dead}
    assert errors == {f"row {row} has no match" for row in range(0, ROWS, 10)}
