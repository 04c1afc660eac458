"""The basic usage example, run exactly as users write it.

It pushes one task and pops it in a worker thread that stops on a pop
timeout. The worker waits 3 s for that final timeout, so this is the one slow
test of the package.
"""

from __future__ import annotations

import re

import pytest


def test_spec_example(capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    from bilimq.core import MemoryQueue

    q = MemoryQueue()
    q.push_task({"type": "download", "params": {"url": "https://example.com"}})

    def worker():
        while True:
            task = q.pop_task(timeout=3)
            if task is None:
                break
            print("processing", task["task_id"], task["type"])

    t = threading.Thread(target=worker, daemon=True)
    t.start()
    t.join()

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"processing [0-9a-f-]{36} download", lines[0])
    assert q.is_empty()
    assert q.stats().running == 1
