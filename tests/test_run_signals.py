"""`bilimq run` stopped by Ctrl-C or killed outright keeps every task.

Both tests hold a download open with the fake server's stall injection, so the
signal arrives while a worker is inside yt-dlp.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bilimq.database import Ledger
from tests.fakebili.catalog import EXPECTED_BVID
from tests.fakebili.server import FakeBilibili
from tests.test_end_to_end import Bilimq, sandbox

LINE = "像鱼 (伴奏) - 王贰浪"


@pytest.fixture
def stalling_fake() -> Iterator[FakeBilibili]:
    with FakeBilibili(stall_seconds=20.0) as server:
        yield server


def start_run(bilimq: Bilimq, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bilimq", "run", "--workers", "1", *args],
        cwd=bilimq.cwd,
        env=bilimq.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def wait_for_state(ledger: Ledger, state: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ledger.counts()[state] == 1:
            return
        time.sleep(0.1)
    raise AssertionError(f"no task reached {state!r} within {timeout} s")


def wait_for_stall(fake: FakeBilibili, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fake.requests_to("/video/"):
            time.sleep(0.5)
            return
        time.sleep(0.1)
    raise AssertionError("the download never started")


@pytest.fixture
def bilimq(tmp_path: Path, stalling_fake: FakeBilibili) -> Bilimq:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    runner = sandbox(tmp_path, url, stalling_fake.api_base, stalling_fake.video_base)
    runner.env["BILIMQ_RUN_LEASE_SECONDS"] = "2"
    assert runner("add", LINE).returncode == 0
    return runner


def test_ctrl_c_returns_task_to_pending(
    bilimq: Bilimq, stalling_fake: FakeBilibili
) -> None:
    # Every retry stalls too, so the download cannot finish during shutdown.
    stalling_fake.fail_next("/video/", "stall", count=5)
    process = start_run(bilimq)
    ledger = bilimq.ledger()
    try:
        wait_for_state(ledger, "downloading")
        wait_for_stall(stalling_fake)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)

        assert process.returncode == 130, stderr
        assert "interrupted" in stderr
        assert "Traceback" not in stderr
        record = ledger.list_tasks()[0]
        assert record.state == "pending"
        assert record.attempts == 0
    finally:
        process.kill()
        ledger.dispose()


def test_killed_run_is_resumed(bilimq: Bilimq, stalling_fake: FakeBilibili) -> None:
    # yt-dlp's generic extractor first probes the URL, then downloads it; both
    # requests stall, so the kill always lands before the file is complete.
    stalling_fake.fail_next("/video/", "stall", count=2)
    process = start_run(bilimq)
    ledger = bilimq.ledger()
    try:
        wait_for_state(ledger, "downloading")
        wait_for_stall(stalling_fake)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)

        resumed = bilimq("run", "--workers", "1", "--exit-when-idle")

        assert resumed.returncode == 0, resumed.stderr
        record = ledger.list_tasks()[0]
        assert record.state == "done"
        # The crash costs one attempt; a slow machine may add a retry.
        assert record.attempts >= 1, record.last_error
        assert record.bvid == EXPECTED_BVID[LINE]
        files = [p for p in bilimq.library.iterdir() if p.is_file()]
        assert [p.name for p in files] == [Path(record.output_path or "").name]
    finally:
        process.kill()
        ledger.dispose()
