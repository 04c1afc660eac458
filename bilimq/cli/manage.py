"""`bilimq retry`: queue failed or unmatched songs again."""

from __future__ import annotations

from typing import Annotated

import typer

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console
from bilimq.database import REQUEUE_STATES, TaskState


def register(app: typer.Typer) -> None:
    app.command()(retry)


def retry(
    ctx: typer.Context,
    task_ids: Annotated[
        list[int] | None,
        typer.Argument(help="Task ids to retry (see `bilimq status`)."),
    ] = None,
    states: Annotated[
        list[TaskState] | None,
        typer.Option(
            "--state",
            "-s",
            help="Retry every task in this state (repeatable; default: failed "
            "and needs_review).",
        ),
    ] = None,
) -> None:
    """Queue failed or unmatched tasks again, with their attempts reset."""
    state: AppState = ctx.obj
    chosen = states or [TaskState.FAILED, TaskState.NEEDS_REVIEW]
    invalid = [s.value for s in chosen if s not in REQUEUE_STATES]
    if invalid:
        allowed = ", ".join(s.value for s in REQUEUE_STATES)
        raise typer.BadParameter(
            f"cannot retry tasks in state {', '.join(invalid)}; use one of: {allowed}",
            param_hint="--state",
        )
    count = state.ledger().requeue(task_ids or (), chosen)
    err_console.print(
        f"{count} task(s) queued again; run [bold]bilimq run[/] to process them",
        highlight=False,
    )
