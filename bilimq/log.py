"""loguru sinks, configured once by the CLI.

Library modules only `from loguru import logger`. The CLI calls
`configure_logging` at start-up. It installs a console sink that prints through
the same Rich console (stderr) as the progress bars and a rotating file sink in
the log folder. It also routes the standard `logging` module (SQLAlchemy,
httpx, bilimq.core) into loguru.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger
from rich.markup import escape

if TYPE_CHECKING:
    from loguru import Message, Record
    from rich.console import Console

LOG_FILE_NAME = "bilimq.log"

# Values that must never reach a sink even if a library prints them: cookie
# values, `Cookie:` headers and passwords inside database URLs.
_SECRET_PATTERNS = [
    (re.compile(r"(SESSDATA=)[^;\s&\"']+", re.IGNORECASE), r"\1***"),
    (re.compile(r"(bili_jct=)[^;\s&\"']+", re.IGNORECASE), r"\1***"),
    (re.compile(r"(://[^:/@\s]*:)[^@/\s]+(@)"), r"\1***\2"),
    (re.compile(r"((?:password|passwd)=)[^&\s]+", re.IGNORECASE), r"\1***"),
]

_LEVEL_STYLES = {
    "TRACE": "dim",
    "DEBUG": "dim",
    "INFO": "",
    "SUCCESS": "green",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold red",
}


def verbosity_level(verbose: int, quiet: bool) -> str:
    """Resolve the `-v`/`-q` flags to a console log level."""
    if quiet:
        return "WARNING"
    if verbose >= 2:
        return "TRACE"
    if verbose == 1:
        return "DEBUG"
    return "INFO"


def redact(text: str) -> str:
    """Return `text` with cookie values and URL passwords masked."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_record(record: Record) -> None:
    record["message"] = redact(record["message"])


def configure_logging(
    console: Console,
    *,
    console_level: str,
    log_dir: Path | None,
    file_level: str = "DEBUG",
    rotation: str = "10 MB",
    retention: int = 10,
) -> Path | None:
    """Install the console and file sinks; return the log file path, if any."""
    logger.remove()
    logger.configure(patcher=_redact_record)
    logger.add(
        _console_sink(console),
        level=console_level,
        filter=lambda record: record["extra"].get("console", True),
        format="{message}",
        colorize=False,
        backtrace=False,
        diagnose=False,
    )
    log_file = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / LOG_FILE_NAME
        logger.add(
            log_file,
            level=file_level,
            format=(
                "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <7} | {thread.name} | "
                "{name}:{line} | {message}{exception}"
            ),
            rotation=rotation,
            retention=retention,
            encoding="utf-8",
            enqueue=True,
            backtrace=False,
            diagnose=False,
        )
    _route_stdlib_logging()
    return log_file


def shutdown_logging() -> None:
    """Flush queued file records; call after worker threads have stopped."""
    logger.complete()
    logger.remove()


def _console_sink(console: Console):
    def sink(message: Message) -> None:
        record = message.record
        style = _LEVEL_STYLES.get(record["level"].name, "")
        prefix = (
            ""
            if record["level"].no == logging.INFO
            else f"{record['level'].name.lower()}: "
        )
        text = escape(prefix + record["message"])
        console.print(f"[{style}]{text}[/]" if style else text, highlight=False)

    return sink


class _InterceptHandler(logging.Handler):
    """Forward standard `logging` records into loguru at the same level."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        # getMessage() applies the library's own %-arguments; loguru then gets
        # the finished text as an argument, never as a format string.
        logger.opt(depth=6, exception=record.exc_info).log(
            level, "{}: {}", record.name, record.getMessage()
        )


def _route_stdlib_logging() -> None:
    logging.basicConfig(
        handlers=[_InterceptHandler()], level=logging.WARNING, force=True
    )
    for name in ("sqlalchemy", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("bilimq").setLevel(logging.DEBUG)


def enable_sql_echo() -> None:
    """Send SQL statements to the log at INFO (for `-vv`)."""
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


def fallback_stderr() -> None:
    """Use a plain stderr sink before the CLI has configured logging."""
    logger.remove()
    logger.add(sys.stderr, level="WARNING", format="{level}: {message}")
