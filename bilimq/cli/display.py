"""Rich progress for `bilimq run`: one overall bar and one bar per download."""

from __future__ import annotations

import threading

from rich.console import Console, Group
from rich.live import Live
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from bilimq.daemon import RunObserver, RunSummary
from bilimq.database import TaskRecord

_LABEL_WIDTH = 36


class RunDisplay(RunObserver):
    """Draws the run's progress on the stderr console; thread-safe."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}", markup=False),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.downloads = Progress(
            TextColumn("  {task.description}", markup=False),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[stage]}", markup=False),
            console=console,
            transient=True,
        )
        self.overall = self.progress.add_task("songs", total=max(total, 0), detail="")
        self._bars: dict[int, TaskID] = {}
        self._finished = 0
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> RunDisplay:
        # Bars only make sense on a terminal; in a pipe or a log the per-song
        # log lines tell the same story.
        if self.console.is_terminal:
            self._live = Live(
                Group(self.progress, self.downloads),
                console=self.console,
                transient=False,
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            for bar in self._bars.values():
                self.downloads.remove_task(bar)
            self._bars.clear()
        if self._live is not None:
            self._live.__exit__(*exc_info)
            self._live = None

    def task_started(self, record: TaskRecord) -> None:
        with self._lock:
            label = _shorten(record.line)
            self._bars[record.id] = self.downloads.add_task(
                label, total=None, stage="searching"
            )

    def task_stage(self, task_id: int, stage: str) -> None:
        with self._lock:
            bar = self._bars.get(task_id)
            if bar is not None:
                self.downloads.update(bar, stage=stage)

    def task_progress(self, task_id: int, done: int, total: int | None) -> None:
        with self._lock:
            bar = self._bars.get(task_id)
            if bar is not None:
                self.downloads.update(
                    bar, completed=done, total=total, stage="downloading"
                )

    def task_finished(self, record: TaskRecord, state: str) -> None:
        with self._lock:
            bar = self._bars.pop(record.id, None)
            if bar is not None:
                self.downloads.remove_task(bar)
            if state == "retrying":
                return
            self._finished += 1
            total = self.progress.tasks[0].total or 0
            if self._finished > total:
                self.progress.update(self.overall, total=self._finished)
            self.progress.update(self.overall, advance=1, detail=f"last: {state}")


def summary_table(summary: RunSummary, counts: dict[str, int]) -> Table:
    """Return the end-of-run table: this run's outcomes and what is left."""
    table = Table(title="Run summary", title_justify="left", show_header=True)
    table.add_column("")
    table.add_column("this run", justify="right")
    table.add_column("in the ledger", justify="right")
    for state in ("done", "needs_review", "failed", "retrying", "pending"):
        table.add_row(
            state, str(summary.finished.get(state, 0)), str(counts.get(state, 0))
        )
    # An error is printed on its own line after the table, so the caption
    # leaves it out instead of repeating it.
    reason = "stopped" if summary.error else (summary.stop_reason or "stopped")
    table.caption = Text(f"{reason} after {summary.elapsed:.1f} s", style="dim")
    return table


def _shorten(line: str) -> str:
    return line if len(line) <= _LABEL_WIDTH else line[: _LABEL_WIDTH - 1] + "…"
