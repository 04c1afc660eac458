"""`bilimq run`: the foreground daemon."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from loguru import logger

from bilimq.cli.app import AppState
from bilimq.cli.console import err_console
from bilimq.cli.display import RunDisplay, summary_table
from bilimq.config import Settings
from bilimq.daemon import Daemon, NetworkUnreachable

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
            help="Worker threads (default: [run] workers).",
        ),
    ] = None,
    exit_when_idle: Annotated[
        bool,
        typer.Option(
            "--exit-when-idle",
            help="Stop once no task is running or due (retries due within "
            "[run] idle_wait seconds are waited for).",
        ),
    ] = False,
) -> None:
    """Download queued songs until stopped (Ctrl-C leaves unfinished tasks pending)."""
    state: AppState = ctx.obj
    settings = state.settings
    ledger = state.ledger()
    count = workers or settings.run.workers
    settings.paths.library_dir.mkdir(parents=True, exist_ok=True)
    with _cookie_file(settings) as cookiefile:
        display = RunDisplay(err_console, total=ledger.count_unfinished())
        daemon = Daemon(
            settings,
            ledger,
            display,
            workers=count,
            exit_when_idle=exit_when_idle,
            cookiefile=cookiefile,
        )
        with _interrupt_handler(daemon), display:
            summary = daemon.run()
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
            f"network unreachable: {summary.error}. Nothing was lost: every unfinished "
            "task is still pending; run `bilimq run` again once the network is back"
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
        if daemon.stopping.is_set():
            raise KeyboardInterrupt
        logger.warning("stopping: finishing up, Ctrl-C again to quit at once")
        daemon.stop("interrupted")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _cookie_file(settings: Settings) -> Iterator[Path | None]:
    """Yield a Netscape cookie file for yt-dlp with the login cookie, if any."""
    if settings.bilibili.cookie_file:
        yield Path(settings.bilibili.cookie_file).expanduser()
        return
    if not settings.bilibili.sessdata:
        yield None
        return
    settings.paths.data_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix="cookies-", suffix=".txt", dir=settings.paths.data_dir
    )
    path = Path(name)
    try:
        # mkstemp creates the file readable by the owner only.
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# Netscape HTTP Cookie File\n")
            handle.write(
                f".bilibili.com\tTRUE\t/\tTRUE\t0\tSESSDATA\t"
                f"{settings.bilibili.sessdata.reveal()}\n"
            )
        yield path
    finally:
        path.unlink(missing_ok=True)
