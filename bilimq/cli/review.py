"""`bilimq search`, `bilimq review` and `bilimq pick`: see and choose matches.

`search` runs the same lookup as `bilimq run` and prints every candidate with
its score and the reasons for it, without downloading. `review` lists the
tasks that wait for a person, with the candidates kept when they were
searched. `pick` sets a task's upload by hand and queues the download.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bilimq.bilibili.models import SearchHit, VideoInfo, VideoPart
from bilimq.cli.app import AppState
from bilimq.cli.choices import UploadChoice, parse_upload
from bilimq.cli.console import err_console, out_console, stdout_is_utf8
from bilimq.cli.tasks import OrderOption, chosen_order
from bilimq.database import TaskRecord, TaskState
from bilimq.errors import BilimqError
from bilimq.match.candidate import part_dict
from bilimq.songs.durations import format_duration, parse_duration
from bilimq.songs.names import parse_name

if TYPE_CHECKING:
    # Imported by the commands themselves, so `bilimq --help` stays fast.
    from bilimq.bilibili.client import BilibiliClient

_SHOWN_REASONS = 3
"""Candidates whose scoring steps `search` prints below the table."""


def register(app: typer.Typer) -> None:
    """Add the matching commands to the `bilimq` app."""
    app.command()(search)
    app.command()(review)
    app.command()(pick)


# -- search --------------------------------------------------------------------


def search(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A song name, e.g. '像鱼 - 王贰浪'.")],
    order: OrderOption = None,
    duration: Annotated[
        str | None,
        typer.Option(
            "--duration",
            help="The song's length (3:41 or 221 seconds); uploads too far "
            "from it are rejected.",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many candidates to show.")
    ] = 10,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the chosen upload, the requests made and every candidate "
            "with its score, reasons and rejection as JSON on stdout.",
        ),
    ] = False,
) -> None:
    """Show how bilimq ranks Bilibili's uploads for a song, without downloading.

    Runs the same searches as `bilimq run` and prints each candidate with its
    score, whether it would be picked, and the gate it failed.
    """
    from bilimq import lookup
    from bilimq.jobs import make_client

    state: AppState = ctx.obj
    song = parse_name(name, chosen_order(state, order))
    reference = _duration_option(duration)
    settings = state.settings
    client = make_client(settings)
    try:
        result = lookup.find_upload(
            DirectSearcher(client),
            song,
            reference=reference,
            threshold=settings.match.threshold,
            tolerance=settings.match.duration_tolerance,
        )
    finally:
        client.close()
    shown = result.candidates[:limit]
    chosen = result.chosen.hit.bvid if result.chosen else None
    if as_json:
        payload = {
            "line": song.line,
            "query": song.query(),
            "reference_duration": reference,
            "threshold": settings.match.threshold,
            "chosen": chosen,
            "requests": [vars(attempt) for attempt in result.attempts],
            "candidates": [c.to_dict() for c in shown],
        }
        _print_json(payload)
        return
    out_console.print(_candidates_table(shown, chosen, settings.match.threshold))
    for candidate in shown[:_SHOWN_REASONS]:
        out_console.print(
            Text(f"{candidate.hit.bvid}: {'; '.join(candidate.reasons)}"),
            soft_wrap=True,
        )
    err_console.print(_verdict(chosen, len(result.candidates)), highlight=False)


class DirectSearcher:
    """Bilibili requests without a cache, for one-off commands."""

    def __init__(self, client: BilibiliClient) -> None:
        self.client = client

    def search(self, query: str) -> list[SearchHit]:
        return self.client.search_videos(query)

    def search_all(self, query: str) -> list[SearchHit]:
        return self.client.search_all(query)

    def parts(self, bvid: str) -> Sequence[VideoPart]:
        return self.client.video_info(bvid).pages


def _duration_option(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--duration") from None


def _candidates_table(
    candidates: Sequence[Any], chosen: str | None, threshold: float
) -> Table:
    table = Table(title="Candidates, best first", title_justify="left")
    for column in ("#", "score", "verdict", "upload", "length", "uploader", "title"):
        # The upload id is what `bilimq pick` needs, so it never wraps.
        table.add_column(column, overflow="fold", no_wrap=column == "upload")
    for number, candidate in enumerate(candidates, start=1):
        hit = candidate.hit
        upload = hit.bvid
        length = hit.duration
        if candidate.part is not None:
            upload += f":{candidate.part.page}"
            length = candidate.part.duration
        table.add_row(
            Text(str(number)),
            Text(f"{candidate.score:.0f}"),
            _verdict_cell(candidate, chosen, threshold),
            Text(upload),
            Text(format_duration(length)),
            Text(hit.author),
            Text(hit.title),
        )
    return table


def _verdict_cell(candidate: Any, chosen: str | None, threshold: float) -> Text:
    if candidate.hit.bvid == chosen:
        return Text("pick", style="bold green")
    if candidate.rejected:
        return Text(f"rejected: {candidate.rejected}", style="red")
    if candidate.ambiguous:
        return Text(candidate.ambiguous, style="yellow")
    if candidate.score < threshold:
        return Text(f"below {threshold:g}", style="yellow")
    return Text("passed")


def _verdict(chosen: str | None, count: int) -> str:
    if chosen:
        return f"bilimq run would download {chosen}"
    if not count:
        return "no uploads found; try a shorter name or check the spelling"
    return (
        "no candidate is confident enough; a task for this song would wait in "
        "needs_review (choose with bilimq pick)"
    )


# -- review --------------------------------------------------------------------


def review(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="How many tasks to list.")
    ] = 50,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the waiting tasks and their candidates as JSON."
        ),
    ] = False,
) -> None:
    """List the tasks waiting for a person to choose their upload."""
    state: AppState = ctx.obj
    records = state.ledger().list_tasks([TaskState.NEEDS_REVIEW], limit=limit)
    if as_json:
        _print_json({"tasks": [_review_entry(r) for r in records]})
        return
    if not records:
        err_console.print("no tasks need review", highlight=False)
        return
    for record in records:
        out_console.print(_review_table(record))
    err_console.print(
        "Choose one with [bold]bilimq pick TASK BVID[:PART][/], or search again "
        "with [bold]bilimq retry TASK[/].",
        highlight=False,
    )


def _review_entry(record: TaskRecord) -> dict[str, Any]:
    match = record.match or {}
    return {
        "id": record.id,
        "line": record.line,
        "duration": record.duration,
        "reason": record.last_error,
        "candidates": match.get("candidates", []),
        "downloaded_duration": match.get("downloaded_duration"),
    }


def _review_table(record: TaskRecord) -> Table:
    title = f"task {record.id}: {record.line}"
    if record.duration:
        title += f" ({format_duration(record.duration)})"
    table = Table(title=title, title_justify="left", caption=record.last_error)
    for column in ("upload", "score", "length", "uploader", "title", "note"):
        table.add_column(column, overflow="fold", no_wrap=column == "upload")
    for candidate in (record.match or {}).get("candidates", []):
        part = candidate.get("part") or {}
        upload = candidate["bvid"]
        if part:
            upload += f":{part['page']}"
        length = part.get("duration") or candidate.get("duration")
        score = candidate.get("score")
        table.add_row(
            Text(upload),
            Text("" if score is None else f"{score:.0f}"),
            Text(format_duration(length) if length else "?"),
            Text(candidate.get("author") or ""),
            Text(candidate.get("title") or ""),
            Text(candidate.get("rejected") or ""),
        )
    return table


# -- pick ----------------------------------------------------------------------


def pick(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task id (see bilimq review).")],
    upload: Annotated[
        str,
        typer.Argument(
            help="The upload as BVID, BVID:PART, or a video URL with ?p=PART.",
            metavar="BVID[:PART]",
        ),
    ],
) -> None:
    """Choose a task's upload by hand and queue its download.

    The download skips the search and the length check. It runs on the next
    `bilimq run`.
    """
    state: AppState = ctx.obj
    choice = parse_upload(upload)
    ledger = state.ledger()
    record = ledger.get(task_id)
    if record is None:
        raise BilimqError(f"task {task_id} not found; see bilimq status for ids")
    chosen = _known_candidate(record, choice) or _fetch_candidate(state, choice)
    part = (chosen.get("part") or {}).get("page") or 1
    match = {
        "chosen": chosen,
        "candidates": (record.match or {}).get("candidates", []),
        "picked": True,
    }
    if not ledger.choose_upload(task_id, chosen["bvid"], part, match):
        # Read again: a run may have claimed the task since it was read above.
        current = ledger.get(task_id)
        now = current.state if current else "gone"
        raise BilimqError(
            f"task {task_id} is {now} and cannot be changed now; pick "
            "tasks that are pending, need review, failed, retrying or cancelled"
        )
    part_title = (chosen.get("part") or {}).get("title") or chosen.get("title", "")
    err_console.print(
        Text.assemble(
            f"task {task_id} will download {chosen['bvid']} part {part} "
            f"({part_title!r}); run ",
            ("bilimq run", "bold"),
            " to fetch it",
        ),
        highlight=False,
    )


def _known_candidate(record: TaskRecord, choice: UploadChoice) -> dict[str, Any] | None:
    """Return the stored candidate for the choice, so a pick needs no request."""
    for candidate in (record.match or {}).get("candidates", []):
        if candidate.get("bvid") != choice.bvid:
            continue
        stored_part = candidate.get("part")
        if stored_part is None:
            # Whether the upload has several parts is unknown: ask Bilibili.
            return None
        if choice.part in (None, stored_part["page"]):
            return candidate
    return None


def _fetch_candidate(state: AppState, choice: UploadChoice) -> dict[str, Any]:
    from bilimq.jobs import make_client

    client = make_client(state.settings)
    try:
        info = client.video_info(choice.bvid)
    finally:
        client.close()
    return _candidate_from_info(info, choice)


def _candidate_from_info(info: VideoInfo, choice: UploadChoice) -> dict[str, Any]:
    parts = {part.page: part for part in info.pages}
    if choice.part is None and len(parts) > 1:
        listing = ", ".join(
            f"{part.page} {part.title} ({format_duration(part.duration)})"
            for part in info.pages
        )
        raise BilimqError(
            f"{info.bvid} has {len(parts)} parts: {listing}; name one, such as "
            f"{info.bvid}:2"
        )
    page = choice.part or 1
    if parts and page not in parts:
        raise BilimqError(
            f"{info.bvid} has {len(parts)} part(s), not part {page}; choose a "
            f"part from 1 to {len(parts)}"
        )
    part = parts.get(page) if len(parts) > 1 else None
    return {
        "bvid": info.bvid,
        "aid": info.aid,
        "title": info.title,
        "author": info.owner,
        "duration": info.duration,
        "pic": info.pic,
        "score": None,
        "reasons": ["picked by hand"],
        "rejected": None,
        "part": None if part is None else part_dict(part),
    }


def _print_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=not stdout_is_utf8(), indent=2))
