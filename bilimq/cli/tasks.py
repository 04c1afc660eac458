"""`bilimq add` and `bilimq batch`.

Results go to stdout: one `added`/`duplicate` line per song, the parse report
of `--dry-run`, or JSON. Progress, rejected lines and the summary go to stderr.
User text is never printed as Rich markup, so `[Remix]` prints as typed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, NamedTuple, cast

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

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console
from bilimq.cli.outcomes import (
    Outcome,
    Report,
    mark_repeats,
    note_kept_lengths,
    print_outcomes,
    print_summary,
)
from bilimq.database import Ledger, NewTask
from bilimq.errors import InvalidNameError
from bilimq.songs.durations import DurationError, is_duration_syntax, parse_duration
from bilimq.songs.encodings import check_encoding
from bilimq.songs.lists import (
    FormatChoice,
    ListLine,
    SongList,
    read_songs,
    song_line,
    split_inline_duration,
)
from bilimq.songs.names import (
    ORDERS,
    Order,
    SongName,
    clean_text,
    name_with_overrides,
    parse_name,
)
from bilimq.songs.parts import name_from_parts, name_title_first
from bilimq.songs.records import MAX_ALBUM_CHARS

_PROGRESS_THRESHOLD = 2000
"""Lists at least this long get progress bars for parsing and inserting."""
_INSERT_CHUNK = 10_000
"""Tasks per `Ledger.add_tasks` call; each call is committed on its own."""
_PROGRESS_STEP = 1000
"""Parsed lines between updates of the parsing bar."""
_ARGUMENTS = "<arguments>"


@dataclass(frozen=True)
class Overrides:
    """Name parts, length and album the user gave on the command line."""

    title: str | None = None
    artists: list[str] | None = None
    versions: list[str] | None = None
    duration: float | None = None
    """Seconds, from --duration; it replaces a duration the line gives."""
    album: str | None = None

    @property
    def given(self) -> bool:
        """Return whether a title, artists or versions were given."""
        return (self.title, self.artists, self.versions) != (None, None, None)


class Orders(NamedTuple):
    """The name orders chosen outside the list, by precedence."""

    flag: Order | None
    """From --order; it wins over the order a list format implies."""
    setting: Order
    """From `[names] order` in the config; used when nothing else applies."""

    def for_line(self, line: ListLine) -> Order:
        """Return the order of `line`.

        Its `# order:` comment wins, then --order, then the convention of the
        list format, then the config.
        """
        return line.order or self.flag or line.default_order or self.setting


class FormatOption(StrEnum):
    """The values of `bilimq batch --format`."""

    AUTO = "auto"
    LINES = "lines"
    M3U = "m3u"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"


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
        "aliases, warnings, duration (seconds), album and error.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the task commands to the `bilimq` app."""
    app.command()(add)
    app.command()(batch)


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
    duration: Annotated[
        str | None,
        typer.Option(
            "--duration",
            help="The song's known length, as seconds (221), m:ss (3:41) or "
            "h:mm:ss, stored with the task. Only with one NAME.",
        ),
    ] = None,
    album: Annotated[
        str | None,
        typer.Option("--album", help="The album the songs are from, stored with them."),
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Queue one or more songs by name.

    The name is stored as typed (the file is named after it). When the parser
    gets a name wrong, give the parts with --raw-title, --artist and
    --song-version; --dry-run shows what would be stored. A name may end with
    its length after a spaced bar, as in '千鱼 - 王贰浪 | 3:41'; with --duration,
    a final '| word' that is not a length stays part of the name.
    """
    state: AppState = ctx.obj
    overrides = Overrides(
        raw_title,
        artists or None,
        versions or None,
        _duration_option(duration, names),
        _album_option(album),
    )
    if overrides.given and len(names) != 1:
        raise typer.BadParameter(
            f"--raw-title, --artist and --song-version apply to exactly one NAME, "
            f"but {len(names)} were given; add the songs one at a time",
            param_hint="'--raw-title' / '--artist' / '--song-version'",
        )
    duration_given = overrides.duration is not None
    if duration_given and _ends_with_length(names[0]):
        raise typer.BadParameter(
            f"NAME {names[0]!r} already ends with a duration; give it once, either "
            "in the name or with --duration",
            param_hint="'--duration'",
        )
    lines = [
        song_line(n, name, duration_given=duration_given)
        for n, name in enumerate(names, start=1)
    ]
    song_list = SongList(source=_ARGUMENTS, lines=lines)
    orders = _orders(state, order)
    _process(state, song_list, orders, overrides, dry_run, as_json)


def batch(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="A list file (plain, M3U, CSV/TSV, JSON or JSON Lines), - for "
            "stdin, or a folder of audio files, read with its subfolders.",
            metavar="FILE|-|FOLDER",
        ),
    ],
    order: OrderOption = None,
    list_format: Annotated[
        FormatOption,
        typer.Option(
            "--format",
            help="How to read the list: auto (from the extension and the text), "
            "lines, m3u, csv, tsv, json or jsonl (one JSON value per line).",
        ),
    ] = FormatOption.AUTO,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="The list file's text encoding, e.g. gb18030, big5, shift_jis or "
            "cp1252. Default: UTF-8 or UTF-16 when they fit, else the likeliest of "
            "GB18030, Big5, Shift-JIS and Windows-1252, with a warning.",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Queue every song in a list file, standard input or a folder.

    A list file may be UTF-8 (with or without a BOM), UTF-16 with a BOM, or
    GB18030, Big5, Shift-JIS or Windows-1252 (the likeliest is used, with a
    warning; --encoding sets it). In a plain list, blank lines and comments
    (`#` then a space) are skipped, and a line may end with its length:
    `千鱼 - 王贰浪 | 3:41`. A comment line `# order: artist-title` or
    `# order: title-artist` sets how the lines below it read, overriding
    --order and the config. An M3U playlist gives each `#EXTINF` length and
    name; the names read artist-title unless --order or a comment sets another
    order, and are stored title first. A CSV, TSV, JSON or JSON Lines list
    names its fields title, artist, album and duration. A folder and the
    folders below it give their .mp3, .m4a, .flac, .ogg, .opus, .wav, .aac,
    .wma and .ape files, sorted, named by their title and artist tags or their
    file names, with their lengths; other files are counted and skipped.
    """
    state: AppState = ctx.obj
    if encoding is not None:
        _check_encoding_option(encoding)
    song_list = read_songs(source, cast("FormatChoice", list_format.value), encoding)
    for warning in song_list.warnings:
        logger.warning("{}", warning)
    _warn_order_conflicts(song_list, order)
    _process(state, song_list, _orders(state, order), Overrides(), dry_run, as_json)


def chosen_order(state: AppState, order: str | None) -> Order:
    """Return the order --order gives, or else the config's `[names] order`."""
    orders = _orders(state, order)
    return orders.flag or orders.setting


def _orders(state: AppState, flag: str | None) -> Orders:
    setting = _known_order(state.settings.names.order, "[names] order")
    return Orders(_known_order(flag, "--order") if flag else None, setting)


def _known_order(chosen: str, where: str) -> Order:
    for known in ORDERS:
        if chosen == known:
            return known
    raise typer.BadParameter(
        f"invalid order {chosen!r}; use one of: {', '.join(ORDERS)}",
        param_hint=where,
    )


def _album_option(text: str | None) -> str | None:
    album = clean_text(text or "")
    if len(album) > MAX_ALBUM_CHARS:
        raise typer.BadParameter(
            f"the album is {len(album)} characters long, more than the "
            f"{MAX_ALBUM_CHARS} the ledger stores; shorten it",
            param_hint="'--album'",
        )
    return album or None


def _check_encoding_option(encoding: str) -> None:
    try:
        check_encoding(encoding)
    except LookupError:
        raise typer.BadParameter(
            f"unknown encoding {encoding!r}; use a name such as utf-8, gb18030, "
            "big5, shift_jis or cp1252",
            param_hint="'--encoding'",
        ) from None


def _ends_with_length(name: str) -> bool:
    _, field = split_inline_duration(name)
    return field is not None and is_duration_syntax(field)


def _duration_option(text: str | None, names: Sequence[str]) -> float | None:
    if text is None:
        return None
    if len(names) != 1:
        raise typer.BadParameter(
            f"--duration applies to exactly one NAME, but {len(names)} were given; "
            "add the songs one at a time",
            param_hint="'--duration'",
        )
    try:
        return parse_duration(text)
    except DurationError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--duration'") from None


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
    orders: Orders,
    overrides: Overrides,
    dry_run: bool,
    as_json: bool,
) -> None:
    with _collector_paused():
        report = _parse_list(song_list, orders, overrides)
        report.skipped_files = song_list.skipped_files
        report.subfolders = song_list.subfolders
        if dry_run:
            mark_repeats(report)
        else:
            ledger = state.ledger()
            _queue(ledger, report)
            note_kept_lengths(report, _stored_lengths(ledger, report))
    print_outcomes(report, dry_run=dry_run, as_json=as_json)
    print_summary(report, dry_run=dry_run, quiet_rejections=dry_run)
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


def _parse_list(song_list: SongList, orders: Orders, overrides: Overrides) -> Report:
    report = Report()
    with _progress(len(song_list.lines)) as progress:
        bar = _add_bar(progress, "parsing", len(song_list.lines))
        for index, line in enumerate(song_list.lines, start=1):
            report.outcomes.append(_parse_line(song_list, line, orders, overrides))
            if progress is not None and index % _PROGRESS_STEP == 0:
                progress.update(bar, completed=index)
    return report


def _parse_line(
    song_list: SongList, line: ListLine, orders: Orders, overrides: Overrides
) -> Outcome:
    read_order = orders.for_line(line)
    # A line built from a separate title and artists is stored title first.
    title_first = line.title is not None or line.store_title_first
    outcome = Outcome(
        where=_where(song_list, line),
        text=line.text,
        order="title-artist" if title_first else read_order,
        duration=overrides.duration or line.duration,
        album=overrides.album or line.album,
        notes=list(line.warnings),
    )
    if line.error is not None:
        outcome.error, outcome.status = line.error, "rejected"
        return outcome
    try:
        outcome.song = _parse_song(line, read_order, overrides)
    except InvalidNameError as exc:
        outcome.error, outcome.status = exc, "rejected"
    return outcome


def _parse_song(line: ListLine, order: Order, overrides: Overrides) -> SongName:
    if overrides.given:
        return name_with_overrides(
            line.text,
            order,
            title=overrides.title,
            artists=overrides.artists,
            versions=overrides.versions,
        )
    if line.title is not None:
        return name_from_parts(line.title, line.artists, split=line.split_artists)
    if line.store_title_first:
        return name_title_first(line.text, order)
    return parse_name(line.text, order)


def _where(song_list: SongList, line: ListLine) -> str:
    if song_list.source == _ARGUMENTS:
        return f"name {line.lineno}"
    return song_list.where(line)


# -- queuing -------------------------------------------------------------------


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


def _stored_lengths(ledger: Ledger, report: Report) -> dict[int, float | None]:
    """Return the stored length of each duplicate task the input gave one for."""
    ids = sorted(
        {
            outcome.task_id
            for outcome in report.outcomes
            if outcome.status == "duplicate"
            and outcome.duration is not None
            and outcome.task_id is not None
        }
    )
    return ledger.durations(ids)


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
        duration=outcome.duration,
        album=outcome.album,
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
