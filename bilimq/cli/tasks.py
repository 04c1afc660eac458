"""`bilimq add`, `bilimq batch` and `bilimq status`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console, out_console
from bilimq.database import AddResult, NewTask, TaskState
from bilimq.errors import InvalidNameError
from bilimq.songs.lists import ListLine, read_list
from bilimq.songs.names import dedupe_key, parse_name

_PROGRESS_THRESHOLD = 2000
ORDERS = ("title-artist", "artist-title")


@dataclass
class Rejected:
    """A line that could not be parsed, with where it came from."""

    lineno: int
    text: str
    reason: str


@dataclass
class ParsedLines:
    tasks: list[NewTask] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


OrderOption = Annotated[
    str | None,
    typer.Option(
        "--order",
        help="How lines read: title-artist (`像鱼 - 王贰浪`) or artist-title. "
        "Default: [names] order in the config.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command()(add)
    app.command()(batch)
    app.command()(status)


def add(
    ctx: typer.Context,
    names: Annotated[
        list[str], typer.Argument(help="Song names, e.g. '像鱼 (伴奏) - 王贰浪'.")
    ],
    order: OrderOption = None,
) -> None:
    """Queue one or more songs by name."""
    state: AppState = ctx.obj
    lines = [ListLine(lineno=n, text=name) for n, name in enumerate(names, start=1)]
    _queue_lines(state, lines, _order(state, order), source="argument")


def batch(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(help="A list file with one song name per line, or - for stdin."),
    ],
    order: OrderOption = None,
) -> None:
    """Queue every song in a list file (blank lines and # comments skipped)."""
    state: AppState = ctx.obj
    lines = read_list(file)
    _queue_lines(state, lines, _order(state, order), source=file)


def _order(state: AppState, order: str | None) -> str:
    chosen = order or state.settings.names.order
    if chosen not in ORDERS:
        raise typer.BadParameter(
            f"invalid order {chosen!r}; use one of: {', '.join(ORDERS)}",
            param_hint="--order",
        )
    return chosen


def _queue_lines(
    state: AppState, lines: list[ListLine], order: str, source: str
) -> None:
    parsed = _parse_lines(lines, order)
    result = state.ledger().add_tasks(parsed.tasks)
    _print_added(result)
    _print_rejected(parsed.rejected, source)
    err_console.print(
        f"{len(result.added)} added, {len(result.duplicates)} duplicate(s), "
        f"{len(parsed.rejected)} rejected",
        highlight=False,
    )
    if result.added:
        err_console.print("Run [bold]bilimq run[/] to download them.", highlight=False)
    if parsed.rejected:
        raise typer.Exit(1)


def _parse_lines(lines: list[ListLine], order: str) -> ParsedLines:
    parsed = ParsedLines()
    for line in _with_progress(lines):
        try:
            song = parse_name(line.text, order=order)
        except InvalidNameError as exc:
            parsed.rejected.append(Rejected(line.lineno, line.text, exc.reason))
            continue
        parsed.tasks.append(
            NewTask(
                line=song.line,
                dedupe_key=dedupe_key(song.line),
                title=song.title,
                versions=song.versions,
                artists=song.artists,
                name_order=order,
            )
        )
    return parsed


def _with_progress(lines: list[ListLine]) -> Iterable[ListLine]:
    if len(lines) < _PROGRESS_THRESHOLD:
        yield from lines
        return
    columns = (TextColumn("parsing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        yield from progress.track(lines, total=len(lines))


def _print_added(result: AddResult) -> None:
    # Plain tab-separated lines on stdout, for scripts; Rich would expand tabs.
    for task, task_id in result.added:
        typer.echo(f"added\t{task_id}\t{task.line}")
    for task, task_id in result.duplicates:
        typer.echo(f"duplicate\t{task_id}\t{task.line}")


def _print_rejected(rejected: list[Rejected], source: str) -> None:
    for item in rejected:
        where = (
            f"{source}:{item.lineno}" if source != "argument" else f"name {item.lineno}"
        )
        err_console.print(
            f"[bold red]rejected[/] {escape(where)}: {escape(repr(item.text))}: "
            f"{escape(item.reason)}",
            highlight=False,
        )


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
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
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


def _tasks_table(records: list) -> Table:
    table = Table(title="Recent tasks", title_justify="left")
    for column in ("id", "state", "song", "upload", "tries", "note"):
        table.add_column(column, overflow="fold")
    for record in records:
        note = record.last_error or (record.output_path or "")
        table.add_row(
            str(record.id),
            record.state,
            Text(record.line),
            record.bvid or "",
            str(record.attempts),
            Text(note),
        )
    return table
