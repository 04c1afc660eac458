"""Timing helpers and the docs/benchmarks.md writer shared by the bench scripts."""

from __future__ import annotations

import datetime
import gc
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PAGE = ROOT / "docs" / "benchmarks.md"
SEE_ALSO = "See also: [list import benchmark](bench-lists.md)."
REPEATS = 3
T = TypeVar("T")

PAGE_HEADER = """# Benchmarks

Each script in `bench/` times bilimq and a reference in the same run, repeats
every measurement 3 times, keeps the best time and rewrites its own section of
this page (`bench/README.md` says how to run them). A speed ratio is the
reference's time divided by bilimq's, so 2x means bilimq needs half the
reference's time. The memory ratio is bilimq's size divided by the
reference's, and the cleanup ratio is bilimq's time as a share of a full scan.
"""


@dataclass(frozen=True)
class Row:
    """One line of a results table."""

    name: str
    bilimq: str
    reference: str
    ratio: float
    ratio_text: str
    target: str
    met: bool | None
    """None for a row shown for information, without a target."""


def best_time(
    run: Callable[[T], object],
    setup: Callable[[], T],
    repeats: int = REPEATS,
    timer: Callable[[], float] = time.process_time,
) -> float:
    """Return the shortest time in seconds of ``repeats`` calls of ``run``.

    Each call gets a fresh ``setup()`` result, built outside the timing and
    dropped after the call. Garbage is collected before each call, outside
    the timing, but the collector stays on during it. The default timer
    counts the CPU time of this process, because other busy processes on the
    machine disturb it less than wall time. Use ``time.perf_counter`` where
    threads wait for each other.
    """
    times = []
    for _ in range(repeats):
        data = setup()
        gc.collect()
        started = timer()
        run(data)
        times.append(timer() - started)
        del data
    return min(times)


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or the platform's guess."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def machine_lines(command: str) -> list[str]:
    """Return Markdown lines with the command, date, machine and load."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"- Command: `{command}`",
        f"- Date: {now}",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}"
        f" on {platform.system()} {platform.release()}",
        f"- Load average (1, 5, 15 min) at the start: {load}",
    ]


def table(rows: list[Row]) -> list[str]:
    """Return a Markdown table of ``rows``."""
    lines = [
        "| Measurement | bilimq | Reference | Ratio | Target | Met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.met is None:
            met = "n/a"
        else:
            met = "yes" if row.met else "**no**"
        lines.append(
            f"| {row.name} | {row.bilimq} | {row.reference} | {row.ratio_text} "
            f"| {row.target} | {met} |"
        )
    return lines


def write_section(name: str, body: list[str]) -> None:
    """Replace the section ``name`` of docs/benchmarks.md, keeping the rest."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = "\n".join([start, *body, end])
    if RESULTS_PAGE.exists():
        text = RESULTS_PAGE.read_text(encoding="utf-8")
    else:
        text = f"{PAGE_HEADER}\n{SEE_ALSO}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    elif SEE_ALSO in text:
        text = text.replace(SEE_ALSO, f"{section}\n\n{SEE_ALSO}")
    else:
        text = f"{text.rstrip()}\n\n{section}\n"
    RESULTS_PAGE.write_text(text, encoding="utf-8")


def command_line() -> str:
    """Return the command that started this script, relative to the checkout."""
    script = Path(sys.argv[0]).resolve().relative_to(ROOT)
    return " ".join([".venv/bin/python", str(script), *sys.argv[1:]])


def per_op(seconds: float, count: int, unit: str = "task") -> str:
    """Format a total time as microseconds per task (or other ``unit``)."""
    return f"{seconds / count * 1e6:.2f} µs/{unit}"
