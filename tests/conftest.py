"""Shared fixtures: ledger databases (SQLite file and MariaDB) and log capture."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from loguru import logger
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bilimq.database import Ledger

MYSQL_URL_VARIABLE = "BILIMQ_TEST_MYSQL_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--live", action="store_true", help="run tests that talk to the real Bilibili"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if config.getoption("--live"):
        return
    skip_live = pytest.mark.skip(reason="talks to the real Bilibili; pass --live")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip_live)


def mysql_server_url() -> str | None:
    """Return the MariaDB/MySQL server URL the tests may use, if any."""
    return os.environ.get(MYSQL_URL_VARIABLE) or None


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """Create an empty MySQL database for one test and drop it afterwards."""
    server = mysql_server_url()
    if server is None:
        pytest.skip(f"set {MYSQL_URL_VARIABLE} to run MySQL tests")
    name = f"bilimq_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A ledger URL for each backend: a SQLite file, then a MariaDB database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("mysql_database")


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    ledger = Ledger(database_url)
    ledger.create_schema()
    yield ledger
    ledger.dispose()


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Collect formatted log messages at DEBUG and above."""
    lines: list[str] = []
    handler_id = logger.add(
        lambda m: lines.append(str(m)), level="DEBUG", format="{level} {message}"
    )
    yield lines
    logger.remove(handler_id)
