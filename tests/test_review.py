"""`bilimq search`, `review` and `pick`, and the length check after a download,
run as a user would against the fake Bilibili."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from bilimq.audio.probe import probe_duration
from bilimq.cli.choices import parse_upload
from bilimq.database import Task
from bilimq.songs.filenames import safe_filename
from tests.fakebili import FakeBilibili
from tests.fakebili.catalog import EXPECTED_BVID, Catalog
from tests.test_end_to_end import Bilimq, sandbox

FISH = "像鱼 (伴奏) - 王贰浪"
FISH_PLAIN = "像鱼 - 王贰浪"
"""The catalog's compilation of 王贰浪 songs has 像鱼 as part 2 (4:39)."""


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBilibili]:
    with FakeBilibili(stall_seconds=3.0) as server:
        yield server


@pytest.fixture
def bilimq(tmp_path: Path, database_url: str, fake: FakeBilibili) -> Bilimq:
    return sandbox(tmp_path, database_url, fake.api_base, fake.video_base)


def compilation_bvid() -> str:
    song = Catalog().find_song("像鱼")
    assert song is not None
    (upload,) = [u for u in song.uploads if len(u.parts) > 1]
    return upload.bvid


def set_reference(database_url: str, seconds: float) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(update(Task).values(duration=seconds))
    engine.dispose()


def test_search_json_names_expected_upload(bilimq: Bilimq) -> None:
    result = bilimq("search", FISH, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["chosen"] == EXPECTED_BVID[FISH]
    assert payload["candidates"][0]["bvid"] == EXPECTED_BVID[FISH]
    assert payload["requests"][0]["endpoint"] == "search"
    rejected = [c for c in payload["candidates"] if c["rejected"]]
    assert rejected, "the charge-only and loop uploads must show their gate"


def test_search_table_shows_reasons(bilimq: Bilimq, fake: FakeBilibili) -> None:
    downloads_before = len(fake.requests_to("/video/"))
    result = bilimq("search", FISH)
    assert result.returncode == 0, result.stderr
    assert EXPECTED_BVID[FISH] in result.stdout
    assert "pick" in result.stdout
    assert "would download" in result.stderr
    assert len(fake.requests_to("/video/")) == downloads_before


def test_search_duration_rejects_all(bilimq: Bilimq) -> None:
    result = bilimq("search", FISH, "--duration", "1:40", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["chosen"] is None
    assert payload["reference_duration"] == 100
    assert all(c["rejected"] for c in payload["candidates"])
    endpoints = [r["endpoint"] for r in payload["requests"]]
    assert endpoints[-1] == "search_all"


def test_search_bad_duration_named(bilimq: Bilimq) -> None:
    result = bilimq("search", FISH, "--duration", "3:99")
    assert result.returncode == 2
    assert "3:99" in result.stderr


def test_review_and_pick_a_part(bilimq: Bilimq) -> None:
    assert bilimq("add", FISH_PLAIN).returncode == 0
    # Nothing on the fake lasts 1:40, so every candidate fails the length gate.
    set_reference(bilimq.database_url, 100)
    ran = bilimq("run", "--exit-when-idle")
    assert ran.returncode == 0, ran.stderr

    listed = bilimq("review", "--json")
    assert listed.returncode == 0, listed.stderr
    (task,) = json.loads(listed.stdout)["tasks"]
    assert task["line"] == FISH_PLAIN
    assert task["duration"] == 100
    assert task["candidates"]
    table = bilimq("review").stdout
    assert f"task {task['id']}: {FISH_PLAIN} (1:40)" in table
    assert "179 s from the reference 1:40" in table

    bvid = compilation_bvid()
    picked = bilimq("pick", str(task["id"]), f"{bvid}:2")
    assert picked.returncode == 0, picked.stderr
    assert f"{bvid} part 2" in picked.stderr
    ran = bilimq("run", "--exit-when-idle")
    assert ran.returncode == 0, ran.stderr

    status = json.loads(bilimq("status", "--json").stdout)
    (record,) = status["tasks"]
    assert record["state"] == "done"
    assert (record["bvid"], record["part"]) == (bvid, 2)
    saved = bilimq.library / safe_filename(FISH_PLAIN, "m4a")
    assert abs(probe_duration(saved) - 279) < 2


def test_pick_rejects_bad_input(bilimq: Bilimq) -> None:
    assert bilimq("add", FISH_PLAIN).returncode == 0
    missing = bilimq("pick", "999", "BV1xx411c7mD")
    assert missing.returncode == 1
    assert "task 999 not found" in missing.stderr
    no_bvid = bilimq("pick", "1", "av170001")
    assert no_bvid.returncode == 2
    assert "'av170001' has no BV id" in no_bvid.stderr
    bad_part = bilimq("pick", "1", f"{compilation_bvid()}:9")
    assert bad_part.returncode == 1
    assert "not part 9" in bad_part.stderr
    no_part = bilimq("pick", "1", compilation_bvid())
    assert no_part.returncode == 1
    assert "has 3 parts: 1 往后余生 (3:43), 2 像鱼 (4:39)" in no_part.stderr
    typo = bilimq("pick", "1", f"{compilation_bvid()}x")
    assert typo.returncode == 2


def test_retry_takes_done_and_picked(bilimq: Bilimq) -> None:
    assert bilimq("add", FISH).returncode == 0
    assert bilimq("run", "--exit-when-idle").returncode == 0
    (bilimq.library / safe_filename(FISH, "m4a")).unlink()
    again = bilimq("retry", "1")
    assert again.returncode == 0, again.stderr
    assert "1 task(s) queued again" in again.stderr
    assert bilimq("run", "--exit-when-idle").returncode == 0
    assert (bilimq.library / safe_filename(FISH, "m4a")).exists()

    assert bilimq("add", FISH_PLAIN).returncode == 0
    assert bilimq("pick", "2", f"{compilation_bvid()}:2").returncode == 0
    undone = bilimq("retry", "2")
    assert undone.returncode == 0, undone.stderr
    (task,) = [
        t
        for t in json.loads(bilimq("status", "--json").stdout)["tasks"]
        if t["id"] == 2
    ]
    assert task["state"] == "pending"
    assert task["bvid"] is None

    missing = bilimq("retry", "2", "99")
    assert missing.returncode == 1
    assert "task 99 not found" in missing.stderr


def test_pick_refuses_done_task(bilimq: Bilimq) -> None:
    assert bilimq("add", FISH).returncode == 0
    assert bilimq("run", "--exit-when-idle").returncode == 0
    result = bilimq("pick", "1", compilation_bvid())
    assert result.returncode == 1
    assert "task 1 is done" in result.stderr


def test_wrong_length_download_kept_out(bilimq: Bilimq, fake: FakeBilibili) -> None:
    bvid = EXPECTED_BVID[FISH]
    assert bilimq("add", FISH).returncode == 0
    set_reference(bilimq.database_url, 279)
    # Longer than listed: not a cut-off download, but not the song either.
    fake.replace_audio(bvid, 400)
    try:
        ran = bilimq("run", "--exit-when-idle")
    finally:
        fake.replace_audio(bvid, 279)
    assert ran.returncode == 0, ran.stderr
    status = json.loads(bilimq("status", "--json").stdout)
    (record,) = status["tasks"]
    assert record["state"] == "needs_review"
    assert "lasts 6:40 but the song lasts 4:39" in record["last_error"]
    assert record["match"]["downloaded_duration"] == pytest.approx(400, abs=2)
    assert record["match"]["candidates"][0]["bvid"] == bvid
    assert record["match"]["excluded"] == [bvid]
    assert not (bilimq.library / safe_filename(FISH, "m4a")).exists()

    # A new search leaves the mismatched upload out instead of fetching it again.
    downloads = len(fake.requests_to(f"/video/{bvid}"))
    assert bilimq("retry", "1").returncode == 0
    assert bilimq("run", "--exit-when-idle").returncode == 0
    (record,) = json.loads(bilimq("status", "--json").stdout)["tasks"]
    assert record["state"] == "needs_review"
    assert record["match"]["excluded"] == [bvid]
    assert bvid not in {c["bvid"] for c in record["match"]["candidates"]}
    assert len(fake.requests_to(f"/video/{bvid}")) == downloads


@pytest.mark.parametrize(
    ("text", "bvid", "part"),
    [
        ("BV1xx411c7mD", "BV1xx411c7mD", None),
        ("BV1xx411c7mD:3", "BV1xx411c7mD", 3),
        ("https://www.bilibili.com/video/BV1xx411c7mD?p=2", "BV1xx411c7mD", 2),
        ("https://www.bilibili.com/video/BV1xx411c7mD/?t=10&p=4", "BV1xx411c7mD", 4),
        ("b23 BV1xx411c7mD", "BV1xx411c7mD", None),
    ],
)
def test_parse_upload_forms(text: str, bvid: str, part: int | None) -> None:
    choice = parse_upload(text)
    assert (choice.bvid, choice.part) == (bvid, part)


def test_playlist_lengths_reach_matcher(bilimq: Bilimq, tmp_path: Path) -> None:
    playlist = tmp_path / "old.m3u8"
    # The first length is the studio track's; the second fits no upload.
    playlist.write_text(
        "#EXTM3U\n"
        "#EXTINF:279,王贰浪 - 像鱼 (伴奏)\n"
        "Music/像鱼.mp3\n"
        "#EXTINF:95,Chen-U_EG - Libertus\n"
        "Music/Libertus.mp3\n",
        encoding="utf-8",
    )
    added = bilimq("batch", str(playlist))
    assert added.returncode == 0, added.stderr
    ran = bilimq("run", "--exit-when-idle")
    assert ran.returncode == 0, ran.stderr

    tasks = json.loads(bilimq("status", "--json").stdout)["tasks"]
    by_duration = {task["duration"]: task for task in tasks}
    fish, libertus = by_duration[279], by_duration[95]
    assert fish["state"] == "done"
    assert fish["bvid"] == EXPECTED_BVID[FISH]
    reasons = " ".join(fish["match"]["chosen"]["reasons"])
    assert "of the reference 4:39" in reasons
    assert libertus["state"] == "needs_review"
    assert "from the reference 1:35" in libertus["last_error"]


def test_cancel_then_retry(bilimq: Bilimq) -> None:
    assert bilimq("add", FISH, FISH_PLAIN).returncode == 0
    cancelled = bilimq("cancel", "2")
    assert cancelled.returncode == 0, cancelled.stderr
    assert "1 task(s) cancelled" in cancelled.stderr
    assert bilimq("run", "--exit-when-idle").returncode == 0
    states = {
        task["id"]: task["state"]
        for task in json.loads(bilimq("status", "--json").stdout)["tasks"]
    }
    assert states == {1: "done", 2: "cancelled"}

    done = bilimq("cancel", "1")
    assert done.returncode == 1
    assert "task 1 is done" in done.stderr
    assert bilimq("retry", "2").returncode == 0
    assert bilimq("run", "--exit-when-idle").returncode == 0
    assert (bilimq.library / safe_filename(FISH_PLAIN, "m4a")).exists()
