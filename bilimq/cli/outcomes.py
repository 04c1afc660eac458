"""The per-line report of `bilimq add` and `bilimq batch`.

Results go to stdout: one `added`/`duplicate` line per song, the parse report
of `--dry-run`, or JSON. Warnings, rejected lines and the summary go to stderr.
User text is never printed as Rich markup, so `[Remix]` prints as typed, and
values longer than MAX_SHOWN_CHARS are cut in messages.
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
from bilimq.songs.entries import shorten
from bilimq.songs.lists import EntryError
from bilimq.songs.names import AmbiguousNameError, Order, SongName

_OUTPUT_CHUNK = 1000
_SAME_LENGTH = 1.0
"""Seconds two lengths of one song may differ by and still count as the same."""


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
    notes: list[str] = field(default_factory=list)
    """Problems with the entry that were worked around, such as a length not
    stored; the name parser's own warnings are on `song`."""

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
            "warnings": [*(song.warnings if song else ()), *self.notes],
            "duration": self.duration,
            "album": self.album,
            "error": self.error.reason if self.error else None,
        }


@dataclass
class Report:
    """The outcomes of one command, in input order."""

    outcomes: list[Outcome] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    subfolders: int | None = None
    """For a folder, how many folders below it were read."""

    def count(self, status: str) -> int:
        """Return how many lines ended with `status`."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)


def mark_repeats(report: Report) -> None:
    """Mark lines that repeat an earlier line of the input, as the ledger would.

    A repeat whose length differs from the first line's gets a note, because
    the first line's length is the one stored.
    """
    first_seen: dict[str, Outcome] = {}
    for outcome in report.outcomes:
        if outcome.song is None:
            continue
        first = first_seen.setdefault(outcome.song.dedupe_key(), outcome)
        if first is not outcome:
            outcome.status, outcome.first_where = "duplicate", first.where
            _note_kept_length(outcome, first.duration, f"of {first.where}")


def note_kept_lengths(report: Report, stored: dict[int, float | None]) -> None:
    """Note on each duplicate whose length differs from its task's stored one
    that the stored length is kept; `stored` maps task ids to their lengths."""
    for outcome in report.outcomes:
        if outcome.status == "duplicate" and outcome.task_id in stored:
            _note_kept_length(outcome, stored[outcome.task_id], "stored in the ledger")


def _note_kept_length(outcome: Outcome, kept: float | None, origin: str) -> None:
    """Note that a duplicate's length differs from the one kept, which `origin`
    names (`stored in the ledger`, `of songs.txt:1`)."""
    given = outcome.duration
    if given is None:
        return
    if kept is None:
        outcome.notes.append(
            f"duplicate; the length {origin} is unknown and stays so, and "
            f"{format_duration(given)} from this input is not stored"
        )
    elif abs(kept - given) > _SAME_LENGTH:
        outcome.notes.append(
            f"duplicate; the length {origin} ({format_duration(kept)}) is kept, "
            f"not {format_duration(given)} from this input"
        )


def print_outcomes(report: Report, *, dry_run: bool, as_json: bool) -> None:
    """Print each line's result on stdout: a table row, a report or JSON."""
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
    song = outcome.song
    if song is None:
        reason = outcome.error.reason if outcome.error else "invalid"
        rows = [f"{outcome.where}: {shorten(outcome.text)}"]
        return "\n".join([*rows, f"  rejected: {reason}", ""])
    rows = [f"{outcome.where}: {outcome.text}"]
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
    rows.extend(f"  warning:  {note}" for note in outcome.notes)
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
    """Print the notes and rejections (unless `quiet_rejections`, as a dry run's
    report already shows them) and the counts, on stderr."""
    if not quiet_rejections:
        for outcome in report.outcomes:
            for note in outcome.notes:
                err_console.print(_note(outcome, note), highlight=False, soft_wrap=True)
            if outcome.error is not None:
                err_console.print(_rejection(outcome), highlight=False, soft_wrap=True)
    err_console.print(Text(_counts(report, dry_run)), highlight=False, soft_wrap=True)
    if not dry_run and report.count("added"):
        err_console.print("Run [bold]bilimq run[/] to download them.", highlight=False)


def _counts(report: Report, dry_run: bool) -> str:
    rejected = report.count("rejected")
    duplicates = report.count("duplicate")
    if dry_run:
        summary = (
            f"dry run: {report.count('parsed')} to add, {duplicates} duplicate(s) "
            f"within the input, {rejected} rejected"
        )
    else:
        summary = f"{report.count('added')} added, {duplicates} duplicate(s), "
        summary += f"{rejected} rejected"
    if report.skipped_files:
        summary += f", {len(report.skipped_files)} non-audio file(s) skipped"
    if report.subfolders is not None:
        summary += f", {report.subfolders} subfolder(s) read"
    if dry_run:
        summary += "; the ledger was not changed"
    return summary


def _rejection(outcome: Outcome) -> Text:
    assert outcome.error is not None
    reason = outcome.error.reason
    if isinstance(outcome.error, AmbiguousNameError):
        reason += "; or add it with `bilimq add NAME --raw-title TITLE --artist NAME`"
    return Text.assemble(
        ("rejected", "bold red"),
        f" {outcome.where}: {shorten(outcome.text)!r}: {reason}",
    )


def _note(outcome: Outcome, note: str) -> Text:
    return Text.assemble(
        ("warning", "yellow"), f" {outcome.where}: {shorten(outcome.text)!r}: {note}"
    )
