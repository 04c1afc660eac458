"""`bilimq run` with `[queue] backend = "redis"`: a public store shared by every run.

Runs share the search cache and the risk-control cooldown through Redis, while
each run keeps its dispatch queue in memory. The tests use the server in
BILIMQ_TEST_REDIS_URL under a key prefix of their own, and a private
redis-server where Redis has to go away.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bilimq.bilibili.errors import RiskControlError
from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.config import QueueSettings, RunSettings, Secret, Settings
from bilimq.core import FallbackStoreBackend
from bilimq.core.redis_client import connect
from bilimq.daemon import (
    Daemon,
    QueueUnavailable,
    RunObserver,
    describe_store,
    open_queue,
)
from bilimq.database import Ledger
from bilimq.jobs import CACHE_FORMAT
from bilimq.songs.filenames import safe_filename
from tests.fakebili.catalog import EXPECTED_BVID
from tests.fakebili.server import FakeBilibili
from tests.redis_support import (
    PrivateRedis,
    free_port,
    new_prefix,
    redis_test_url,
    remove_prefix,
)
from tests.test_end_to_end import Bilimq, sandbox

SEARCH_PATH = "/x/web-interface/wbi/search/type"
LINES = ["像鱼 (伴奏) - 王贰浪", "玉盘 - 葫芦童声"]
COOLDOWN = 10.0


class WallClock:
    """A wall clock that stays still until a test moves it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def redis_url() -> str:
    return redis_test_url()


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    chosen = new_prefix()
    yield chosen
    remove_prefix(redis_url, chosen)


def redis_settings(url: str, prefix: str, **queue: object) -> Settings:
    settings = Settings()
    return replace(
        settings,
        queue=QueueSettings(backend="redis", url=Secret(url), prefix=prefix, **queue),
        run=replace(RunSettings(), cooldown=COOLDOWN, backoff_max=600.0),
    )


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger.create_schema()
    yield ledger
    ledger.dispose()


@pytest.fixture
def make_daemon(ledger: Ledger) -> Iterator[Callable[..., Daemon]]:
    daemons: list[Daemon] = []

    def build(settings: Settings, wall_clock: WallClock) -> Daemon:
        daemon = Daemon(
            settings, ledger, RunObserver(), workers=2, wall_clock=wall_clock
        )
        daemons.append(daemon)
        return daemon

    yield build
    for daemon in daemons:
        if daemon._redis is not None:
            daemon._redis.close()


def risk_control() -> RiskControlError:
    return RiskControlError(endpoint=SEARCH_PATH, code=-352, signal="code -352")


# -- the public store ----------------------------------------------------------------


def test_open_queue_redis_store(redis_url: str, prefix: str) -> None:
    queue, client = open_queue(redis_settings(redis_url, prefix).queue, workers=3)
    try:
        queue.set_public("search:x", [], ttl=60)
        assert queue.maxsize == 3
        assert isinstance(queue.store.backend, FallbackStoreBackend)
        assert client.exists(f"{prefix}:public:s:v:search:x") == 1
    finally:
        client.close()


def test_open_queue_memory_store() -> None:
    queue, client = open_queue(QueueSettings(), workers=2)
    assert client is None
    assert queue.maxsize == 2
    queue.set_public("k", 1)
    assert queue.get_public("k") == 1
    # start_cleanup() without an interval raises unless the setting reached it.
    queue.start_cleanup()
    try:
        assert queue.cleaner_running is True
    finally:
        assert queue.stop_cleanup(timeout=5) is True


def test_describe_store_redis_masks_password() -> None:
    settings = QueueSettings(
        backend="redis", url=Secret("redis://:hunter2@cache:6379/1"), prefix="bq"
    )
    assert describe_store(settings) == "on Redis redis://:***@cache:6379/1, prefix bq"
    assert describe_store(QueueSettings()) == "in memory"


def test_search_hits_redis_round_trip(redis_url: str, prefix: str) -> None:
    # The search cache stores SearchHit lists and VideoPart tuples (pickled).
    hits = [
        SearchHit(
            bvid="BV1xx411c7mD",
            aid=1,
            title="像鱼 (伴奏)",
            author="王贰浪",
            mid=2,
            duration=286,
            play=1000,
            typeid=3,
            typename="音乐",
            tags=("伴奏", "翻唱"),
            pic="https://i0.hdslb.com/cover.jpg",
            rank=0,
            is_charge=True,
        )
    ]
    parts = (VideoPart(cid=9, page=1, title="P1", duration=286),)
    settings = redis_settings(redis_url, prefix).queue
    writer, writer_client = open_queue(settings, workers=1)
    reader, reader_client = open_queue(settings, workers=1)
    try:
        writer.set_public("search:像鱼", hits, ttl=600)
        writer.set_public("parts:BV1xx411c7mD", parts, ttl=600)

        assert reader.get_public("search:像鱼") == hits
        assert reader.get_public("parts:BV1xx411c7mD") == parts
        assert type(reader.get_public("search:像鱼")[0]) is SearchHit
    finally:
        writer_client.close()
        reader_client.close()


def test_queue_cleaner_redis_interval(redis_url: str, prefix: str) -> None:
    settings = redis_settings(redis_url, prefix, cleanup_interval=0.1).queue
    queue, client = open_queue(settings, workers=1)
    index = f"{prefix}:public:s:keys"
    try:
        queue.set_public("short", 1, ttl=0.05)
        assert client.zcard(index) == 1
        queue.start_cleanup()
        deadline = time.monotonic() + 10
        while client.zcard(index) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.zcard(index) == 0
    finally:
        queue.stop_cleanup(timeout=5)
        client.close()


# -- the cooldown -------------------------------------------------------------------


def test_daemons_redis_share_cooldown(
    redis_url: str, prefix: str, make_daemon: Callable[..., Daemon]
) -> None:
    clock = WallClock()
    first = make_daemon(redis_settings(redis_url, prefix), clock)
    second = make_daemon(redis_settings(redis_url, prefix), clock)

    first.start_cooldown(risk_control())

    waited = second.cooldown_remaining()
    assert 0.8 * COOLDOWN <= waited <= COOLDOWN
    assert first.cooldown_remaining() == waited
    clock.advance(waited)
    assert second.cooldown_remaining() == 0.0


def test_daemons_redis_share_strikes(
    redis_url: str, prefix: str, make_daemon: Callable[..., Daemon]
) -> None:
    clock = WallClock()
    first = make_daemon(redis_settings(redis_url, prefix), clock)
    second = make_daemon(redis_settings(redis_url, prefix), clock)
    first.start_cooldown(risk_control())
    clock.advance(first.cooldown_remaining())

    second.start_cooldown(risk_control())

    # The second strike doubles the pause (less at most 20% jitter).
    assert first.cooldown_remaining() >= 1.6 * COOLDOWN


def test_daemons_memory_keep_cooldown_apart(
    make_daemon: Callable[..., Daemon],
) -> None:
    # The control case: without Redis, each run pauses on its own.
    settings = replace(Settings(), run=replace(RunSettings(), cooldown=COOLDOWN))
    clock = WallClock()
    first = make_daemon(settings, clock)
    second = make_daemon(settings, clock)

    first.start_cooldown(risk_control())

    assert first.cooldown_remaining() > 0
    assert second.cooldown_remaining() == 0.0


def test_daemon_redis_outage_keeps_cooldown(
    tmp_path: Path,
    make_daemon: Callable[..., Daemon],
    log_lines: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bilimq.core")
    server = PrivateRedis(tmp_path, password="hunter2")
    server.start()
    try:
        clock = WallClock()
        daemon = make_daemon(redis_settings(server.url, "outage"), clock)
        daemon.queue.set_public("search:before", [], ttl=60)
    finally:
        server.stop()

    daemon.start_cooldown(risk_control())
    for _ in range(3):
        assert daemon.cooldown_remaining() > 0
    assert daemon.queue.get_public("search:before") is None

    core_warnings = [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
    ]
    assert len(core_warnings) == 1
    assert f"Redis at redis://127.0.0.1:{server.port}/0 failed" in core_warnings[0]
    assert any("pausing all workers" in line for line in log_lines)
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
    assert all("hunter2" not in line for line in log_lines)


def test_daemon_redis_unreachable_raises(tmp_path: Path, ledger: Ledger) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    settings = redis_settings(url, "unreachable")

    with pytest.raises(QueueUnavailable) as caught:
        Daemon(settings, ledger, RunObserver(), workers=1)

    message = str(caught.value)
    assert "hunter2" not in message
    assert "redis://:***@127.0.0.1:" in message
    assert "[queue] url" in message


# -- `bilimq run` processes ------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBilibili]:
    with FakeBilibili(stall_seconds=3.0) as server:
        yield server


def redis_sandbox(
    folder: Path, fake: FakeBilibili, url: str, prefix: str, database: str = ""
) -> Bilimq:
    folder.mkdir(parents=True, exist_ok=True)
    database = database or f"sqlite:///{folder / 'ledger.db'}"
    runner = sandbox(folder, database, fake.api_base, fake.video_base)
    runner.env.update(
        {
            "BILIMQ_QUEUE_BACKEND": "redis",
            "BILIMQ_QUEUE_URL": url,
            "BILIMQ_QUEUE_PREFIX": prefix,
        }
    )
    return runner


def keys_under(url: str, prefix: str) -> list[str]:
    client = connect(url)
    try:
        return sorted(name.decode() for name in client.scan_iter(f"{prefix}:*"))
    finally:
        client.close()


def test_run_redis_end_to_end(
    tmp_path: Path, fake: FakeBilibili, redis_url: str, prefix: str
) -> None:
    first = redis_sandbox(tmp_path / "first", fake, redis_url, prefix)
    assert first("add", *LINES).returncode == 0

    ran = first("run", "--workers", "2", "--exit-when-idle")

    assert ran.returncode == 0, ran.stderr
    started = f"public store on Redis {redis_url}, prefix {prefix}"
    assert started in log_text(tmp_path / "first" / "logs")
    files = sorted(p.name for p in first.library.iterdir() if p.is_file())
    assert files == sorted(safe_filename(line, "m4a") for line in LINES)
    ledger = first.ledger()
    try:
        for record in ledger.list_tasks():
            assert record.state == "done", record
            assert record.bvid == EXPECTED_BVID[record.line]
    finally:
        ledger.dispose()
    keys = keys_under(redis_url, prefix)
    assert keys, "the run stored nothing in Redis"
    assert all(key.startswith(f"{prefix}:public:") for key in keys), keys
    assert any(
        key.startswith(f"{prefix}:public:s:v:{CACHE_FORMAT}:search:") for key in keys
    )

    # Another run, with a ledger and a library of its own, finds the searches
    # of the first one in Redis.
    searches = len(fake.requests_to(SEARCH_PATH))
    second = redis_sandbox(tmp_path / "second", fake, redis_url, prefix)
    assert second("add", LINES[0]).returncode == 0
    again = second("run", "--workers", "1", "--exit-when-idle")

    assert again.returncode == 0, again.stderr
    assert len(fake.requests_to(SEARCH_PATH)) == searches
    assert [p.name for p in second.library.iterdir() if p.is_file()] == [
        safe_filename(LINES[0], "m4a")
    ]


# Without and with -v, which adds the traceback.
RUN_ARGS = [["run"], ["-v", "run"]]


def test_run_redis_unreachable_exits_1(tmp_path: Path, fake: FakeBilibili) -> None:
    port = free_port()
    url = f"redis://:hunter2@127.0.0.1:{port}/0"
    runner = redis_sandbox(tmp_path, fake, url, "unreachable")
    assert runner("add", LINES[0]).returncode == 0

    runs = [runner(*args, "--exit-when-idle", timeout=60) for args in RUN_ARGS]

    for ran in runs:
        assert ran.returncode == 1, ran.stderr
        assert f"cannot use Redis at redis://:***@127.0.0.1:{port}/0" in ran.stderr
        assert "hunter2" not in ran.stderr
        assert "hunter2" not in ran.stdout
    assert runs[0].stderr.count("error:") == 1
    for log_file in (tmp_path / "logs").iterdir():
        assert "hunter2" not in log_file.read_text(encoding="utf-8")
    ledger = runner.ledger()
    try:
        assert ledger.counts()["pending"] == 1
    finally:
        ledger.dispose()


def start_run(runner: Bilimq, log_dir: Path) -> subprocess.Popen[str]:
    env = dict(runner.env, BILIMQ_PATHS_LOG_DIR=str(log_dir))
    return subprocess.Popen(
        [sys.executable, "-m", "bilimq", "run", "--workers", "1"],
        cwd=runner.cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def wait_for(condition: Callable[[], bool], event: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {event}")


def log_text(log_dir: Path) -> str:
    return "".join(
        path.read_text(encoding="utf-8") for path in sorted(log_dir.glob("*.log"))
    )


def test_run_redis_processes_back_off_together(
    tmp_path: Path, fake: FakeBilibili, redis_url: str, prefix: str
) -> None:
    runner = redis_sandbox(tmp_path, fake, redis_url, prefix)
    # Long enough that the cooldown outlasts the test.
    runner.env["BILIMQ_RUN_COOLDOWN"] = "60"
    assert runner("add", LINES[0]).returncode == 0
    fake.fail_next(SEARCH_PATH, "code-352")
    searches = len(fake.requests_to(SEARCH_PATH))
    logs = [tmp_path / "logs-a", tmp_path / "logs-b"]
    processes = [start_run(runner, log_dir) for log_dir in logs]
    client = connect(redis_url)
    try:
        cooldown_key = f"{prefix}:public:s:v:cooldown:bilibili"
        wait_for(lambda: client.exists(cooldown_key) == 1, "the shared cooldown")
        assert runner("add", LINES[1]).returncode == 0
        notice = "another run hit Bilibili's risk control"
        wait_for(
            lambda: any(notice in log_text(log_dir) for log_dir in logs),
            "the other run to notice the cooldown",
        )
        # Both feeders poll every 0.2 s, so this gives them several rounds to
        # claim the new task if the cooldown did not stop them.
        time.sleep(2)

        assert len(fake.requests_to(SEARCH_PATH)) == searches + 1
        ledger = runner.ledger()
        try:
            pending = [r.line for r in ledger.list_tasks() if r.state == "pending"]
        finally:
            ledger.dispose()
        assert pending == [LINES[1]]
    finally:
        client.close()
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.communicate(timeout=30)
            finally:
                process.kill()
    assert [process.returncode for process in processes] == [130, 130]
    texts = [log_text(log_dir) for log_dir in logs]
    paused = [text for text in texts if "pausing all workers" in text]
    noticed = [text for text in texts if notice in text]
    assert len(paused) == 1
    assert len(noticed) == 1
    assert paused != noticed


def test_run_redis_outage_mid_run_finishes(tmp_path: Path, fake: FakeBilibili) -> None:
    server = PrivateRedis(tmp_path, password="hunter2")
    server.start()
    runner = redis_sandbox(tmp_path / "run", fake, server.url, "outage")
    assert runner("add", LINES[0]).returncode == 0
    # The first search stalls, which keeps the run busy while Redis stops.
    fake.fail_next(SEARCH_PATH, "stall")
    searches = len(fake.requests_to(SEARCH_PATH))
    process = subprocess.Popen(
        [sys.executable, "-m", "bilimq", "run", "--workers", "1", "--exit-when-idle"],
        cwd=runner.cwd,
        env=runner.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        wait_for(
            lambda: len(fake.requests_to(SEARCH_PATH)) > searches, "the first search"
        )
        server.stop()
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
        server.stop()

    assert process.returncode == 0, stderr
    assert stderr.count(f"Redis at redis://127.0.0.1:{server.port}/0 failed") == 1
    assert "hunter2" not in stderr
    assert "hunter2" not in log_text(tmp_path / "run" / "logs")
    ledger = runner.ledger()
    try:
        assert [record.state for record in ledger.list_tasks()] == ["done"]
    finally:
        ledger.dispose()
