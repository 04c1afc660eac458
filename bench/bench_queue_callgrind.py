"""Count the CPU instructions per task of MemoryQueue and queue.Queue with callgrind.

Run from the checkout: `.venv/bin/python bench/bench_queue_callgrind.py`. It
needs valgrind (`apt-get install valgrind`), takes a few minutes, prints every
figure and rewrites its section of docs/benchmarks.md.

Instruction counts do not move with the machine's load, unlike the times of
bench_queue.py, so they show whether a change to the queue made it cheaper.
They leave out cache misses and waits, so the ratios here are higher than
the time ratios.
"""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_queue import (
    bilimq_push_pop,
    bilimq_push_pop_ack,
    make_tasks,
    stdlib_put_get,
    stdlib_put_get_done,
)
from bench_queue_report import Row, command_line, machine_lines, table, write_section

TASKS = 20_000
WORKLOADS = {
    "bilimq push + pop": bilimq_push_pop,
    "queue.Queue put + get": stdlib_put_get,
    "bilimq push + pop + ack": bilimq_push_pop_ack,
    "queue.Queue put + get + task_done": stdlib_put_get_done,
    "nothing": lambda tasks: None,
}
_SUMMARY = re.compile(rb"^summary:\s+(\d+)", re.MULTILINE)


def run_workload(name: str) -> None:
    """Build the tasks, then run one workload: the process that callgrind counts."""
    tasks = make_tasks(TASKS)
    gc.collect()
    WORKLOADS[name](tasks)


def count_instructions(name: str, folder: Path) -> int:
    """Return the instructions that a whole run of workload ``name`` executed."""
    out = folder / f"callgrind.{len(list(folder.iterdir()))}"
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--workload",
            name,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    match = _SUMMARY.search(out.read_bytes())
    if match is None:
        raise RuntimeError(f"no instruction total in {out}")
    return int(match.group(1))


def per_task(name: str, baseline: int, folder: Path) -> float:
    """Instructions per task of a workload, less those of building the tasks."""
    return (count_instructions(name, folder) - baseline) / TASKS


def ratio_row(name: str, ours: float, reference: float, label: str) -> Row:
    ratio = reference / ours
    return Row(
        name=name,
        bilimq=f"{ours:,.0f} instructions/task",
        reference=f"{label}: {reference:,.0f} instructions/task",
        ratio=ratio,
        ratio_text=f"{ratio:.2f}x",
        target="none (for information)",
        met=None,
    )


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: apt-get install valgrind")
    lines = machine_lines(command_line())
    print("\n".join(lines))
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        baseline = count_instructions("nothing", folder)
        counts = {
            name: per_task(name, baseline, folder)
            for name in WORKLOADS
            if name != "nothing"
        }
    rows = [
        ratio_row(
            f"push + pop, {TASKS:,} tasks, 1 thread",
            counts["bilimq push + pop"],
            counts["queue.Queue put + get"],
            "queue.Queue put + get",
        ),
        ratio_row(
            f"push + pop + ack, {TASKS:,} tasks, 1 thread",
            counts["bilimq push + pop + ack"],
            counts["queue.Queue put + get + task_done"],
            "queue.Queue put + get + task_done",
        ),
    ]
    lines += ["", *table(rows), "", *NOTES]
    print("\n".join(table(rows)))
    write_section(
        "bench_queue_callgrind",
        ["## Task queue, instruction counts (`bench/bench_queue_callgrind.py`)", ""]
        + lines,
    )


NOTES = [
    "Notes:",
    "",
    "- valgrind's callgrind counts the instructions of one process per",
    "  workload. The count of a process that only builds the tasks is",
    "  subtracted, and the rest is divided by the number of tasks.",
    "- The counts include the garbage collector's work, which grows with",
    "  the number of live objects, so they depend on the task count.",
    "- Instructions are not time: a cache miss costs many cycles and counts",
    "  as one instruction. bilimq touches more memory per task than",
    "  queue.Queue (a row spread over several lists, an entry in a dict of",
    "  task ids, and a new dict per pop), so its time ratio in the",
    "  `bench/bench_queue.py` table is lower than its ratio here.",
]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workload"]:
        run_workload(sys.argv[2])
    else:
        main()
