"""Redis helpers for tests: key prefixes on the test server and private servers.

Tests that use the shared server (``BILIMQ_TEST_REDIS_URL``) get a prefix of
their own and delete only its keys. Tests that stop Redis on purpose start a
``PrivateRedis`` on a free port of 127.0.0.1 instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from bilimq.core import BackendError
from bilimq.core.redis_client import connect, delete_prefixed_keys

REDIS_URL_VARIABLE = "BILIMQ_TEST_REDIS_URL"


def redis_test_url() -> str:
    """Return the Redis server the tests may use, or skip the test."""
    url = os.environ.get(REDIS_URL_VARIABLE)
    if not url:
        pytest.skip(
            f"Redis tests need a server: set {REDIS_URL_VARIABLE}="
            "redis://127.0.0.1:6379/0"
        )
    return url


def new_prefix() -> str:
    """Return a key prefix that no other test uses."""
    return f"bilimq-test:{uuid.uuid4().hex}"


def remove_prefix(url: str, prefix: str) -> None:
    """Delete every key under ``prefix`` on the server at ``url``."""
    client = connect(url)
    try:
        delete_prefixed_keys(client, prefix)
    finally:
        client.close()


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then freed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server process on 127.0.0.1 that a test may stop and restart."""

    def __init__(self, folder: Path, password: str) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("needs the redis-server program (apt-get install redis-server)")
        self.port = free_port()
        self.folder = folder
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL, password included."""
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it responds to PING."""
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--requirepass",
                self.password,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                connect(self.url).close()
                return
            except BackendError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server and wait for its process to end."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
