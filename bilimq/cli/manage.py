"""`bilimq retry` and `bilimq cancel`: queue tasks again, or take them out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console
from bilimq.database import ID_REQUEUE_STATES, REQUEUE_STATES, Ledger, TaskState
from bilimq.errors import BilimqError

CANCEL_STATES = (
    TaskState.PENDING,
    TaskState.RETRYING,
    TaskState.NEEDS_REVIEW,
    TaskState.FAILED,
)
"""States `bilimq cancel` takes: everything not done and not running."""


def register(app: typer.Typer) -> None:
    app.command()(retry)
    app.command()(cancel)


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
    """Queue failed or unmatched tasks again, with their attempts reset.

    Given ids, it also takes done tasks (delete the file first to download it
    again) and pending ones, which drops an upload chosen with `bilimq pick`.
    Every retried task is searched again.
    """
    state: AppState = ctx.obj
    chosen = states or [TaskState.FAILED, TaskState.NEEDS_REVIEW]
    allowed = REQUEUE_STATES + (ID_REQUEUE_STATES if task_ids else ())
    invalid = [s.value for s in chosen if s not in allowed]
    if invalid:
        names = ", ".join(s.value for s in allowed)
        raise typer.BadParameter(
            f"cannot retry tasks in state {', '.join(invalid)}; use one of: {names}",
            param_hint="--state",
        )
    ledger = state.ledger()
    if task_ids:
        _check_ids(ledger, task_ids, states or allowed)
        chosen = states or list(allowed)
    count = ledger.requeue(task_ids or (), chosen)
    err_console.print(
        f"{count} task(s) queued again; run [bold]bilimq run[/] to process them",
        highlight=False,
    )


def _check_ids(
    ledger: Ledger,
    task_ids: list[int],
    states: Sequence[TaskState],
    command: str = "Retry",
) -> None:
    """Raise for an id that names no task or a task that cannot move now."""
    problems = []
    for task_id in task_ids:
        record = ledger.get(task_id)
        if record is None:
            problems.append(f"task {task_id} not found")
        elif record.state not in [s.value for s in states]:
            problems.append(f"task {task_id} is {record.state}")
    if problems:
        raise BilimqError(
            f"{'; '.join(problems)}; nothing was changed. {command} takes tasks that "
            f"are {', '.join(s.value for s in states)} (see bilimq status)"
        )


def cancel(
    ctx: typer.Context,
    task_ids: Annotated[
        list[int], typer.Argument(help="Task ids to cancel (see `bilimq status`).")
    ],
) -> None:
    """Cancel tasks so that no run downloads them; `bilimq retry ID` undoes it.

    Tasks that are done or running now cannot be cancelled.
    """
    state: AppState = ctx.obj
    ledger = state.ledger()
    _check_ids(ledger, task_ids, CANCEL_STATES, "Cancel")
    count = ledger.cancel(task_ids)
    err_console.print(f"{count} task(s) cancelled", highlight=False)
