"""Benchmark `bilimq batch` on a long list against a plain SQLAlchemy Core insert.

The list is synthetic: the 18 lines of examples/songs.txt, varied (a number in
the title, other versions, extra artists, full-width brackets) until there are
`--lines` distinct names. Two things are timed on SQLite, in the same run:

- bilimq: `bilimq batch FILE` run in this process, from reading the file to the
  last committed row (decode, parse, de-duplicate against the list and the
  ledger, insert in chunks, print one line per song to a discarded stdout).
- reference: the rows bilimq stored, read back and inserted into a fresh
  database with the same table by one `Connection.execute(insert, rows)`, which
  SQLAlchemy runs as one DB-API executemany.

Each is run `--repeat` times on fresh databases; the best time counts. The
ratio is reference time / bilimq time, so 0.5 means bilimq takes twice as long
as the bare insert. The full command as a subprocess (interpreter start-up
included) is timed once as well.

    .venv/bin/python bench/bench_lists.py --lines 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import create_engine, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bilimq.cli.app import app  # noqa: E402  (after the path set-up)
from bilimq.database import Task  # noqa: E402

EXAMPLES = ROOT / "examples" / "songs.txt"
_VERSIONS = [
    "(Live)",
    "(伴奏)",
    "(DJ Remix)",
    "（中文版）",
    "[Instrumental]",
    "(为什么)",
]
_FIRST_BRACKET = re.compile(r"\s*[(（\[【]")


@dataclass(frozen=True)
class Timing:
    """The best of several runs of one contender."""

    label: str
    seconds: float
    """Wall-clock time."""
    cpu_seconds: float
    """CPU time of this process, which other load on the machine changes less."""
    rows: int

    @property
    def rows_per_second(self) -> float:
        """Return the throughput in rows per wall-clock second."""
        return self.rows / self.seconds


def synthetic_lines(count: int, seed: int = 7) -> list[str]:
    """Return `count` distinct song lines varied from the example list."""
    examples = EXAMPLES.read_text(encoding="utf-8").splitlines()
    artists = [line.rsplit(" - ", 1)[1] for line in examples]
    rng = random.Random(seed)
    lines = []
    for index in range(count):
        title_part, artist_part = examples[index % len(examples)].rsplit(" - ", 1)
        cut = _FIRST_BRACKET.search(title_part)
        head = title_part[: cut.start()] if cut else title_part
        tail = title_part[cut.start() :] if cut else ""
        if rng.random() < 0.3:
            tail = " " + rng.choice(_VERSIONS)
        if rng.random() < 0.2:
            artist_part += " _ " + rng.choice(artists)
        if rng.random() < 0.1:
            tail = tail.replace("(", "（").replace(")", "）")
        lines.append(f"{head} {index // len(examples) + 1}{tail} - {artist_part}")
    return lines


@contextlib.contextmanager
def bilimq_environment(folder: Path) -> Iterator[str]:
    """Point bilimq's settings at `folder`; yield the database URL."""
    url = f"sqlite:///{folder / 'ledger.db'}"
    values = {
        "BILIMQ_CONFIG": str(folder / "config.toml"),
        "BILIMQ_DATABASE_URL": url,
        "BILIMQ_PATHS_DATA_DIR": str(folder / "data"),
        "BILIMQ_PATHS_LOG_DIR": str(folder / "logs"),
        "BILIMQ_PATHS_LIBRARY_DIR": str(folder / "library"),
    }
    (folder / "config.toml").write_text("", encoding="utf-8")
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_bilimq(list_file: Path, folder: Path) -> tuple[float, float]:
    """Run `bilimq batch` in this process; return its wall and CPU seconds."""
    with (
        bilimq_environment(folder),
        open(os.devnull, "w", encoding="utf-8") as sink,
        contextlib.redirect_stdout(sink),
        measured() as elapsed,
    ):
        app(["-q", "batch", str(list_file)], standalone_mode=False)
    return elapsed[0], elapsed[1]


@contextlib.contextmanager
def measured() -> Iterator[list[float]]:
    """Yield a list that contains [wall seconds, CPU seconds] once the block ends."""
    elapsed: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield elapsed
    finally:
        elapsed += [time.perf_counter() - wall, time.process_time() - cpu]


def stored_rows(url: str) -> list[dict[str, Any]]:
    """Return the rows bilimq stored, without their ids, for the reference."""
    engine = create_engine(url)
    columns = [column for column in Task.__table__.columns if column.name != "id"]
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(select(*columns))]
    engine.dispose()
    return rows


def run_reference(rows: list[dict[str, Any]], folder: Path) -> tuple[float, float]:
    """Insert `rows` with one Core executemany; return wall and CPU seconds."""
    engine = create_engine(f"sqlite:///{folder / 'reference.db'}")
    Task.__table__.create(engine)
    with measured() as elapsed, engine.begin() as conn:
        conn.execute(Task.__table__.insert(), rows)
    engine.dispose()
    return elapsed[0], elapsed[1]


def run_subprocess(list_file: Path, folder: Path) -> float:
    """Run `python -m bilimq batch` as a user would; return the wall time."""
    with bilimq_environment(folder):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bilimq", "-q", "batch", str(list_file)],
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return time.perf_counter() - start


def machine() -> str:
    """Describe the machine and the software versions in one line."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def report(
    args: argparse.Namespace, timings: list[Timing], subprocess_seconds: float
) -> str:
    """Return the results as a Markdown section."""
    ours, reference = timings
    command = f".venv/bin/python bench/bench_lists.py --lines {args.lines}"
    command += f" --repeat {args.repeat}"
    lines = [
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Load average (1 min) at the end: {os.getloadavg()[0]:.2f}",
        f"- Command: `{command}`",
        "",
        f"| contender | wall s (best of {args.repeat}) | CPU s (best of "
        f"{args.repeat}) | rows/s (wall) |",
        "|---|---:|---:|---:|",
    ]
    for timing in timings:
        lines.append(
            f"| {timing.label} | {timing.seconds:.2f} | {timing.cpu_seconds:.2f} "
            f"| {timing.rows_per_second:,.0f} |"
        )
    wall_ratio = reference.seconds / ours.seconds
    cpu_ratio = reference.cpu_seconds / ours.cpu_seconds
    lines += [
        "",
        f"Ratio, reference time / bilimq time: **{wall_ratio:.2f}** by wall time, "
        f"**{cpu_ratio:.2f}** by CPU time.",
        "",
        "`python -m bilimq -q batch` as a subprocess, interpreter start-up "
        f"included, once: {subprocess_seconds:.2f} s wall.",
    ]
    return "\n".join(lines)


def best(label: str, runs: list[tuple[float, float]], rows: int) -> Timing:
    """Return the fastest wall and CPU times of `runs`."""
    return Timing(
        label,
        seconds=min(wall for wall, _ in runs),
        cpu_seconds=min(cpu for _, cpu in runs),
        rows=rows,
    )


def main() -> None:
    """Run the benchmark and print the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    ours: list[tuple[float, float]] = []
    ref: list[tuple[float, float]] = []
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bilimq-bench-") as temp:
        folder = Path(temp)
        list_file = folder / "songs.txt"
        list_file.write_text("\n".join(synthetic_lines(args.lines)) + "\n", "utf-8")
        for attempt in range(args.repeat):
            run_folder = folder / f"run{attempt}"
            run_folder.mkdir()
            ours.append(run_bilimq(list_file, run_folder))
            rows = stored_rows(f"sqlite:///{run_folder / 'ledger.db'}")
            ref.append(run_reference(rows, run_folder))
        spawn_folder = folder / "subprocess"
        spawn_folder.mkdir()
        spawned = run_subprocess(list_file, spawn_folder)
    timings = [
        best("bilimq batch: read, parse, de-duplicate, insert, print", ours, len(rows)),
        best("reference: Core executemany of the same rows", ref, len(rows)),
    ]
    print(report(args, timings, spawned))


if __name__ == "__main__":
    main()
