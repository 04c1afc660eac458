"""How `add`, `batch` and `status` read, explain and print song names."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bilimq.cli.app import app
from bilimq.database import Ledger, NewTask
from bilimq.songs.names import stored_name
from tests.songs.tones import make_tone

ROOT = Path(__file__).resolve().parent.parent
FISH = "像鱼 (伴奏) - 王贰浪"
LIBERTUS = "Libertus - Chen-U_EG"
MARKUP = "Some Song [Remix] [/b] - Name[xyz]"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATA_DIR", "LIBRARY_DIR", "LOG_DIR"):
        monkeypatch.setenv(f"BILIMQ_PATHS_{name}", str(tmp_path / name.lower()))
    monkeypatch.setenv("BILIMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("BILIMQ_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return tmp_path


@pytest.fixture
def runner(home: Path) -> CliRunner:
    return CliRunner()


def tasks_json(runner: CliRunner) -> list[dict]:
    result = runner.invoke(app, ["status", "--json", "--limit", "1000"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["tasks"]


def write_list(home: Path, data: bytes) -> Path:
    path = home / "songs.txt"
    path.write_bytes(data)
    return path


# -- dry run and JSON ----------------------------------------------------------


def test_add_dry_run_explains(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["add", "--dry-run", FISH])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"name 1: {FISH}",
        "  title:    像鱼",
        "  versions: 伴奏",
        "  artists:  王贰浪",
        "",
    ]
    assert "1 to add" in result.stderr
    assert not (home / "ledger.db").exists()


def test_add_dry_run_warning(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "--dry-run", "像鱼 (伴奏 - 王贰浪"])

    assert result.exit_code == 0
    assert "  warning:  unmatched bracket '(' at character 4 kept" in result.stdout


def test_add_dry_run_featured_aliases(runner: CliRunner) -> None:
    line = "どうして… (为什么) (feat. ZUN) - 凋叶棕"
    result = runner.invoke(app, ["add", "--dry-run", line])

    assert "  featured: ZUN" in result.stdout
    assert "  aliases:  为什么" in result.stdout


def test_add_dry_run_json(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["add", "--dry-run", "--json", FISH, "a - b - c"])

    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {
        "where": "name 1",
        "input": FISH,
        "status": "parsed",
        "id": None,
        "order": "title-artist",
        "line": FISH,
        "title": "像鱼",
        "versions": ["伴奏"],
        "artists": ["王贰浪"],
        "featured": [],
        "aliases": [],
        "warnings": [],
        "duration": None,
        "album": None,
        "error": None,
    }
    assert second["status"] == "rejected"
    assert "3 parts" in second["error"]
    assert not (home / "ledger.db").exists()


def test_batch_dry_run_repeats(runner: CliRunner, home: Path) -> None:
    path = write_list(home, f"{FISH}\n - \n像鱼 （伴奏） - 王贰浪\n".encode())

    result = runner.invoke(app, ["batch", "--dry-run", str(path)])

    assert result.exit_code == 1
    assert f"{path}:2: -\n  rejected: one side of ' - ' is empty" in result.stdout
    assert f"  duplicate of {path}:1" in result.stdout
    assert "1 to add, 1 duplicate(s) within the input, 1 rejected" in result.stderr
    assert not (home / "ledger.db").exists()


def test_batch_dry_run_json_statuses(runner: CliRunner, home: Path) -> None:
    path = write_list(home, f"{FISH}\n - \n{FISH}\n".encode())

    result = runner.invoke(app, ["batch", "--dry-run", "--json", str(path)])

    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["status"] for row in rows] == ["parsed", "rejected", "duplicate"]
    assert [row["where"] for row in rows] == [f"{path}:{n}" for n in (1, 2, 3)]


def test_add_json_ids(runner: CliRunner) -> None:
    first = runner.invoke(app, ["add", "--json", FISH])
    again = runner.invoke(app, ["add", "--json", FISH])

    assert json.loads(first.stdout)["status"] == "added"
    assert json.loads(first.stdout)["id"] == 1
    assert json.loads(again.stdout)["status"] == "duplicate"
    assert json.loads(again.stdout)["id"] == 1


# -- overrides -----------------------------------------------------------------


def test_add_overrides_stored(runner: CliRunner) -> None:
    line = "The Beatles - Yesterday - Live from The ABC Theatre"
    args = ["add", line, "--raw-title", "Yesterday", "--artist", "The Beatles"]

    result = runner.invoke(app, [*args, "--song-version", "Live"])

    assert result.exit_code == 0, result.stderr
    (task,) = tasks_json(runner)
    assert task["line"] == line
    assert task["title"] == "Yesterday"
    assert task["artists"] == ["The Beatles"]
    assert task["versions"] == ["Live"]


def test_override_rebuilt_from_ledger(runner: CliRunner, home: Path) -> None:
    line = "どうして… (为什么) (Live) - 凋叶棕 _ ZUN"
    runner.invoke(app, ["add", line, "--artist", "凋叶棕"])
    ledger = Ledger(f"sqlite:///{home / 'ledger.db'}")
    (record,) = ledger.list_tasks()
    ledger.dispose()

    song = stored_name(
        record.line, record.title, record.versions, record.artists, record.name_order
    )

    assert song.line == line
    assert song.title == "どうして…"
    assert song.versions == ("Live",)
    assert song.aliases == ("为什么",)
    assert song.artists == ("凋叶棕",)


def test_add_artist_override_unsplit(runner: CliRunner) -> None:
    args = ["add", "Thunderstruck - AC_DC", "--artist", "AC/DC", "--artist", "A, B"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.stderr
    (task,) = tasks_json(runner)
    assert task["title"] == "Thunderstruck"
    assert task["artists"] == ["AC/DC", "A, B"]


def test_add_overrides_dry_run(runner: CliRunner) -> None:
    args = ["add", "--dry-run", "a - b - c", "--raw-title", "b (x)", "--artist", "a"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.stderr
    assert "  title:    b (x)\n  versions: -\n  artists:  a\n" in result.stdout


@pytest.mark.parametrize(
    "option", [["--raw-title", "x"], ["--artist", "x"], ["--song-version", "x"]]
)
def test_add_overrides_need_one_name(runner: CliRunner, option: list[str]) -> None:
    result = runner.invoke(app, ["add", FISH, LIBERTUS, *option])

    assert result.exit_code == 2
    assert "exactly one NAME" in result.stderr


def test_ambiguous_line_hints_overrides(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "a - b - c"])

    assert result.exit_code == 1
    assert "--raw-title TITLE --artist NAME" in result.stderr


def test_empty_line_rejected(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "\u200b\u3000", FISH])

    assert result.exit_code == 1
    assert "rejected name 1" in result.stderr
    assert "empty after removing spaces" in result.stderr
    assert "1 added, 0 duplicate(s), 1 rejected" in result.stderr


# -- orders --------------------------------------------------------------------


def test_batch_order_directive(runner: CliRunner, home: Path) -> None:
    data = "# order: artist-title\n王贰浪 - 像鱼 (伴奏)\n"
    path = write_list(home, data.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    (task,) = tasks_json(runner)
    assert task["title"] == "像鱼"
    assert task["artists"] == ["王贰浪"]
    assert task["name_order"] == "artist-title"


def test_batch_directive_beats_flag(runner: CliRunner, home: Path) -> None:
    path = write_list(home, "# order: artist-title\n王贰浪 - 像鱼\n".encode())

    result = runner.invoke(app, ["batch", "--order", "title-artist", str(path)])

    assert result.exit_code == 0, result.stderr
    assert "overrides --order title-artist" in result.stderr
    assert tasks_json(runner)[0]["title"] == "像鱼"


def test_add_order_flag(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "--order", "artist-title", "王贰浪 - 像鱼"])

    assert result.exit_code == 0, result.stderr
    assert tasks_json(runner)[0]["artists"] == ["王贰浪"]


def test_batch_help_mentions_directive(runner: CliRunner) -> None:
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "200"})

    assert "# order: artist-title" in result.stdout


# -- list files and folders ----------------------------------------------------


def test_batch_bom_crlf_same_as_add(runner: CliRunner, home: Path) -> None:
    data = b"\xef\xbb\xbf" + f"{FISH}\r\n{LIBERTUS}\r\n".encode()
    path = write_list(home, data)

    batched = runner.invoke(app, ["batch", str(path)])
    added = runner.invoke(app, ["add", FISH])

    assert batched.exit_code == 0, batched.stderr
    assert added.stdout == f"duplicate\t1\t{FISH}\n"
    assert all("\r" not in task["line"] for task in tasks_json(runner))


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe" + f"{FISH}\r\n{LIBERTUS}\r\n".encode("utf-16-le"),
        f"{FISH}\r\n{LIBERTUS}\r\n".encode("gbk"),
        f"{FISH}\r{LIBERTUS}\r".encode(),
    ],
    ids=["utf16", "gbk", "cr"],
)
def test_batch_encodings(runner: CliRunner, home: Path, data: bytes) -> None:
    path = write_list(home, data)

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"added\t1\t{FISH}\nadded\t2\t{LIBERTUS}\n"


def test_batch_undecodable_queues_nothing(runner: CliRunner, home: Path) -> None:
    path = write_list(home, f"{FISH}\n".encode() + b"\xff\xfe\xfd\n")

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert str(path) in result.stderr
    assert "byte offset 28 (line 2)" in result.stderr
    assert tasks_json(runner) == []


def test_batch_dedupes_forms(runner: CliRunner, home: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Café - がくぽ")
    lines = ["Café - がくぽ", nfd, "CAFÉ - がくぽ", "Ｃａｆé - がくぽ"]
    path = write_list(home, "\n".join(lines).encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert "1 added, 3 duplicate(s), 0 rejected" in result.stderr
    assert result.stdout.count("duplicate\t1\t") == 3


def test_batch_rejected_line_numbers(runner: CliRunner, home: Path) -> None:
    path = write_list(home, f"# list\n{FISH}\na - b - c\n\n(伴奏) - x\n".encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert f"rejected {path}:3: 'a - b - c'" in result.stderr
    assert f"rejected {path}:5: '(伴奏) - x'" in result.stderr
    assert "1 added, 0 duplicate(s), 2 rejected" in result.stderr


def test_batch_folder(runner: CliRunner, home: Path) -> None:
    folder = home / "music"
    folder.mkdir()
    for name in (f"{FISH}.mp3", f"{LIBERTUS}.FLAC"):
        make_tone(folder / name, 0.5)
    for name in ("cover.jpg", ".DS_Store"):
        (folder / name).write_bytes(b"")

    result = runner.invoke(app, ["batch", str(folder)])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"added\t1\t{LIBERTUS}\nadded\t2\t{FISH}\n"
    assert "2 added, 0 duplicate(s), 0 rejected" in result.stderr
    assert "2 non-audio file(s) skipped" in result.stderr


def test_batch_folder_rejected_names_file(runner: CliRunner, home: Path) -> None:
    folder = home / "music"
    folder.mkdir()
    make_tone(folder / "a - b - c.m4a", 0.5)

    result = runner.invoke(app, ["batch", str(folder)])

    assert f"rejected {folder / 'a - b - c.m4a'}" in result.stderr


def test_batch_large_list(runner: CliRunner, home: Path) -> None:
    lines = [f"Song {n} (Live) - Artist {n % 7}" for n in range(2500)]
    path = write_list(home, "\n".join(lines).encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    assert "2500 added, 0 duplicate(s), 0 rejected" in result.stderr
    assert len(result.stdout.splitlines()) == 2500


def test_batch_repeats_across_chunks(
    runner: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A repeat in a later insert chunk is found in the ledger.
    monkeypatch.setattr("bilimq.cli.tasks._INSERT_CHUNK", 100)
    lines = [f"Song {n}" for n in range(150)] + ["Song 1"]
    path = write_list(home, "\n".join(lines).encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert "150 added, 1 duplicate(s), 0 rejected" in result.stderr
    assert result.stdout.splitlines()[-1] == "duplicate\t2\tSong 1"


# -- markup in names -----------------------------------------------------------


def test_markup_add_verbatim(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", MARKUP])

    assert result.stdout == f"added\t1\t{MARKUP}\n"


def test_markup_dry_run_verbatim(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "--dry-run", MARKUP])

    assert f"name 1: {MARKUP}\n" in result.stdout
    assert "  artists:  Name[xyz]\n" in result.stdout


def test_markup_rejected_verbatim(runner: CliRunner, home: Path) -> None:
    path = write_list(home, b"[/b] - [bold]x[/] - y\n")

    result = runner.invoke(app, ["batch", str(path)])

    assert "'[/b] - [bold]x[/] - y'" in result.stderr
    assert "('[/b]', '[bold]x[/]', 'y')" in result.stderr


def test_markup_status_table_verbatim(runner: CliRunner) -> None:
    runner.invoke(app, ["add", "[/b] x"])

    result = runner.invoke(app, ["status"])

    assert result.exit_code == 0, result.stderr
    assert "[/b] x" in result.stdout


def test_markup_run_display_label(home: Path) -> None:
    from bilimq.cli.display import RunDisplay

    ledger = Ledger(f"sqlite:///{home / 'display.db'}")
    ledger.create_schema()
    line = "[/b] x [Remix]"
    added = ledger.add_tasks([NewTask(line=line, dedupe_key=line, title="x")])
    record = ledger.get(added.added[0][1])
    assert record is not None
    output = io.StringIO()
    console = Console(file=output, width=120, force_terminal=False)

    display = RunDisplay(console, total=1)
    display.task_started(record)
    console.print(display.downloads)

    assert line in output.getvalue()
    ledger.dispose()


# -- terminals that cannot show every character --------------------------------


def run_bilimq(home: Path, encoding: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILIMQ_")}
    env.update(
        {
            "BILIMQ_CONFIG": str(home / "config.toml"),
            "BILIMQ_DATABASE_URL": f"sqlite:///{home / 'ledger.db'}",
            "BILIMQ_PATHS_DATA_DIR": str(home / "data_dir"),
            "BILIMQ_PATHS_LOG_DIR": str(home / "log_dir"),
            "BILIMQ_PATHS_LIBRARY_DIR": str(home / "library_dir"),
            "PYTHONIOENCODING": encoding,
            "PYTHONPATH": str(ROOT),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "bilimq", *args],
        env=env,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("encoding", "line"),
    [("gbk", "헤어지자 - dori"), ("cp1252", "Dancing 💃 - 헤어지자")],
)
def test_narrow_terminal_add_and_status(home: Path, encoding: str, line: str) -> None:
    added = run_bilimq(home, encoding, "add", line)
    table = run_bilimq(home, encoding, "status")
    shown = run_bilimq(home, encoding, "status", "--json")

    assert added.returncode == 0, added.stderr.decode(encoding, "replace")
    assert added.stdout.decode(encoding).startswith("added\t1\t")
    assert table.returncode == 0, table.stderr.decode(encoding, "replace")
    assert shown.returncode == 0, shown.stderr.decode(encoding, "replace")
    assert json.loads(shown.stdout.decode(encoding))["tasks"][0]["line"] == line
    ledger = Ledger(f"sqlite:///{home / 'ledger.db'}")
    assert ledger.list_tasks()[0].line == line
    ledger.dispose()


def test_narrow_terminal_dry_run_json(home: Path) -> None:
    result = run_bilimq(home, "gbk", "add", "--dry-run", "--json", "헤어지자 - dori")

    assert result.returncode == 0, result.stderr.decode("gbk", "replace")
    assert json.loads(result.stdout.decode("gbk"))["title"] == "헤어지자"
