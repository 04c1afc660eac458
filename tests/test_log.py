"""Log sinks: console through Rich, rotating file, secrets masked."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from loguru import logger
from rich.console import Console

from bilimq.log import LOG_FILE_NAME, configure_logging, redact, shutdown_logging


@pytest.fixture
def console() -> Console:
    return Console(file=io.StringIO(), width=200, force_terminal=False)


@pytest.fixture(autouse=True)
def restore_logger():
    yield
    logger.remove()
    logging.basicConfig(handlers=[], force=True)


def configure(console: Console, log_dir: Path | None) -> Path | None:
    return configure_logging(console, console_level="INFO", log_dir=log_dir)


def test_console_sink_prints_user_text(console: Console) -> None:
    configure(console, None)

    logger.info("queued {}", "Stay {Remix} [/b] - Artist")

    assert "queued Stay {Remix} [/b] - Artist" in console.file.getvalue()


def test_file_sink_writes_log(console: Console, tmp_path: Path) -> None:
    log_file = configure(console, tmp_path)

    logger.debug("debug goes to the file only")
    shutdown_logging()

    assert log_file == tmp_path / LOG_FILE_NAME
    assert "debug goes to the file only" in log_file.read_text(encoding="utf-8")
    assert "debug goes to the file only" not in console.file.getvalue()


def test_sessdata_never_logged(console: Console, tmp_path: Path) -> None:
    log_file = configure(console, tmp_path)

    logger.info("cookie header: SESSDATA=abcd1234%2Csecret; bili_jct=ffee")
    logger.info("url {}", "mysql+pymysql://user:hunter2@db:3306/bilimq")
    shutdown_logging()

    written = log_file.read_text(encoding="utf-8") + console.file.getvalue()
    assert "abcd1234" not in written
    assert "ffee" not in written
    assert "hunter2" not in written
    assert "SESSDATA=***" in written


def test_stdlib_logging_routed(console: Console, tmp_path: Path) -> None:
    log_file = configure(console, tmp_path)

    logging.getLogger("sqlalchemy.pool").warning("pool %s exhausted", "main")
    shutdown_logging()

    assert "sqlalchemy.pool: pool main exhausted" in log_file.read_text(
        encoding="utf-8"
    )


def test_redact_keeps_plain_text() -> None:
    assert redact("像鱼 (伴奏) - 王贰浪") == "像鱼 (伴奏) - 王贰浪"


@pytest.mark.parametrize(
    "url",
    [
        "mysql+pymysql://bilimq:s3cret@db:3306/bilimq",
        "redis://:s3cret@127.0.0.1:6379/0",
        "redis://default:s3cret@127.0.0.1:6379/0",
    ],
)
def test_redact_url_passwords(url: str) -> None:
    masked = redact(f"cannot connect to {url}")
    assert "s3cret" not in masked
    assert "***@" in masked
