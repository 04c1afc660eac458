"""`bilimq status`: task counts by state and the most recent tasks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bilimq.cli.app import AppState
from bilimq.cli.console import out_console, stdout_is_utf8
from bilimq.database import TaskRecord, TaskState


def register(app: typer.Typer) -> None:
    """Add `status` to the `bilimq` app."""
    app.command()(status)


def status(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print counts and tasks as JSON on stdout.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many recent tasks to list.")
    ] = 20,
    state_filter: Annotated[
        list[TaskState] | None,
        typer.Option("--state", "-s", help="Only tasks in this state (repeatable)."),
    ] = None,
) -> None:
    """Show task counts by state and the most recently updated tasks."""
    state: AppState = ctx.obj
    ledger = state.ledger()
    counts = ledger.counts()
    records = ledger.list_tasks(state_filter, limit=limit)
    if as_json:
        payload = {"counts": counts, "tasks": [r.to_dict() for r in records]}
        ascii_only = not stdout_is_utf8()
        typer.echo(json.dumps(payload, ensure_ascii=ascii_only, indent=2))
        return
    out_console.print(_counts_table(counts))
    out_console.print(_tasks_table(records))


def _counts_table(counts: dict[str, int]) -> Table:
    table = Table(title="Tasks by state", title_justify="left")
    table.add_column("state")
    table.add_column("count", justify="right")
    for name, number in counts.items():
        if number:
            table.add_row(name, str(number))
    table.add_row(
        Text("total", style="bold"), Text(str(sum(counts.values())), style="bold")
    )
    return table


def _tasks_table(records: list[TaskRecord]) -> Table:
    table = Table(title="Recent tasks", title_justify="left")
    for column in ("id", "state", "song", "upload", "tries", "note"):
        table.add_column(column, overflow="fold")
    for record in records:
        note = record.last_error or (record.output_path or "")
        # Every cell is a Text, so brackets in names and errors stay literal.
        table.add_row(
            Text(str(record.id)),
            Text(record.state),
            Text(record.line),
            Text(record.bvid or ""),
            Text(str(record.attempts)),
            Text(note),
        )
    return table
