"""The main job end to end: `bilimq batch` then `bilimq run`, as a user runs them.

Each test starts real `bilimq` processes against the local fake Bilibili, with a
real ledger (a SQLite file, then a MariaDB database), real yt-dlp, ffmpeg and
files.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutagen.mp4 import MP4

from bilimq.audio.probe import probe_duration
from bilimq.database import Ledger
from bilimq.songs.filenames import safe_filename
from tests.fakebili.catalog import EXPECTED_BVID
from tests.fakebili.server import FakeBilibili

ROOT = Path(__file__).resolve().parent.parent
SONGS = ROOT / "examples" / "songs.txt"
EXAMPLE_LINES = [
    line for line in SONGS.read_text(encoding="utf-8").splitlines() if line
]


@dataclass
class Bilimq:
    """Runs the `bilimq` command in a sandbox of its own folders."""

    env: dict[str, str]
    cwd: Path
    library: Path
    database_url: str

    def __call__(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bilimq", *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )

    def ledger(self) -> Ledger:
        return Ledger(self.database_url)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBilibili]:
    with FakeBilibili(stall_seconds=3.0) as server:
        yield server


def sandbox(
    tmp_path: Path, database_url: str, api_base: str, video_base: str
) -> Bilimq:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("BILIMQ_")
    }
    env.update(
        {
            "BILIMQ_CONFIG": str(config),
            "BILIMQ_PATHS_DATA_DIR": str(tmp_path / "data"),
            "BILIMQ_PATHS_LIBRARY_DIR": str(tmp_path / "library"),
            "BILIMQ_PATHS_LOG_DIR": str(tmp_path / "logs"),
            "BILIMQ_DATABASE_URL": database_url,
            "BILIMQ_BILIBILI_API_BASE": api_base,
            "BILIMQ_BILIBILI_VIDEO_BASE": video_base,
            "BILIMQ_BILIBILI_TIMEOUT": "5",
            "BILIMQ_RUN_POLL_INTERVAL": "0.2",
            "BILIMQ_RUN_COOLDOWN": "0.5",
            "BILIMQ_RUN_BACKOFF_BASE": "0.5",
            "COLUMNS": "120",
            "PYTHONPATH": str(ROOT),
        }
    )
    return Bilimq(
        env=env, cwd=tmp_path, library=tmp_path / "library", database_url=database_url
    )


@pytest.fixture
def bilimq(tmp_path: Path, database_url: str, fake: FakeBilibili) -> Bilimq:
    return sandbox(tmp_path, database_url, fake.api_base, fake.video_base)


def test_example_list_end_to_end(bilimq: Bilimq, fake: FakeBilibili) -> None:
    added = bilimq("batch", str(SONGS))
    assert added.returncode == 0, added.stderr
    assert "18 added, 0 duplicate(s), 0 rejected" in added.stderr

    ran = bilimq("run", "--workers", "4", "--exit-when-idle")
    assert ran.returncode == 0, ran.stderr

    files = sorted(p.name for p in bilimq.library.iterdir() if p.is_file())
    expected_names = sorted(safe_filename(line, "m4a") for line in EXAMPLE_LINES)
    assert files == expected_names

    ledger = bilimq.ledger()
    try:
        assert ledger.counts()["done"] == 18
        for record in ledger.list_tasks(limit=100):
            assert record.state == "done", record
            assert record.bvid == EXPECTED_BVID[record.line], record.line
            path = Path(record.output_path or "")
            assert path.parent == bilimq.library
            assert probe_duration(path) > 0
            tags = MP4(path).tags
            assert tags["\xa9nam"][0].startswith(record.title.split("_")[0])
            assert "covr" in tags
        assert tag_of(ledger, "像鱼 (伴奏) - 王贰浪", "\xa9nam") == ["像鱼 (伴奏)"]
        assert tag_of(ledger, "像鱼 (伴奏) - 王贰浪", "\xa9ART") == ["王贰浪"]
        ghost = "Ghost (The Him Remix) - Au_Ra _ Alan Walker"
        assert tag_of(ledger, ghost, "\xa9nam") == ["Ghost (The Him Remix)"]
        assert tag_of(ledger, ghost, "\xa9ART") == ["Au/Ra; Alan Walker"]
    finally:
        ledger.dispose()

    downloads_before = len(fake.requests_to("/video/"))
    again = bilimq("run", "--workers", "4", "--exit-when-idle")
    assert again.returncode == 0, again.stderr
    assert len(fake.requests_to("/video/")) == downloads_before

    readded = bilimq("batch", str(SONGS))
    assert readded.returncode == 0, readded.stderr
    assert "0 added, 18 duplicate(s), 0 rejected" in readded.stderr


def tag_of(ledger: Ledger, line: str, key: str) -> list[str]:
    record = next(r for r in ledger.list_tasks(limit=100) if r.line == line)
    return MP4(record.output_path).tags[key]


def test_status_json_counts(bilimq: Bilimq) -> None:
    assert bilimq("add", "像鱼 (伴奏) - 王贰浪", "Libertus - Chen-U_EG").returncode == 0

    shown = bilimq("status", "--json")

    assert shown.returncode == 0, shown.stderr
    payload = json.loads(shown.stdout)
    assert payload["counts"]["pending"] == 2
    assert {task["line"] for task in payload["tasks"]} == {
        "像鱼 (伴奏) - 王贰浪",
        "Libertus - Chen-U_EG",
    }


def test_bad_line_keeps_the_others(bilimq: Bilimq, tmp_path: Path) -> None:
    songs = tmp_path / "songs.txt"
    songs.write_text(
        "像鱼 (伴奏) - 王贰浪\n - \nLibertus - Chen-U_EG\n", encoding="utf-8"
    )

    added = bilimq("batch", str(songs))

    assert added.returncode == 1
    assert f"{songs}:2" in added.stderr
    assert "2 added, 0 duplicate(s), 1 rejected" in added.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_offline_run_keeps_tasks_pending(tmp_path: Path) -> None:
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    bilimq = sandbox(
        tmp_path, f"sqlite:///{tmp_path / 'ledger.db'}", base, f"{base}/video/"
    )
    assert bilimq("add", "像鱼 (伴奏) - 王贰浪", "玉盘 - 葫芦童声").returncode == 0

    ran = bilimq("run", "--workers", "2", "--exit-when-idle", timeout=60)

    assert ran.returncode == 1
    assert ran.stderr.count("network unreachable") == 1
    ledger = bilimq.ledger()
    try:
        assert ledger.counts()["pending"] == 2
        assert all(r.attempts == 0 for r in ledger.list_tasks())
    finally:
        ledger.dispose()


def test_risk_control_pauses_and_recovers(bilimq: Bilimq, fake: FakeBilibili) -> None:
    assert bilimq("add", "像鱼 (伴奏) - 王贰浪").returncode == 0
    fake.fail_next("/x/web-interface/wbi/search/type", "code-352")

    ran = bilimq("run", "--workers", "1", "--exit-when-idle")

    assert ran.returncode == 0, ran.stderr
    assert "pausing all workers" in ran.stderr
    ledger = bilimq.ledger()
    try:
        record = ledger.list_tasks()[0]
        assert record.state == "done"
        assert record.attempts == 0
    finally:
        ledger.dispose()


def test_removed_video_fails_with_reason(bilimq: Bilimq, fake: FakeBilibili) -> None:
    line = "玉盘 - 葫芦童声"
    fake.remove_video(EXPECTED_BVID[line], code=-404)
    try:
        assert bilimq("add", line).returncode == 0
        ran = bilimq("run", "--workers", "1", "--exit-when-idle")
    finally:
        fake.restore_video(EXPECTED_BVID[line])

    assert ran.returncode == 0, ran.stderr
    ledger = bilimq.ledger()
    try:
        record = ledger.list_tasks()[0]
        assert record.state == "failed"
        assert record.last_error
    finally:
        ledger.dispose()
