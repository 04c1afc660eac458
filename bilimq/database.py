"""The task ledger: the durable record of every song bilimq was asked for.

One row per requested song. Every state change is its own short transaction;
no session is held across a download. Rows are claimed with a lease (owner and
expiry) so that several `bilimq run` processes can share one MySQL/MariaDB
database, and a process that dies gives its tasks back when the lease expires.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from loguru import logger
from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from bilimq.errors import BilimqError

T = TypeVar("T")

_TIMESTAMP = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# MySQL error codes worth another try: lock wait timeout, deadlock, cannot
# connect, server gone away, lost connection.
_RETRYABLE_MYSQL_CODES = {1205, 1213, 2003, 2006, 2013}
# Keys per IN (...) lookup; SQLite before 3.32 allows 999 bound parameters.
_CHUNK = 500
# Rows per insert transaction: large enough to amortise the commit, small
# enough that a retried deadlock repeats little work.
_INSERT_CHUNK = 5000
_SCHEMA_ATTEMPTS = 5
_MYSQL_TABLE_EXISTS = 1050
_MYSQL_DUPLICATE_COLUMN = 1060
_SQLITE_BUSY = 5


class DatabaseError(BilimqError):
    """The ledger database could not be opened or written."""


class TaskState(StrEnum):
    """The lifecycle state of a task; the values are stored as they are."""

    PENDING = "pending"
    CLAIMED = "claimed"
    RESOLVING = "resolving"
    DOWNLOADING = "downloading"
    CONVERTING = "converting"
    DONE = "done"
    RETRYING = "retrying"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    CANCELLED = "cancelled"


DUE_STATES = (TaskState.PENDING, TaskState.RETRYING)
REQUEUE_STATES = (
    TaskState.FAILED,
    TaskState.NEEDS_REVIEW,
    TaskState.CANCELLED,
    TaskState.RETRYING,
)
ID_REQUEUE_STATES = (TaskState.DONE, TaskState.PENDING)
"""States `requeue` also moves when it is given task ids."""
WORKING_STATES = (
    TaskState.CLAIMED,
    TaskState.RESOLVING,
    TaskState.DOWNLOADING,
    TaskState.CONVERTING,
)


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, as stored."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Task(Base):
    """One requested song."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_claim", "state", "run_at", "id"),
        Index("ix_tasks_lease", "state", "lease_expires"),
        {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    line: Mapped[str] = mapped_column(String(1024))
    dedupe_digest: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the normalised line, so keys of any length fit one index."""
    title: Mapped[str] = mapped_column(String(512))
    versions: Mapped[list[str]] = mapped_column(JSON, default=list)
    artists: Mapped[list[str]] = mapped_column(JSON, default=list)
    name_order: Mapped[str] = mapped_column(String(16), default="title-artist")
    duration: Mapped[float | None] = mapped_column(Float)
    """The song's known length in seconds (from a playlist, a file or the line)."""
    album: Mapped[str | None] = mapped_column(String(512))
    state: Mapped[str] = mapped_column(String(16), default=TaskState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires: Mapped[datetime | None] = mapped_column(_TIMESTAMP)
    created_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    updated_at: Mapped[datetime] = mapped_column(_TIMESTAMP)
    bvid: Mapped[str | None] = mapped_column(String(16))
    part: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    match: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    output_path: Mapped[str | None] = mapped_column(String(1024))
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"Task(id={self.id}, state={self.state!r}, line={self.line!r})"


def key_digest(dedupe_key: str) -> str:
    """Return the fixed-width digest stored for a dedupe key of any length."""
    return hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewTask:
    """A parsed line ready to be stored."""

    line: str
    dedupe_key: str
    """The normalised line; lines with equal keys are one song."""
    title: str
    versions: tuple[str, ...] = ()
    artists: tuple[str, ...] = ()
    name_order: str = "title-artist"
    """Whether the line reads title first or artist first."""
    duration: float | None = None
    """The song's known length in seconds, when the input gave one."""
    album: str | None = None


@dataclass(frozen=True)
class TaskRecord:
    """A detached snapshot of a task row."""

    id: int
    line: str
    title: str
    versions: tuple[str, ...]
    artists: tuple[str, ...]
    name_order: str
    duration: float | None
    album: str | None
    state: str
    attempts: int
    run_at: datetime
    lease_owner: str | None
    created_at: datetime
    updated_at: datetime
    bvid: str | None
    part: int | None
    score: float | None
    match: dict[str, Any] | None
    output_path: str | None
    last_error: str | None

    @classmethod
    def from_row(cls, row: Task) -> TaskRecord:
        return cls(
            id=row.id,
            line=row.line,
            title=row.title,
            versions=tuple(row.versions or ()),
            artists=tuple(row.artists or ()),
            name_order=row.name_order,
            duration=row.duration,
            album=row.album,
            state=row.state,
            attempts=row.attempts,
            run_at=row.run_at,
            lease_owner=row.lease_owner,
            created_at=row.created_at,
            updated_at=row.updated_at,
            bvid=row.bvid,
            part=row.part,
            score=row.score,
            match=row.match,
            output_path=row.output_path,
            last_error=row.last_error,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict for `bilimq status --json`."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("run_at", "created_at", "updated_at"):
            data[name] = data[name].isoformat() + "Z"
        data["versions"] = list(self.versions)
        data["artists"] = list(self.artists)
        return data


@dataclass(frozen=True)
class AddResult:
    """The outcome of `Ledger.add_tasks`: which lines were added, which were known."""

    added: list[tuple[NewTask, int]]
    duplicates: list[tuple[NewTask, int]]
    """Lines already in the ledger (or repeated in the input), with the id kept."""


class Ledger:
    """The task table and the operations the rest of bilimq uses."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_recycle: int = 280,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.url = make_url(url)
        self.engine = _create_engine(url, echo=echo, pool_recycle=pool_recycle)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.clock = clock

    @property
    def display_url(self) -> str:
        """Return the URL with any password masked, for messages."""
        return self.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_schema(self) -> None:
        """Create the task table if it does not exist."""
        try:
            for attempt in range(1, _SCHEMA_ATTEMPTS + 1):
                try:
                    self._create_schema_once()
                    break
                except (OperationalError, ProgrammingError) as exc:
                    if attempt == _SCHEMA_ATTEMPTS or not _lost_schema_race(exc):
                        raise
                    time.sleep(random.uniform(0.05, 0.2))
        except (OperationalError, ProgrammingError) as exc:
            raise DatabaseError(
                f"cannot open the database {self.display_url}: {exc.orig}"
            ) from None

    def _create_schema_once(self) -> None:
        # On SQLite, BEGIN IMMEDIATE makes processes that open a new or older
        # ledger at the same moment take turns. MySQL commits each DDL
        # statement at once, so there a race shows as an error caught above.
        conn = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with conn, conn.begin():
            Base.metadata.create_all(conn)
            _add_missing_columns(conn)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open one short unit of work that commits on success."""
        with self.sessions.begin() as session:
            yield session

    # -- adding --------------------------------------------------------------

    def add_tasks(self, tasks: Iterable[NewTask]) -> AddResult:
        """Insert new songs, skipping any whose dedupe key is already stored."""
        unique: dict[str, NewTask] = {}
        repeated: list[tuple[str, NewTask]] = []
        for task in tasks:
            digest = key_digest(task.dedupe_key)
            if digest in unique:
                repeated.append((digest, task))
            else:
                unique[digest] = task
        existing = self._ids_by_digest(list(unique))
        fresh = {d: t for d, t in unique.items() if d not in existing}
        self._insert(fresh)
        ids = self._ids_by_digest(list(fresh))
        added = [(t, ids[d]) for d, t in fresh.items()]
        duplicates = [(t, existing[d]) for d, t in unique.items() if d in existing]
        duplicates += [(t, ids.get(d) or existing[d]) for d, t in repeated]
        return AddResult(added=added, duplicates=duplicates)

    def _ids_by_digest(self, digests: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        with self.session() as session:
            for start in range(0, len(digests), _CHUNK):
                chunk = digests[start : start + _CHUNK]
                rows = session.execute(
                    select(Task.dedupe_digest, Task.id).where(
                        Task.dedupe_digest.in_(chunk)
                    )
                )
                found.update({digest: task_id for digest, task_id in rows})
        return found

    def _insert(self, tasks: dict[str, NewTask]) -> None:
        if not tasks:
            return
        now = self.clock()
        rows = [
            {
                "line": t.line,
                "dedupe_digest": digest,
                "title": t.title,
                "versions": list(t.versions),
                "artists": list(t.artists),
                "name_order": t.name_order,
                "duration": t.duration,
                "album": t.album,
                "state": TaskState.PENDING.value,
                "attempts": 0,
                "run_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for digest, t in tasks.items()
        ]
        # A concurrent `bilimq add` may insert the same key between the check
        # and this insert; the first row wins. Only that conflict is ignored:
        # MySQL's INSERT IGNORE would also hide truncation and other errors.
        # The insert targets the table, not the mapped class, so it runs as a
        # Core executemany. The ORM bulk path was about 1.5x slower on 100k rows.
        if self.is_sqlite:
            statement = sqlite_insert(Task.__table__).on_conflict_do_nothing(
                index_elements=["dedupe_digest"]
            )
        else:
            statement = mysql.insert(Task.__table__)
            # `id = id` leaves the existing row untouched; assigning the
            # inserted id would renumber it.
            statement = statement.on_duplicate_key_update(id=Task.__table__.c.id)
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start : start + _INSERT_CHUNK]
            _with_retry(lambda chunk=chunk: self._execute_many(statement, chunk))

    # -- claiming ------------------------------------------------------------

    def claim(self, owner: str, limit: int, lease_seconds: float) -> list[TaskRecord]:
        """Lease up to `limit` due tasks to `owner`, oldest `run_at` first."""
        if limit <= 0:
            return []
        return _with_retry(lambda: self._claim_once(owner, limit, lease_seconds))

    def _claim_once(
        self, owner: str, limit: int, lease_seconds: float
    ) -> list[TaskRecord]:
        now = self.clock()
        due = (
            select(Task.id)
            .where(Task.state.in_([s.value for s in DUE_STATES]), Task.run_at <= now)
            .order_by(Task.run_at, Task.id)
            .limit(limit)
        )
        values = {
            "state": TaskState.CLAIMED.value,
            "lease_owner": owner,
            "lease_expires": now + timedelta(seconds=lease_seconds),
            "updated_at": now,
        }
        if self.is_sqlite:
            return self._claim_sqlite(due, values)
        return self._claim_skip_locked(due, values)

    def _claim_sqlite(self, due: Any, values: dict[str, Any]) -> list[TaskRecord]:
        # SQLite serialises writers: BEGIN IMMEDIATE takes the write lock up
        # front, so the select and the update see the same rows.
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            with Session(bind=conn) as session, session.begin():
                ids = list(
                    session.scalars(
                        update(Task)
                        .where(Task.id.in_(due.scalar_subquery()))
                        .values(**values)
                        .returning(Task.id)
                    )
                )
                return self._load(session, ids)

    def _claim_skip_locked(self, due: Any, values: dict[str, Any]) -> list[TaskRecord]:
        with self.session() as session:
            ids = list(session.scalars(due.with_for_update(skip_locked=True)))
            if not ids:
                return []
            session.execute(update(Task).where(Task.id.in_(ids)).values(**values))
            return self._load(session, ids)

    @staticmethod
    def _load(session: Session, ids: list[int]) -> list[TaskRecord]:
        if not ids:
            return []
        rows = session.scalars(select(Task).where(Task.id.in_(ids)).order_by(Task.id))
        return [TaskRecord.from_row(row) for row in rows]

    def renew(self, owner: str, ids: Sequence[int], lease_seconds: float) -> int:
        """Extend the leases `owner` holds on `ids`; return how many it still holds."""
        if not ids:
            return 0
        now = self.clock()
        statement = (
            update(Task)
            .where(
                Task.id.in_(list(ids)),
                Task.lease_owner == owner,
                Task.state.in_([s.value for s in WORKING_STATES]),
            )
            .values(lease_expires=now + timedelta(seconds=lease_seconds))
        )
        return _with_retry(lambda: self._execute(statement))

    def reap_expired(self, keep: Sequence[int] = ()) -> int:
        """Return tasks whose lease expired (their process died) to pending.

        `keep` lists the caller's own tasks in flight: after a long pause of
        the process their leases may have run out, but they are still running.
        """
        now = self.clock()
        conditions = [
            Task.state.in_([s.value for s in WORKING_STATES]),
            Task.lease_expires < now,
        ]
        if keep:
            conditions.append(Task.id.not_in(list(keep)))
        statement = (
            update(Task)
            .where(*conditions)
            .values(
                state=TaskState.PENDING.value,
                attempts=Task.attempts + 1,
                lease_owner=None,
                lease_expires=None,
                run_at=now,
                updated_at=now,
                last_error="lease expired: the process running this task stopped",
            )
        )
        return _with_retry(lambda: self._execute(statement))

    # -- recording progress ---------------------------------------------------

    def transition(
        self, task_id: int, owner: str, state: TaskState, **fields: Any
    ) -> bool:
        """Move a leased task to a working `state`; False if the lease was lost."""
        return self._set_if_owner(task_id, owner, state=state.value, **fields)

    def complete(self, task_id: int, owner: str, output_path: str) -> bool:
        """Mark a task done; a compare-and-set on the lease owner."""
        return self._set_if_owner(
            task_id,
            owner,
            state=TaskState.DONE.value,
            output_path=output_path,
            last_error=None,
            lease_owner=None,
            lease_expires=None,
        )

    def schedule_retry(
        self, task_id: int, owner: str, error: str, delay: float, count_attempt: bool
    ) -> bool:
        """Give a task back to the queue after `delay` seconds."""
        extra: dict[str, Any] = {}
        if count_attempt:
            extra["attempts"] = Task.attempts + 1
        return self._set_if_owner(
            task_id,
            owner,
            state=TaskState.RETRYING.value,
            run_at=self.clock() + timedelta(seconds=delay),
            last_error=error,
            lease_owner=None,
            lease_expires=None,
            **extra,
        )

    def settle(
        self, task_id: int, owner: str, state: TaskState, error: str, **fields: Any
    ) -> bool:
        """End a task's run in `failed`, `needs_review` or `cancelled`."""
        return self._set_if_owner(
            task_id,
            owner,
            state=state.value,
            last_error=error,
            lease_owner=None,
            lease_expires=None,
            **fields,
        )

    def release_owned(self, owner: str) -> int:
        """Return every task still leased to `owner` to pending, without an attempt."""
        now = self.clock()
        statement = (
            update(Task)
            .where(
                Task.lease_owner == owner,
                Task.state.in_([s.value for s in WORKING_STATES]),
            )
            .values(
                state=TaskState.PENDING.value,
                lease_owner=None,
                lease_expires=None,
                run_at=now,
                updated_at=now,
            )
        )
        return _with_retry(lambda: self._execute(statement))

    def requeue(self, ids: Sequence[int] = (), states: Sequence[TaskState] = ()) -> int:
        """Queue finished tasks again with fresh attempts; return how many.

        Takes the given ids, or every task in `states`. Only tasks in a
        settled state (failed, needs_review, cancelled, retrying) move, and,
        when ids are given, also done and pending ones: that redoes a download
        or undoes a pick.
        """
        movable = (*REQUEUE_STATES, *(ID_REQUEUE_STATES if ids else ()))
        chosen = [s.value for s in (states or movable) if s in movable]
        if not chosen:
            return 0
        where = [Task.state.in_(chosen)]
        if ids:
            where.append(Task.id.in_(list(ids)))
        now = self.clock()
        statement = (
            update(Task)
            .where(*where)
            .values(
                state=TaskState.PENDING.value,
                attempts=0,
                run_at=now,
                updated_at=now,
                lease_owner=None,
                lease_expires=None,
                # Search again: the chosen upload may be the reason it failed.
                # `match` stays, because it lists the uploads excluded after a
                # length mismatch; the next search replaces it.
                bvid=None,
                part=None,
                score=None,
            )
        )
        return _with_retry(lambda: self._execute(statement))

    def choose_upload(
        self, task_id: int, bvid: str, part: int, match: dict[str, Any]
    ) -> bool:
        """Queue a settled or pending task to download `bvid` part `part`.

        Picking by hand skips the search: the task goes to pending with the
        upload set, and its attempts start again. Returns False when the task
        is missing, done, or running in some process.
        """
        allowed = [s.value for s in (*REQUEUE_STATES, TaskState.PENDING)]
        now = self.clock()
        statement = (
            update(Task)
            .where(Task.id == task_id, Task.state.in_(allowed))
            .values(
                state=TaskState.PENDING.value,
                attempts=0,
                run_at=now,
                updated_at=now,
                lease_owner=None,
                lease_expires=None,
                bvid=bvid,
                part=part,
                score=None,
                match=match,
                last_error=None,
            )
        )
        return _with_retry(lambda: self._execute(statement)) == 1

    def cancel(self, ids: Sequence[int]) -> int:
        """Cancel tasks that are neither leased nor done; return how many.

        A cancelled task is never claimed; `requeue` brings it back.
        """
        allowed = [
            s.value for s in (*DUE_STATES, TaskState.NEEDS_REVIEW, TaskState.FAILED)
        ]
        now = self.clock()
        statement = (
            update(Task)
            .where(Task.id.in_(list(ids)), Task.state.in_(allowed))
            .values(
                state=TaskState.CANCELLED.value,
                updated_at=now,
                last_error="cancelled with bilimq cancel",
            )
        )
        return _with_retry(lambda: self._execute(statement))

    def _set_if_owner(self, task_id: int, owner: str, **values: Any) -> bool:
        statement = (
            update(Task)
            .where(
                Task.id == task_id,
                Task.lease_owner == owner,
                Task.state.in_([s.value for s in WORKING_STATES]),
            )
            .values(updated_at=self.clock(), **values)
        )
        return _with_retry(lambda: self._execute(statement)) == 1

    def _execute_many(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        with self.session() as session:
            session.execute(statement, rows)

    def _execute(self, statement: Any) -> int:
        with self.session() as session:
            return session.execute(statement).rowcount

    # -- reading -------------------------------------------------------------

    def get(self, task_id: int) -> TaskRecord | None:
        """Return one task, or None when there is no such id."""
        with self.session() as session:
            row = session.get(Task, task_id)
            return TaskRecord.from_row(row) if row else None

    def durations(self, ids: Sequence[int]) -> dict[int, float | None]:
        """Return the stored song length of each task in `ids` that exists."""
        found: dict[int, float | None] = {}
        with self.session() as session:
            for start in range(0, len(ids), _CHUNK):
                chunk = list(ids[start : start + _CHUNK])
                query = select(Task.id, Task.duration).where(Task.id.in_(chunk))
                found.update(
                    {task_id: length for task_id, length in session.execute(query)}
                )
        return found

    def counts(self) -> dict[str, int]:
        """Return the number of tasks in each state (every state listed)."""
        counts = {state.value: 0 for state in TaskState}
        with self.session() as session:
            rows = session.execute(
                select(Task.state, func.count()).group_by(Task.state)
            )
            counts.update({state: number for state, number in rows})
        return counts

    def list_tasks(
        self, states: Sequence[TaskState] | None = None, limit: int = 20
    ) -> list[TaskRecord]:
        """Return the most recently updated tasks, optionally in `states` only."""
        query = (
            select(Task).order_by(Task.updated_at.desc(), Task.id.desc()).limit(limit)
        )
        if states:
            query = query.where(Task.state.in_([s.value for s in states]))
        with self.session() as session:
            return [TaskRecord.from_row(row) for row in session.scalars(query)]

    def count_working(self) -> int:
        """Return how many tasks some process holds a lease on right now."""
        states = [s.value for s in WORKING_STATES]
        with self.session() as session:
            return (
                session.scalar(select(func.count()).where(Task.state.in_(states))) or 0
            )

    def count_unfinished(self) -> int:
        """Return how many tasks are due or being worked on."""
        states = [s.value for s in (*DUE_STATES, *WORKING_STATES)]
        with self.session() as session:
            return (
                session.scalar(select(func.count()).where(Task.state.in_(states))) or 0
            )

    def next_run_at(self) -> datetime | None:
        """Return when the next task may become claimable.

        That is the earliest `run_at` among waiting tasks or the earliest lease
        expiry among tasks being worked on (a dead process's tasks come back
        then).
        """
        due = [s.value for s in DUE_STATES]
        working = [s.value for s in WORKING_STATES]
        with self.session() as session:
            run_at = session.scalar(
                select(func.min(Task.run_at)).where(Task.state.in_(due))
            )
            expiry = session.scalar(
                select(func.min(Task.lease_expires)).where(Task.state.in_(working))
            )
        times = [t for t in (run_at, expiry) if t is not None]
        return min(times) if times else None


def _add_missing_columns(conn: Connection) -> None:
    """Add columns that a ledger made by an older bilimq lacks.

    Every column added since the first release is nullable, so ALTER TABLE ADD
    COLUMN upgrades an existing ledger in place, on SQLite and MySQL alike.
    """
    present = {column["name"] for column in inspect(conn).get_columns("tasks")}
    table = Task.__table__
    quote = conn.dialect.identifier_preparer.quote
    for column in table.columns:
        if column.name in present:
            continue
        kind = column.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"
        )
        logger.info("added column tasks.{} to the ledger", column.name)


def _lost_schema_race(exc: DBAPIError) -> bool:
    """Return True when another process opening the same ledger got in the way.

    On MySQL it created the table or added the column between our check and
    our DDL. On SQLite it held a lock, and SQLite reported the lock at once
    instead of waiting out the busy timeout. That can happen when several
    processes open an older ledger at the same moment. Which statement gets
    the error is not known.
    """
    if _mysql_code(exc) in {_MYSQL_TABLE_EXISTS, _MYSQL_DUPLICATE_COLUMN}:
        return True
    return getattr(exc.orig, "sqlite_errorcode", None) == _SQLITE_BUSY


def _mysql_code(exc: DBAPIError) -> int | None:
    args = getattr(exc.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _create_engine(url: str, *, echo: bool, pool_recycle: int) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo)
    if parsed.get_backend_name() in {"mysql", "mariadb"}:
        if parsed.query.get("charset") not in (None, "utf8mb4"):
            logger.warning(
                "database URL sets charset={}; bilimq needs utf8mb4 for 4-byte "
                "characters such as emoji and is using utf8mb4",
                parsed.query.get("charset"),
            )
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return create_engine(
        parsed, echo=echo, pool_pre_ping=True, pool_recycle=pool_recycle
    )


def _create_sqlite_engine(url: str, *, echo: bool) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        from pathlib import Path

        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so the claim can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _with_retry(operation: Callable[[], T], attempts: int = 6) -> T:
    """Run a short transaction again after a deadlock or a dropped connection."""
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except OperationalError as exc:
            code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
            if code not in _RETRYABLE_MYSQL_CODES or attempt == attempts:
                raise DatabaseError(f"database operation failed: {exc.orig}") from exc
            delay = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5)
            logger.warning(
                "database error {} on attempt {}; retrying in {:.2f} s",
                code,
                attempt,
                delay,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")
