"""The task ledger on a real SQLite file and a real MariaDB database."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bilimq.database import Ledger, NewTask, Task, TaskState, key_digest


class FakeClock:
    """A settable clock for leases and backoff."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def new_task(line: str) -> NewTask:
    return NewTask(line=line, dedupe_key=line.casefold(), title=line, artists=("A",))


@pytest.fixture
def clock(ledger: Ledger) -> FakeClock:
    fake = FakeClock()
    ledger.clock = fake
    return fake


def test_add_skips_duplicates(ledger: Ledger) -> None:
    first = ledger.add_tasks([new_task("Song - A"), new_task("song - a")])
    second = ledger.add_tasks([new_task("SONG - A"), new_task("Other - B")])

    assert len(first.added) == 1
    assert len(first.duplicates) == 1
    assert [t.line for t, _ in second.added] == ["Other - B"]
    assert second.duplicates[0][1] == first.added[0][1]
    assert ledger.counts()["pending"] == 2


def test_add_keeps_four_byte_text(ledger: Ledger) -> None:
    line = "Dancing 💃 𠮷野家 - Artist"
    result = ledger.add_tasks([new_task(line)])
    record = ledger.get(result.added[0][1])

    assert record is not None
    assert record.line == line


def test_claim_leases_due_tasks(ledger: Ledger, clock: FakeClock) -> None:
    ledger.add_tasks([new_task(f"song {i}") for i in range(5)])

    claimed = ledger.claim("worker-a", limit=3, lease_seconds=60)
    rest = ledger.claim("worker-b", limit=10, lease_seconds=60)

    assert len(claimed) == 3
    assert all(t.lease_owner == "worker-a" for t in claimed)
    assert len(rest) == 2
    assert ledger.claim("worker-c", limit=10, lease_seconds=60) == []


def test_concurrent_claims_take_each_task_once(ledger: Ledger) -> None:
    ledger.add_tasks([new_task(f"song {i}") for i in range(120)])
    barrier = threading.Barrier(4)
    taken: dict[str, list[int]] = {}

    def claimer(owner: str) -> None:
        barrier.wait()
        mine = taken.setdefault(owner, [])
        while batch := ledger.claim(owner, limit=3, lease_seconds=60):
            mine.extend(t.id for t in batch)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    all_ids = [task_id for ids in taken.values() for task_id in ids]
    assert len(all_ids) == 120
    assert len(set(all_ids)) == 120


def test_transition_needs_the_lease(ledger: Ledger) -> None:
    ledger.add_tasks([new_task("song")])
    task = ledger.claim("owner", limit=1, lease_seconds=60)[0]

    assert not ledger.transition(task.id, "intruder", TaskState.RESOLVING)
    assert ledger.transition(task.id, "owner", TaskState.RESOLVING)
    assert ledger.complete(task.id, "owner", "/lib/song.m4a")
    assert not ledger.complete(task.id, "owner", "/lib/song.m4a")
    assert ledger.get(task.id).state == "done"


def test_expired_lease_returns_to_pending(ledger: Ledger, clock: FakeClock) -> None:
    ledger.add_tasks([new_task("song")])
    task = ledger.claim("dead", limit=1, lease_seconds=30)[0]

    clock.advance(10)
    assert ledger.reap_expired() == 0
    clock.advance(30)
    assert ledger.reap_expired() == 1

    record = ledger.get(task.id)
    assert record.state == "pending"
    assert record.attempts == 1
    assert not ledger.complete(task.id, "dead", "/lib/song.m4a")


def test_renew_keeps_lease_alive(ledger: Ledger, clock: FakeClock) -> None:
    ledger.add_tasks([new_task("song")])
    task = ledger.claim("owner", limit=1, lease_seconds=30)[0]

    clock.advance(20)
    assert ledger.renew("owner", [task.id], lease_seconds=30) == 1
    clock.advance(20)

    assert ledger.reap_expired() == 0


def test_retry_waits_for_run_at(ledger: Ledger, clock: FakeClock) -> None:
    ledger.add_tasks([new_task("song")])
    task = ledger.claim("owner", limit=1, lease_seconds=60)[0]

    assert ledger.schedule_retry(
        task.id, "owner", "timed out", delay=30, count_attempt=True
    )
    assert ledger.claim("owner", limit=1, lease_seconds=60) == []
    clock.advance(31)
    again = ledger.claim("owner", limit=1, lease_seconds=60)

    assert [t.id for t in again] == [task.id]
    assert again[0].attempts == 1
    assert again[0].last_error == "timed out"


def test_release_owned_returns_tasks(ledger: Ledger) -> None:
    ledger.add_tasks([new_task("a"), new_task("b")])
    ledger.claim("owner", limit=2, lease_seconds=60)

    assert ledger.release_owned("owner") == 2
    counts = ledger.counts()
    assert counts["pending"] == 2
    assert counts["claimed"] == 0


def test_settle_stores_reason(ledger: Ledger) -> None:
    ledger.add_tasks([new_task("a")])
    task = ledger.claim("owner", limit=1, lease_seconds=60)[0]

    match = {"candidates": [{"bvid": "BV1xx411c7mD", "score": 40.0}]}
    assert ledger.settle(
        task.id, "owner", TaskState.NEEDS_REVIEW, "no confident match", match=match
    )

    record = ledger.get(task.id)
    assert record.state == "needs_review"
    assert record.match == match
    assert [t.id for t in ledger.list_tasks([TaskState.NEEDS_REVIEW])] == [task.id]


@pytest.mark.mysql
def test_mysql_reconnects_after_server_timeout(mysql_database: str) -> None:
    """A connection the server dropped while idle (a long download) is replaced."""
    from sqlalchemy import event

    ledger = Ledger(mysql_database)

    @event.listens_for(ledger.engine, "connect")
    def short_timeout(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET SESSION wait_timeout = 1")

    try:
        ledger.create_schema()
        ledger.add_tasks([new_task("before")])
        time.sleep(2.5)  # the server closes the idle pooled connection
        ledger.add_tasks([new_task("after")])

        assert ledger.counts()["pending"] == 2
    finally:
        ledger.dispose()


def test_requeue_resets_settled_tasks(ledger: Ledger) -> None:
    ledger.add_tasks([new_task("a"), new_task("b"), new_task("c")])
    first, second, third = ledger.claim("owner", limit=3, lease_seconds=60)
    ledger.settle(first.id, "owner", TaskState.FAILED, "gave up after 5 attempts")
    ledger.settle(second.id, "owner", TaskState.NEEDS_REVIEW, "no confident match")
    ledger.complete(third.id, "owner", "/lib/c.m4a")

    assert ledger.requeue(states=[TaskState.FAILED]) == 1
    assert ledger.get(first.id).state == "pending"
    assert ledger.get(first.id).attempts == 0
    assert ledger.requeue(states=[TaskState.DONE]) == 0
    assert ledger.get(third.id).state == "done"
    # Named by id, a done task moves too: that downloads it again.
    assert ledger.requeue(ids=[second.id, third.id]) == 2
    assert ledger.get(second.id).state == "pending"
    assert ledger.get(third.id).state == "pending"


def test_reinserting_key_keeps_row_id(ledger: Ledger) -> None:
    """A racing insert of a known line must leave the stored row as it was."""
    task = new_task("song")
    first = ledger.add_tasks([task]).added[0][1]

    ledger._insert({key_digest(task.dedupe_key): task})

    assert ledger.get(first) is not None
    assert ledger.counts()["pending"] == 1


def test_reap_keeps_own_inflight(ledger: Ledger, clock: FakeClock) -> None:
    ledger.add_tasks([new_task("a"), new_task("b")])
    mine, lost = ledger.claim("owner", limit=2, lease_seconds=30)
    clock.advance(60)

    assert ledger.reap_expired(keep=[mine.id]) == 1
    assert ledger.get(mine.id).state == "claimed"
    assert ledger.get(lost.id).state == "pending"


def test_old_ledger_gains_new_columns(database_url: str) -> None:
    # A ledger made before durations and albums were stored has neither column.
    engine = create_engine(database_url)
    with engine.begin() as conn:
        Task.__table__.create(conn)
        conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN duration")
        conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN album")
    engine.dispose()
    ledger = Ledger(database_url)
    ledger.create_schema()
    try:
        new = NewTask(
            "千鱼 - 王贰浪", "千鱼 - 王贰浪", "千鱼", duration=221.0, album="A"
        )
        ledger.add_tasks([new])
        (record,) = ledger.list_tasks()
        assert (record.duration, record.album) == (221.0, "A")
    finally:
        ledger.dispose()


OPEN_LEDGER = """
import sys
from bilimq.database import Ledger
ledger = Ledger(sys.argv[1])
ledger.create_schema()
ledger.dispose()
"""


def _busy_error(tmp_path: Path) -> OperationalError:
    """Return the error SQLite gives a reader while a writer has the file locked."""
    url = f"sqlite:///{tmp_path / 'held.db'}"
    holder = create_engine(url, connect_args={"timeout": 0})
    waiter = create_engine(url, connect_args={"timeout": 0})
    with holder.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a)")
        conn.commit()
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        try:
            with waiter.connect() as other:
                other.exec_driver_sql("SELECT * FROM t")
        except OperationalError as exc:
            return exc
        finally:
            conn.rollback()
            holder.dispose()
            waiter.dispose()
    raise AssertionError("the exclusive lock did not block the reader")


def test_schema_retried_after_sqlite_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    busy = _busy_error(tmp_path)
    real = ledger._create_schema_once
    calls = []

    def busy_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise busy
        real()

    monkeypatch.setattr(ledger, "_create_schema_once", busy_once)
    try:
        ledger.create_schema()
        assert len(calls) == 2
        assert ledger.list_tasks() == []
    finally:
        ledger.dispose()


@pytest.mark.parametrize("old", [False, True], ids=["new", "old"])
def test_ledgers_opened_at_once(database_url: str, old: bool) -> None:
    if old:
        engine = create_engine(database_url)
        with engine.begin() as conn:
            Task.__table__.create(conn)
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN duration")
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN album")
        engine.dispose()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_LEDGER, database_url],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    ledger = Ledger(database_url)
    try:
        ledger.add_tasks([NewTask("千鱼 - 王贰浪", "k", "千鱼", duration=221.0)])
        (record,) = ledger.list_tasks()
        assert record.duration == 221.0
    finally:
        ledger.dispose()
