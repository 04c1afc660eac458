"""`bilimq run`: the foreground daemon."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console
from bilimq.config import Settings, ensure_folder
from bilimq.errors import ConfigError

if TYPE_CHECKING:
    from bilimq.daemon import Daemon

EXIT_INTERRUPTED = 130


def register(app: typer.Typer) -> None:
    app.command()(run)


def run(
    ctx: typer.Context,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            max=32,
            help="Worker threads (default: \\[run] workers).",
        ),
    ] = None,
    exit_when_idle: Annotated[
        bool,
        typer.Option(
            "--exit-when-idle",
            help="Stop once no task is running or due (retries due within "
            "\\[run] idle_wait seconds are waited for).",
        ),
    ] = False,
) -> None:
    """Download queued songs until stopped (Ctrl-C leaves unfinished tasks pending)."""
    # Imported here: the download stack (yt-dlp above all) is slow to import
    # and only `run` needs it.
    from bilimq.cli.display import RunDisplay, summary_table
    from bilimq.daemon import Daemon, NetworkUnreachable

    state: AppState = ctx.obj
    settings = state.settings
    ledger = state.ledger()
    ensure_folder(settings.paths.library_dir, "[paths] library_dir")
    display = RunDisplay(err_console, total=ledger.count_unfinished())
    daemon = Daemon(
        settings,
        ledger,
        display,
        workers=workers or settings.run.workers,
        exit_when_idle=exit_when_idle,
        cookiefile=_cookie_file(settings),
    )
    try:
        with _interrupt_handler(daemon), display:
            summary = daemon.run()
    except KeyboardInterrupt:
        released = ledger.release_owned(daemon.owner)
        err_console.print(
            f"forced stop: {released} unfinished task(s) were returned to pending",
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if not state.quiet:
        err_console.print(summary_table(summary, ledger.counts()))
    if summary.stop_reason == "interrupted":
        err_console.print(
            f"interrupted: {summary.released} unfinished task(s) were returned to "
            "pending; run again to continue",
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED)
    if isinstance(summary.error, NetworkUnreachable):
        raise NetworkUnreachable(
            f"network unreachable: cannot reach {settings.bilibili.api_base} "
            f"({summary.error}). Nothing was lost: every unfinished task is still "
            "pending; run `bilimq run` again once the network is back"
        )
    if summary.error is not None:
        raise summary.error


@contextmanager
def _interrupt_handler(daemon: Daemon) -> Iterator[None]:
    """First Ctrl-C stops the run cleanly; a second one exits at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: object) -> None:
        # No logging here: a signal handler may interrupt a log call that
        # holds the sink's lock. The daemon logs the stop itself.
        if daemon.stopping.is_set():
            raise KeyboardInterrupt
        daemon.stop("interrupted")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _cookie_file(settings: Settings) -> Path | None:
    """Return the user's Netscape cookie file for yt-dlp, if one is configured."""
    if not settings.bilibili.cookie_file:
        return None
    path = Path(settings.bilibili.cookie_file).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"[bilibili] cookie_file {path} not found; export a Netscape-format "
            "cookies.txt from the browser or clear the setting"
        )
    return path
