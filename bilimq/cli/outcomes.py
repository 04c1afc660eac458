"""What `bilimq add` and `bilimq batch` report for each input line.

Results go to stdout: one `added`/`duplicate` line per song, the parse report
of `--dry-run`, or JSON. Rejected lines and the summary go to stderr. User text
is never printed as Rich markup, so `[Remix]` prints as typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.text import Text

from bilimq.cli.console import err_console, stdout_is_utf8
from bilimq.errors import InvalidNameError
from bilimq.songs.durations import format_duration
from bilimq.songs.lists import EntryError
from bilimq.songs.names import AmbiguousNameError, Order, SongName

_OUTPUT_CHUNK = 1000


@dataclass(slots=True)
class Outcome:
    """The result for one input line: parsed, added, duplicate or rejected."""

    where: str
    """`songs.txt:3`, `name 1` or `folder/file.mp3`."""
    text: str
    """The line as read."""
    order: Order
    song: SongName | None = None
    error: InvalidNameError | EntryError | None = None
    status: str = "parsed"
    task_id: int | None = None
    first_where: str | None = None
    """For a duplicate found by a dry run, where the first copy is."""
    duration: float | None = None
    """The song's length in seconds, from the input or --duration."""
    album: str | None = None

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
            "duration": self.duration,
            "album": self.album,
            "error": self.error.reason if self.error else None,
        }


@dataclass
class Report:
    """The outcomes of one command, in input order."""

    outcomes: list[Outcome] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Return how many lines ended with `status`."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)


def print_outcomes(report: Report, *, dry_run: bool, as_json: bool) -> None:
    if as_json:
        ascii_only = not stdout_is_utf8()
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
    if outcome.duration is not None:
        rows.append(f"  duration: {format_duration(outcome.duration)}")
    if outcome.album is not None:
        rows.append(f"  album:    {outcome.album}")
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


def print_summary(report: Report, *, dry_run: bool, quiet_rejections: bool) -> None:
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
