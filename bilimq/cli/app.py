"""The `bilimq` command: global options and the one error boundary."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from loguru import logger
from rich.markup import escape
from typer.core import TyperGroup

from bilimq import __version__
from bilimq.cli.console import err_console
from bilimq.config import Settings, ensure_folder, load_settings
from bilimq.database import Ledger
from bilimq.errors import BilimqError
from bilimq.log import configure_logging, enable_sql_echo, verbosity_level


@dataclass
class AppState:
    """Settings and lazily opened resources shared by the commands."""

    settings: Settings
    verbose: int = 0
    quiet: bool = False
    """With -q, commands print only results, warnings and errors."""
    _ledger: Ledger | None = field(default=None, repr=False)

    def ledger(self) -> Ledger:
        """Open the ledger once, creating its table if needed."""
        if self._ledger is None:
            database = self.settings.database
            ledger = Ledger(
                self.settings.database_url,
                echo=False,
                pool_recycle=database.pool_recycle,
            )
            ledger.create_schema()
            logger.debug("ledger: {}", ledger.display_url)
            self._ledger = ledger
        return self._ledger


_verbosity = {"level": 0}


def print_error(exc: BaseException) -> None:
    """Print one `error:` line on stderr, with any markup in the text escaped."""
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)


class ErrorBoundary(TyperGroup):
    """Turn every BilimqError into one line on stderr and exit code 1."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except BilimqError as exc:
            # The console gets the one-line message below; the log file gets
            # the same line, so a run started by cron leaves its reason behind.
            logger.bind(console=False).error("{}", exc)
            if _verbosity["level"] > 0:
                err_console.print_exception(show_locals=False)
            print_error(exc)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="bilimq",
    cls=ErrorBoundary,
    help="Turn song names into matched, tagged audio files from Bilibili.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    add_completion=False,
)


def _tolerate_narrow_terminal_encoding() -> None:
    # A GBK or cp1252 console cannot show every song name; print an escape
    # instead of crashing. The ledger and the log file keep the real text.
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower()
        encoding = encoding.replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bilimq {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Config file to read (default: $BILIMQ_CONFIG, ./config.toml, "
            "then the user config folder).",
            dir_okay=False,
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="More output: -v debug, -vv also SQL."
        ),
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Turn song names into matched, tagged audio files from Bilibili."""
    _verbosity["level"] = verbose
    _tolerate_narrow_terminal_encoding()
    try:
        settings = load_settings(config)
    except BilimqError as exc:
        print_error(exc)
        raise typer.Exit(1) from None
    try:
        ensure_folder(settings.paths.log_dir, "[paths] log_dir")
        if not settings.database.url:
            ensure_folder(settings.paths.data_dir, "[paths] data_dir")
    except BilimqError as exc:
        print_error(exc)
        raise typer.Exit(1) from None
    configure_logging(
        err_console,
        console_level=verbosity_level(verbose, quiet),
        log_dir=settings.paths.log_dir,
        file_level=settings.log.level.upper(),
        rotation=settings.log.rotation,
        retention=settings.log.retention,
    )
    if verbose >= 2:
        enable_sql_echo()
    if settings.source:
        logger.debug("config: {}", settings.source)
    ctx.obj = AppState(settings=settings, verbose=verbose, quiet=quiet)


def _register_commands() -> None:
    # Imported here so the command modules can import `app` helpers freely.
    from bilimq.cli import manage, review, run, status, tasks

    tasks.register(app)
    status.register(app)
    run.register(app)
    review.register(app)
    manage.register(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()
