"""`bilimq add`, `bilimq batch` and `bilimq status`.

Results go to stdout: one `added`/`duplicate` line per song, the parse report
of `--dry-run`, or JSON. Progress, rejected lines and the summary go to stderr.
User text is never printed as Rich markup, so `[Remix]` prints as typed.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from loguru import logger
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console, out_console
from bilimq.database import Ledger, NewTask, TaskRecord, TaskState
from bilimq.errors import InvalidNameError
from bilimq.songs.lists import ListLine, SongList, read_songs
from bilimq.songs.names import (
    ORDERS,
    AmbiguousNameError,
    Order,
    SongName,
    name_with_overrides,
    parse_name,
)

_PROGRESS_THRESHOLD = 2000
"""Lists at least this long get progress bars for parsing and inserting."""
_INSERT_CHUNK = 10_000
"""Tasks per `Ledger.add_tasks` call; each call is committed on its own."""
_OUTPUT_CHUNK = 1000
_ARGUMENTS = "<arguments>"


@dataclass(slots=True)
class Outcome:
    """The result for one input line: parsed, added, duplicate or rejected."""

    where: str
    """`songs.txt:3`, `name 1` or `folder/file.mp3`."""
    text: str
    """The line as read."""
    order: Order
    song: SongName | None = None
    error: InvalidNameError | None = None
    status: str = "parsed"
    task_id: int | None = None
    first_where: str | None = None
    """For a duplicate found by a dry run, where the first copy is."""

    def to_json(self) -> dict[str, Any]:
        """Return the fields `--json` prints for this line."""
        song = self.song
        return {
            "where": self.where,
            "input": self.text,
            "status": self.status,
            "id": self.task_id,
            "order": self.order,
            "line": song.line if song else None,
            "title": song.title if song else None,
            "versions": list(song.versions) if song else [],
            "artists": list(song.artists) if song else [],
            "featured": list(song.featured) if song else [],
            "aliases": list(song.aliases) if song else [],
            "warnings": list(song.warnings) if song else [],
            "error": self.error.reason if self.error else None,
        }


@dataclass(frozen=True)
class Overrides:
    """Title, artists and versions the user gave for a single name."""

    title: str | None = None
    artists: list[str] | None = None
    versions: list[str] | None = None

    @property
    def given(self) -> bool:
        """Return whether any override was given."""
        return (self.title, self.artists, self.versions) != (None, None, None)


@dataclass
class Report:
    """The outcomes of one command, in input order."""

    outcomes: list[Outcome] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Return how many lines ended with `status`."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)


OrderOption = Annotated[
    str | None,
    typer.Option(
        "--order",
        help="How lines read: title-artist (`像鱼 - 王贰浪`) or artist-title. "
        "Default: \\[names] order in the config.",
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Show how each line parses (title, versions, artists, warnings) "
        "and write nothing to the ledger.",
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print one JSON object per line on stdout with the fields where, "
        "input, status, id, order, line, title, versions, artists, featured, "
        "aliases, warnings and error.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the task commands to the `bilimq` app."""
    app.command()(add)
    app.command()(batch)
    app.command()(status)


def add(
    ctx: typer.Context,
    names: Annotated[
        list[str], typer.Argument(help="Song names, e.g. '像鱼 (伴奏) - 王贰浪'.")
    ],
    order: OrderOption = None,
    raw_title: Annotated[
        str | None,
        typer.Option(
            "--raw-title",
            help="Use this exact title, brackets included, instead of the parsed "
            "one; versions are then only those given with --song-version. Only "
            "with one NAME.",
        ),
    ] = None,
    artists: Annotated[
        list[str] | None,
        typer.Option(
            "--artist",
            help="Use this artist, never split, instead of the parsed artists; "
            "repeat for several. Only with one NAME.",
        ),
    ] = None,
    versions: Annotated[
        list[str] | None,
        typer.Option(
            "--song-version",
            help="Use this version (e.g. 伴奏, Live) instead of the parsed ones; "
            "repeat for several. Only with one NAME.",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Queue one or more songs by name.

    The name is stored as typed (the file is named after it). When the parser
    gets a name wrong, give the parts with --raw-title, --artist and
    --song-version; --dry-run shows what would be stored.
    """
    state: AppState = ctx.obj
    overrides = Overrides(raw_title, artists or None, versions or None)
    if overrides.given and len(names) != 1:
        raise typer.BadParameter(
            f"--raw-title, --artist and --song-version apply to exactly one NAME, "
            f"but {len(names)} were given; add the songs one at a time",
            param_hint="'--raw-title' / '--artist' / '--song-version'",
        )
    lines = [ListLine(lineno=n, text=name) for n, name in enumerate(names, start=1)]
    song_list = SongList(source=_ARGUMENTS, lines=lines)
    _process(state, song_list, _order(state, order), overrides, dry_run, as_json)


def batch(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="A list file with one song name per line, - for stdin, or a "
            "folder whose audio files' names are the song names.",
            metavar="FILE|-|FOLDER",
        ),
    ],
    order: OrderOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Queue every song in a list file, standard input or a folder.

    A list file may be UTF-8 (with or without a BOM), UTF-16 with a BOM, or
    GB18030/GBK. Blank lines and comments (`#` then a space) are skipped. A
    comment line `# order: artist-title` or `# order: title-artist` sets how
    the lines below it read, overriding --order and the config. A folder gives
    the names of its .mp3, .m4a, .flac, .ogg, .opus, .wav, .aac, .wma and .ape
    files, sorted; other files are counted and skipped.
    """
    state: AppState = ctx.obj
    song_list = read_songs(source)
    _warn_order_conflicts(song_list, order)
    _process(state, song_list, _order(state, order), Overrides(), dry_run, as_json)


def _order(state: AppState, order: str | None) -> Order:
    chosen = order or state.settings.names.order
    for known in ORDERS:
        if chosen == known:
            return known
    raise typer.BadParameter(
        f"invalid order {chosen!r}; use one of: {', '.join(ORDERS)}",
        param_hint="--order",
    )


def _warn_order_conflicts(song_list: SongList, order: str | None) -> None:
    if order is None:
        return
    conflicts = [line for line in song_list.lines if line.order not in (None, order)]
    if conflicts:
        logger.warning(
            "{}: an '# order: {}' comment overrides --order {} for {} lines",
            song_list.source,
            conflicts[0].order,
            order,
            len(conflicts),
        )


def _process(
    state: AppState,
    song_list: SongList,
    order: Order,
    overrides: Overrides,
    dry_run: bool,
    as_json: bool,
) -> None:
    with _collector_paused():
        report = _parse_list(song_list, order, overrides)
        report.skipped_files = song_list.skipped_files
        if dry_run:
            _mark_repeats(report)
        else:
            _queue(state.ledger(), report)
    _print_outcomes(report, dry_run=dry_run, as_json=as_json)
    _print_summary(report, dry_run=dry_run, quiet_rejections=dry_run)
    if report.count("rejected"):
        raise typer.Exit(1)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a list is parsed and queued.

    Each line leaves a few small objects that form no reference cycles, so the
    collector's passes over the growing heap only cost time (about 6% of a
    100,000-line batch when measured). Reference counting still frees memory,
    and the collector runs again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- parsing -------------------------------------------------------------------


def _parse_list(song_list: SongList, order: Order, overrides: Overrides) -> Report:
    report = Report()
    with _progress(len(song_list.lines)) as progress:
        bar = _add_bar(progress, "parsing", len(song_list.lines))
        for index, line in enumerate(song_list.lines, start=1):
            report.outcomes.append(_parse_line(song_list, line, order, overrides))
            if progress is not None and index % _OUTPUT_CHUNK == 0:
                progress.update(bar, completed=index)
    return report


def _parse_line(
    song_list: SongList, line: ListLine, order: Order, overrides: Overrides
) -> Outcome:
    where = _where(song_list, line)
    line_order = line.order or order
    outcome = Outcome(where=where, text=line.text, order=line_order)
    try:
        if overrides.given:
            outcome.song = name_with_overrides(
                line.text,
                line_order,
                title=overrides.title,
                artists=overrides.artists,
                versions=overrides.versions,
            )
        else:
            outcome.song = parse_name(line.text, line_order)
    except InvalidNameError as exc:
        outcome.error, outcome.status = exc, "rejected"
    return outcome


def _where(song_list: SongList, line: ListLine) -> str:
    if song_list.source == _ARGUMENTS:
        return f"name {line.lineno}"
    return song_list.where(line)


# -- queuing -------------------------------------------------------------------


def _mark_repeats(report: Report) -> None:
    """Mark lines that repeat an earlier line of the input, as the ledger would."""
    first_seen: dict[str, Outcome] = {}
    for outcome in report.outcomes:
        if outcome.song is None:
            continue
        first = first_seen.setdefault(outcome.song.dedupe_key(), outcome)
        if first is not outcome:
            outcome.status, outcome.first_where = "duplicate", first.where


def _queue(ledger: Ledger, report: Report) -> None:
    parsed = [outcome for outcome in report.outcomes if outcome.song is not None]
    with _progress(len(parsed)) as progress:
        bar = _add_bar(progress, "queuing", len(parsed))
        for start in range(0, len(parsed), _INSERT_CHUNK):
            _queue_chunk(ledger, parsed[start : start + _INSERT_CHUNK])
            if progress is not None:
                progress.update(bar, completed=min(start + _INSERT_CHUNK, len(parsed)))


def _queue_chunk(ledger: Ledger, outcomes: Sequence[Outcome]) -> None:
    tasks = [_new_task(outcome) for outcome in outcomes]
    by_task = {id(task): outcome for task, outcome in zip(tasks, outcomes, strict=True)}
    result = ledger.add_tasks(tasks)
    for status, pairs in (("added", result.added), ("duplicate", result.duplicates)):
        for task, task_id in pairs:
            outcome = by_task[id(task)]
            outcome.status, outcome.task_id = status, task_id


def _new_task(outcome: Outcome) -> NewTask:
    song = outcome.song
    assert song is not None  # only parsed lines are queued
    return NewTask(
        line=song.line,
        dedupe_key=song.dedupe_key(),
        title=song.title,
        versions=song.versions,
        artists=song.artists,
        name_order=outcome.order,
    )


@contextmanager
def _progress(total: int) -> Iterator[Progress | None]:
    if total < _PROGRESS_THRESHOLD:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        yield progress


def _add_bar(progress: Progress | None, label: str, total: int) -> TaskID:
    return progress.add_task(label, total=total) if progress else TaskID(0)


# -- printing ------------------------------------------------------------------


def _print_outcomes(report: Report, *, dry_run: bool, as_json: bool) -> None:
    if as_json:
        ascii_only = not _stdout_is_utf8()
        chunks = (
            json.dumps(outcome.to_json(), ensure_ascii=ascii_only)
            for outcome in report.outcomes
        )
    elif dry_run:
        chunks = (_describe(outcome) for outcome in report.outcomes)
    else:
        chunks = (
            f"{outcome.status}\t{outcome.task_id}\t{outcome.song.line}"
            for outcome in report.outcomes
            if outcome.song is not None and outcome.task_id is not None
        )
    _echo_all(chunks)


def _describe(outcome: Outcome) -> str:
    """Return the human-readable dry-run report of one line."""
    rows = [f"{outcome.where}: {outcome.text}"]
    song = outcome.song
    if song is None:
        reason = outcome.error.reason if outcome.error else "invalid"
        return "\n".join([*rows, f"  rejected: {reason}", ""])
    rows.append(f"  title:    {song.title}")
    rows.append(f"  versions: {' | '.join(song.versions) or '-'}")
    rows.append(f"  artists:  {' | '.join(song.artists) or '-'}")
    if song.featured:
        rows.append(f"  featured: {' | '.join(song.featured)}")
    if song.aliases:
        rows.append(f"  aliases:  {' | '.join(song.aliases)}")
    rows.extend(f"  warning:  {warning}" for warning in song.warnings)
    if outcome.first_where is not None:
        rows.append(f"  duplicate of {outcome.first_where}")
    return "\n".join([*rows, ""])


def _echo_all(chunks: Iterator[str]) -> None:
    # A thousand lines per write: one `typer.echo` call per line is slow on
    # long lists.
    batch: list[str] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) == _OUTPUT_CHUNK:
            typer.echo("\n".join(batch))
            batch.clear()
    if batch:
        typer.echo("\n".join(batch))


def _print_summary(report: Report, *, dry_run: bool, quiet_rejections: bool) -> None:
    if not quiet_rejections:
        for outcome in report.outcomes:
            if outcome.error is not None:
                err_console.print(_rejection(outcome), highlight=False, soft_wrap=True)
    rejected = report.count("rejected")
    duplicates = report.count("duplicate")
    if dry_run:
        summary = (
            f"dry run: {report.count('parsed')} to add, {duplicates} duplicate(s) "
            f"within the input, {rejected} rejected; the ledger was not changed"
        )
    else:
        summary = f"{report.count('added')} added, {duplicates} duplicate(s), "
        summary += f"{rejected} rejected"
    if report.skipped_files:
        summary += f", {len(report.skipped_files)} non-audio file(s) skipped"
    err_console.print(Text(summary), highlight=False, soft_wrap=True)
    if not dry_run and report.count("added"):
        err_console.print("Run [bold]bilimq run[/] to download them.", highlight=False)


def _rejection(outcome: Outcome) -> Text:
    assert outcome.error is not None
    reason = outcome.error.reason
    if isinstance(outcome.error, AmbiguousNameError):
        reason += "; or add it with `bilimq add NAME --raw-title TITLE --artist NAME`"
    return Text.assemble(
        ("rejected", "bold red"), f" {outcome.where}: {outcome.text!r}: {reason}"
    )


# -- output encoding -----------------------------------------------------------


def _stdout_is_utf8() -> bool:
    return _is_utf8(sys.stdout)


def _is_utf8(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return encoding.replace("-", "").replace("_", "") in ("utf8", "utf8sig")


# -- status --------------------------------------------------------------------


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
        ascii_only = not _stdout_is_utf8()
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
