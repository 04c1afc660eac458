"""`bilimq batch` and `add` with playlists, tables, JSON, folders and durations.

Each test runs against the real ledger: a SQLite file, then a MariaDB database
when BILIMQ_TEST_MYSQL_URL is set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilimq.cli.app import app
from bilimq.database import Ledger, TaskRecord
from tests.songs.tones import make_corrupt, make_tone

FISH = "像鱼 (伴奏) - 王贰浪"
TOLERANCE = 0.1
"""Seconds; MP3 and AAC encoders pad the start and end of a stream."""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    for name in ("DATA_DIR", "LIBRARY_DIR", "LOG_DIR"):
        monkeypatch.setenv(f"BILIMQ_PATHS_{name}", str(tmp_path / name.lower()))
    monkeypatch.setenv("BILIMQ_DATABASE_URL", database_url)
    monkeypatch.setenv("BILIMQ_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return tmp_path


@pytest.fixture
def runner(home: Path) -> CliRunner:
    return CliRunner()


def stored(database_url: str) -> dict[str, TaskRecord]:
    """Return the ledger's tasks by line."""
    ledger = Ledger(database_url)
    ledger.create_schema()
    try:
        return {record.line: record for record in ledger.list_tasks(limit=1000)}
    finally:
        ledger.dispose()


def write(home: Path, name: str, data: bytes) -> Path:
    path = home / name
    path.write_bytes(data)
    return path


def json_rows(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def plain(stderr: str) -> str:
    """Return stderr with Rich's wrapping and error-box borders removed."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", stderr).split())


# -- M3U -----------------------------------------------------------------------

PLAYLIST = (
    "#EXTM3U\r\n"
    "#EXTINF:221,王贰浪 - 千鱼\r\n"
    "C:\\Music\\千鱼.mp3\r\n"
    "#EXTINF:-1,Au_Ra _ Alan Walker - Ghost (The Him Remix)\r\n"
    "https://example.com/ghost.mp3\r\n"
    f"/home/u/Music/{FISH}.flac\r\n"
    "#EXTINF:3:99,Bad - Length\r\n"
    "bad.mp3\r\n"
)


def test_batch_utf16_m3u(runner: CliRunner, home: Path, database_url: str) -> None:
    path = write(home, "mix.m3u", b"\xff\xfe" + PLAYLIST.encode("utf-16-le"))

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    assert "4 added, 0 duplicate(s), 0 rejected" in result.stderr
    errors = plain(result.stderr)
    assert (
        f"warning {path}:7: 'Bad - Length': invalid duration '3:99' in the #EXTINF line"
    ) in errors
    assert "The song is queued without a length" in errors
    tasks = stored(database_url)
    # Playlist names read artist first but are stored title first.
    assert set(tasks) == {
        "千鱼 - 王贰浪",
        "Ghost (The Him Remix) - Au_Ra _ Alan Walker",
        FISH,
        "Length - Bad",
    }
    fish = tasks["千鱼 - 王贰浪"]
    assert (fish.title, fish.artists, fish.name_order) == (
        "千鱼",
        ("王贰浪",),
        "title-artist",
    )
    assert fish.duration == 221.0
    ghost = tasks["Ghost (The Him Remix) - Au_Ra _ Alan Walker"]
    assert (ghost.title, ghost.versions) == ("Ghost", ("The Him Remix",))
    assert ghost.artists == ("Au_Ra", "Alan Walker")
    assert ghost.duration is None
    # A path's stem is the user's own file name, read in the configured order.
    assert tasks[FISH].name_order == "title-artist"
    assert tasks[FISH].title == "像鱼"
    assert tasks["Length - Bad"].duration is None


def test_m3u_order_flag_wins(runner: CliRunner, home: Path, database_url: str) -> None:
    path = write(
        home, "mix.m3u8", "#EXTM3U\n#EXTINF:200,千鱼 - 王贰浪\nx.mp3\n".encode()
    )

    result = runner.invoke(app, ["batch", "--order", "title-artist", str(path)])

    assert result.exit_code == 0, result.stderr
    (task,) = stored(database_url).values()
    assert (task.title, task.artists, task.name_order) == (
        "千鱼",
        ("王贰浪",),
        "title-artist",
    )


def test_m3u_order_comment_wins(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    text = "#EXTM3U\n# order: title-artist\n#EXTINF:200,千鱼 - 王贰浪\nx.mp3\n"
    path = write(home, "mix.m3u", text.encode())

    result = runner.invoke(app, ["batch", "--order", "artist-title", str(path)])

    assert result.exit_code == 0, result.stderr
    assert "overrides --order artist-title" in result.stderr
    (task,) = stored(database_url).values()
    assert task.title == "千鱼"


# -- CSV and TSV ---------------------------------------------------------------


def test_batch_csv_bom(runner: CliRunner, home: Path, database_url: str) -> None:
    text = (
        "Title,Artist,Album,Duration\r\n"
        "像鱼 (伴奏),王贰浪,专辑,3:41\r\n"
        "Yesterday - Live,The Beatles,,2:05\r\n"
        ",Nobody,,1:00\r\n"
        "Late,Someone,,3:99\r\n"
        'Ghost (The Him Remix),"Au_Ra, Alan Walker",,221\r\n'
    )
    path = write(home, "songs.csv", b"\xef\xbb\xbf" + text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "3 added, 0 duplicate(s), 2 rejected" in result.stderr
    errors = plain(result.stderr)
    assert f"rejected {path}:4: ',Nobody,,1:00': the title is empty" in errors
    assert f"rejected {path}:5:" in errors
    assert "invalid duration '3:99' in the duration field" in errors
    tasks = stored(database_url)
    fish = tasks[FISH]
    assert (fish.title, fish.versions, fish.artists) == ("像鱼", ("伴奏",), ("王贰浪",))
    assert (fish.duration, fish.album) == (221.0, "专辑")
    live = tasks["Yesterday - Live - The Beatles"]
    assert (live.title, live.artists, live.duration) == (
        "Yesterday - Live",
        ("The Beatles",),
        125.0,
    )
    ghost = tasks["Ghost (The Him Remix) - Au_Ra, Alan Walker"]
    assert ghost.artists == ("Au_Ra", "Alan Walker")


def test_batch_tsv(runner: CliRunner, home: Path, database_url: str) -> None:
    text = "歌名\t歌手\t专辑\t时长\n千鱼\t王贰浪\t\t1:02:03\n病名为爱\t\t\tabc\n"
    path = write(home, "songs.tsv", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert f"rejected {path}:3:" in result.stderr
    (task,) = stored(database_url).values()
    assert (task.line, task.duration, task.album) == ("千鱼 - 王贰浪", 3723.0, None)


def test_batch_semicolon_csv_stdin(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    result = runner.invoke(app, ["batch", "-"], input="song;singer\n千鱼;王贰浪\n")

    assert result.exit_code == 0, result.stderr
    assert list(stored(database_url)) == ["千鱼 - 王贰浪"]


# -- JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("wrapped", [False, True], ids=["list", "object"])
def test_batch_json(
    runner: CliRunner, home: Path, database_url: str, wrapped: bool
) -> None:
    songs = [
        {"title": "像鱼 (伴奏)", "artist": "王贰浪", "album": "专辑", "duration": 221},
        {"name": "Earfquake", "artists": ["Tyler, the Creator"], "length": "3:10"},
        {"artist": "no title"},
        {"title": "Bad", "duration": "3:99"},
    ]
    document = {"songs": songs} if wrapped else songs
    path = write(home, "songs.json", json.dumps(document, ensure_ascii=False).encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "2 added, 0 duplicate(s), 2 rejected" in result.stderr
    assert f"rejected {path} item 3 (line 1):" in result.stderr
    assert f"rejected {path} item 4 (line 1):" in result.stderr
    tasks = stored(database_url)
    assert (tasks[FISH].duration, tasks[FISH].album) == (221.0, "专辑")
    earfquake = tasks["Earfquake - Tyler, the Creator"]
    assert earfquake.artists == ("Tyler, the Creator",)
    assert earfquake.duration == 190.0


def test_batch_invalid_json_queues_nothing(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    path = write(home, "songs.json", b'[{"title": "a"},]')

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "is not valid JSON" in plain(result.stderr)
    assert stored(database_url) == {}


# -- forced formats ------------------------------------------------------------


def test_format_lines_on_csv(runner: CliRunner, home: Path, database_url: str) -> None:
    path = write(home, "songs.csv", "title,artist\n千鱼 - 王贰浪\n".encode())

    result = runner.invoke(app, ["batch", "--format", "lines", str(path)])

    assert result.exit_code == 0, result.stderr
    assert set(stored(database_url)) == {"title,artist", "千鱼 - 王贰浪"}


def test_format_m3u_on_txt(runner: CliRunner, home: Path, database_url: str) -> None:
    path = write(home, "mix.txt", "#EXTINF:10,王贰浪 - 千鱼\n#1 Crush.mp3\n".encode())

    result = runner.invoke(app, ["batch", "--format", "m3u", str(path)])

    assert result.exit_code == 0, result.stderr
    (task,) = stored(database_url).values()
    assert (task.title, task.duration) == ("千鱼", 10.0)


def test_format_json_on_stdin(runner: CliRunner, database_url: str) -> None:
    data = json.dumps([{"title": "千鱼", "artist": "王贰浪"}])

    result = runner.invoke(app, ["batch", "--format", "json", "-"], input=data)

    assert result.exit_code == 0, result.stderr
    assert list(stored(database_url)) == ["千鱼 - 王贰浪"]


def test_format_unknown_usage_error(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["batch", "--format", "xml", str(home)])

    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_format_on_folder_error(runner: CliRunner, home: Path) -> None:
    result = runner.invoke(app, ["batch", "--format", "csv", str(home)])

    assert result.exit_code == 1
    assert "is a folder, so --format csv does not apply" in plain(result.stderr)


# -- inline durations ----------------------------------------------------------


def test_batch_inline_durations(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    lines = [
        "千鱼 - 王贰浪 | 3:41",
        "病名为爱 - 祖娅纳惜 | 221",
        "Long - Mix | 1:02:03",
        "Late - One | 3:99",
        "Word - Two | abc",
        "A | B - C",
        "T - Band | Extra |",
    ]
    path = write(home, "songs.txt", "\n".join(lines).encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "5 added, 0 duplicate(s), 2 rejected" in result.stderr
    errors = plain(result.stderr)
    assert f"rejected {path}:4: 'Late - One | 3:99': invalid duration '3:99'" in errors
    assert f"rejected {path}:5: 'Word - Two | abc': invalid duration 'abc'" in errors
    assert "end the line with ' |'" in errors
    durations = {line: task.duration for line, task in stored(database_url).items()}
    assert durations == {
        "千鱼 - 王贰浪": 221.0,
        "病名为爱 - 祖娅纳惜": 221.0,
        "Long - Mix": 3723.0,
        "A | B - C": None,
        "T - Band | Extra": None,
    }


def test_inline_duration_dry_run(runner: CliRunner, home: Path) -> None:
    path = write(home, "songs.txt", "千鱼 - 王贰浪 | 3:41\n".encode())

    text = runner.invoke(app, ["batch", "--dry-run", str(path)])
    rows = json_rows(
        runner.invoke(app, ["batch", "--dry-run", "--json", str(path)]).stdout
    )

    assert text.exit_code == 0, text.stderr
    assert "  artists:  王贰浪\n  duration: 3:41\n" in text.stdout
    assert rows[0]["line"] == "千鱼 - 王贰浪"
    assert rows[0]["duration"] == 221.0
    assert rows[0]["album"] is None


# -- add --duration and --album ------------------------------------------------


def test_add_duration_album(runner: CliRunner, database_url: str) -> None:
    args = ["add", FISH, "--duration", "3:41", "--album", "专辑"]

    result = runner.invoke(app, args)
    status = runner.invoke(app, ["status", "--json"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"added\t1\t{FISH}\n"
    (task,) = json.loads(status.stdout)["tasks"]
    assert (task["duration"], task["album"]) == (221.0, "专辑")


def test_add_duration_json_and_dry_run(runner: CliRunner, database_url: str) -> None:
    args = ["add", FISH, "--duration", "1:02:03", "--album", "专辑"]

    dry = runner.invoke(app, [*args, "--dry-run"])
    added = runner.invoke(app, [*args, "--json"])

    assert "  duration: 1:02:03\n  album:    专辑\n" in dry.stdout
    (row,) = json_rows(added.stdout)
    assert (row["status"], row["duration"], row["album"]) == ("added", 3723.0, "专辑")
    assert stored(database_url)[FISH].duration == 3723.0


def test_add_inline_duration(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(app, ["add", "千鱼 - 王贰浪 | 3:41"])

    assert result.stdout == "added\t1\t千鱼 - 王贰浪\n"
    assert stored(database_url)["千鱼 - 王贰浪"].duration == 221.0


def test_add_album_applies_to_every_name(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(app, ["add", "A - X", "B - X", "--album", "Both"])

    assert result.exit_code == 0, result.stderr
    assert {task.album for task in stored(database_url).values()} == {"Both"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "A - X", "--duration", "3:99"], "invalid duration '3:99'"),
        (["add", "A - X", "B - X", "--duration", "3:41"], "exactly one NAME"),
        (["add", "A - X | 3:41", "--duration", "3:41"], "already ends with a duration"),
        (["add", "A - X", "--duration", "0.001"], "shorter than 5 seconds"),
        (["add", "A - X", "--duration", "3.41"], "write 3:41 if the song is 3:41"),
        (["add", "A - X", "--duration", "233712"], "it looks like milliseconds"),
        (["add", "A - X | 2008", "--duration", "3:41"], "already ends with a duration"),
    ],
)
def test_add_duration_usage_errors(
    runner: CliRunner, database_url: str, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)

    assert result.exit_code == 2
    assert message in plain(result.stderr)
    assert stored(database_url) == {}


# -- folders of audio files ----------------------------------------------------


def test_batch_folder_durations(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    folder = home / "music"
    folder.mkdir()
    make_tone(folder / f"{FISH}.mp3", 6.5)
    make_tone(folder / "千鱼 - 王贰浪.m4a", 8, album="千鱼")
    make_tone(folder / "Libertus - Chen-U_EG.flac", 5.25)
    make_tone(folder / "01.mp3", 7, title="Ghost (The Him Remix)", artist="Au_Ra")
    make_tone(folder / "02.ogg", 6)
    make_corrupt(folder / "Broken - Song.m4a")
    (folder / "cover.jpg").write_bytes(b"")

    result = runner.invoke(app, ["batch", str(folder)])

    assert result.exit_code == 1
    assert "4 added, 0 duplicate(s), 2 rejected" in result.stderr
    assert "1 non-audio file(s) skipped" in result.stderr
    errors = plain(result.stderr)
    assert f"rejected {folder / 'Broken - Song.m4a'}: 'Broken - Song':" in errors
    assert f"rejected {folder / '02.ogg'}: '02':" in errors
    tasks = stored(database_url)
    expected = {
        FISH: 6.5,
        "千鱼 - 王贰浪": 8,
        "Libertus - Chen-U_EG": 5.25,
        "Ghost (The Him Remix) - Au_Ra": 7,
    }
    assert set(tasks) == set(expected)
    for line, seconds in expected.items():
        duration = tasks[line].duration
        assert duration == pytest.approx(seconds, abs=TOLERANCE), line
    assert tasks["千鱼 - 王贰浪"].album == "千鱼"
    ghost = tasks["Ghost (The Him Remix) - Au_Ra"]
    assert (ghost.title, ghost.versions, ghost.artists) == (
        "Ghost",
        ("The Him Remix",),
        ("Au_Ra",),
    )


def test_batch_folder_dry_run_json(runner: CliRunner, home: Path) -> None:
    folder = home / "music"
    folder.mkdir()
    make_tone(folder / f"{FISH}.flac", 6.5, album="Fish")
    make_corrupt(folder / "Broken - Song.mp3")

    result = runner.invoke(app, ["batch", "--dry-run", "--json", str(folder)])

    broken, fish = json_rows(result.stdout)
    assert broken["status"] == "rejected"
    assert "mutagen cannot read it" in broken["error"]
    assert fish["status"] == "parsed"
    assert fish["duration"] == pytest.approx(6.5, abs=TOLERANCE)
    assert fish["album"] == "Fish"


# -- one song from any list is one task ----------------------------------------


def test_m3u_and_plain_list_one_task(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    plain_list = write(home, "songs.txt", "千鱼 - 王贰浪 | 3:41\n".encode())
    playlist = write(
        home, "mix.m3u8", "#EXTM3U\n#EXTINF:221,王贰浪 - 千鱼\nx.mp3\n".encode()
    )

    first = runner.invoke(app, ["batch", str(plain_list)])
    second = runner.invoke(app, ["batch", str(playlist)])

    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    assert second.stdout == "duplicate\t1\t千鱼 - 王贰浪\n"
    assert list(stored(database_url)) == ["千鱼 - 王贰浪"]


def test_reimport_keeps_stored_length(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    first = write(home, "old.txt", "千鱼 - 王贰浪 | 3:03\n像鱼 - 王贰浪\n".encode())
    second = write(
        home, "new.txt", "千鱼 - 王贰浪 | 3:41\n像鱼 - 王贰浪 | 4:00\n".encode()
    )
    runner.invoke(app, ["batch", str(first)])

    result = runner.invoke(app, ["batch", str(second)])
    rows = json_rows(runner.invoke(app, ["batch", "--json", str(second)]).stdout)

    assert result.exit_code == 0, result.stderr
    assert "0 added, 2 duplicate(s), 0 rejected" in result.stderr
    errors = plain(result.stderr)
    assert (
        f"warning {second}:1: '千鱼 - 王贰浪': duplicate; the length stored in the "
        "ledger (3:03) is kept, not 3:41 from this input"
    ) in errors
    assert (
        f"warning {second}:2: '像鱼 - 王贰浪': duplicate; the length stored in the "
        "ledger is unknown and stays so, and 4:00 from this input is not stored"
    ) in errors
    assert rows[0]["warnings"] == [
        "duplicate; the length stored in the ledger (3:03) is kept, not 3:41 from "
        "this input"
    ]
    tasks = stored(database_url)
    assert tasks["千鱼 - 王贰浪"].duration == 183.0
    assert tasks["像鱼 - 王贰浪"].duration is None


def test_reimport_same_length_no_warning(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    path = write(home, "songs.txt", "千鱼 - 王贰浪 | 3:41\n".encode())
    runner.invoke(app, ["batch", str(path)])

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_dry_run_repeat_length_noted(runner: CliRunner, home: Path) -> None:
    path = write(
        home, "songs.txt", "千鱼 - 王贰浪 | 3:03\n千鱼 - 王贰浪 | 3:41\n".encode()
    )

    result = runner.invoke(app, ["batch", "--dry-run", str(path)])

    assert (
        f"  warning:  duplicate; the length of {path}:1 (3:03) is kept, not 3:41 "
        "from this input\n"
    ) in result.stdout


# -- implausible lengths -------------------------------------------------------


def test_add_duration_keeps_bar_word(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(app, ["add", "A - B | Live", "--duration", "3:41"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "added\t1\tA - B | Live\n"
    task = stored(database_url)["A - B | Live"]
    assert task.duration == 221.0


def test_batch_implausible_inline_lengths(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    text = "A - X | 2008\nB - X | 3.41\nC - X | 3:41\n"
    path = write(home, "songs.txt", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    errors = plain(result.stderr)
    assert "2008 looks like a year" in errors
    assert "3.41 seconds is shorter than any song" in errors
    assert list(stored(database_url)) == ["C - X"]


# -- encodings -----------------------------------------------------------------


def test_batch_guessed_encoding_warned(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    path = write(home, "songs.txt", "後來 - 劉若英 | 5:40\n".encode("big5"))

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    assert f"{path} is not UTF-8; read it as Big5" in plain(result.stderr)
    assert stored(database_url)["後來 - 劉若英"].duration == 340.0


def test_batch_forced_encoding(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    path = write(home, "songs.txt", "Naïve - Björk\n".encode("cp1252"))

    result = runner.invoke(app, ["batch", "--encoding", "cp1252", str(path)])

    assert result.exit_code == 0, result.stderr
    assert "not UTF-8" not in result.stderr
    assert list(stored(database_url)) == ["Naïve - Björk"]


def test_batch_forced_encoding_invalid(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    path = write(home, "songs.txt", b"A - B\n" + "像鱼 - 王贰浪\n".encode("gbk"))

    result = runner.invoke(app, ["batch", "--encoding", "utf-8", str(path)])

    assert result.exit_code == 1
    assert "is not valid utf-8: invalid byte at byte offset 6 (line 2)" in plain(
        result.stderr
    )
    assert stored(database_url) == {}


def test_batch_unknown_encoding(runner: CliRunner, home: Path) -> None:
    path = write(home, "songs.txt", b"A - B\n")

    result = runner.invoke(app, ["batch", "--encoding", "klingon", str(path)])

    assert result.exit_code == 2
    assert "unknown encoding 'klingon'" in plain(result.stderr)


# -- hostile files -------------------------------------------------------------


def test_batch_workbook_rejected(runner: CliRunner, home: Path) -> None:
    path = write(home, "list.csv", b"PK\x03\x04\x14\x00" + b"xl/sheet1.xml" * 10)

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "Excel workbooks are not read; save it as CSV UTF-8" in plain(result.stderr)


def test_batch_unclosed_quote_keeps_rows(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    rows = "".join(f"Song{n},Art{n},3:00\n" for n in range(1, 21))
    text = f'title,artist,duration\nA,B,1:00\n"Unclosed,C,2:00\n{rows}'
    path = write(home, "songs.csv", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "21 added, 0 duplicate(s), 1 rejected" in result.stderr
    assert (
        f"rejected {path}:3: '\"Unclosed,C,2:00': the quote that opens on line 3 "
        "is never closed"
    ) in plain(result.stderr)
    assert len(stored(database_url)) == 21


def test_batch_huge_cell_no_crash(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    text = f"title,artist\n{'A' * 300_000},X\nok,Y\n"
    path = write(home, "huge.csv", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = plain(result.stderr)
    assert "a cell is longer than" in errors
    assert "A" * 100 not in errors
    assert list(stored(database_url)) == ["ok - Y"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "is nested too deeply to read"),
        ('[{"title": "A", "duration": 1' + "0" * 400 + "}]", "invalid duration"),
        ('[{"title": "A", "duration": ' + "9" * 5000 + "}]", "invalid duration"),
    ],
)
def test_batch_hostile_json_no_traceback(
    runner: CliRunner, home: Path, database_url: str, document: str, message: str
) -> None:
    path = write(home, "songs.json", document.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert message in plain(result.stderr)
    assert stored(database_url) == {}


# -- JSON Lines ----------------------------------------------------------------


def test_batch_json_lines(runner: CliRunner, home: Path, database_url: str) -> None:
    text = '{"title":"千鱼","artist":"王贰浪","duration":221}\n{"title":\n"C - D"\n'
    path = write(home, "songs.jsonl", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    assert "2 added, 0 duplicate(s), 1 rejected" in result.stderr
    assert f"rejected {path}:2:" in plain(result.stderr)
    assert stored(database_url)["千鱼 - 王贰浪"].duration == 221.0


def test_format_jsonl_on_stdin(runner: CliRunner, database_url: str) -> None:
    data = '{"title": "千鱼", "artist": "王贰浪"}\n'

    result = runner.invoke(app, ["batch", "--format", "jsonl", "-"], input=data)

    assert result.exit_code == 0, result.stderr
    assert list(stored(database_url)) == ["千鱼 - 王贰浪"]


# -- warnings ------------------------------------------------------------------


def test_batch_file_warnings_on_stderr(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    text = "歌曲名,歌手,时间\n千鱼,王贰浪,2023-05-01\n像鱼,王贰浪,2023-05-02,extra\n"
    path = write(home, "netease.csv", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    errors = plain(result.stderr)
    assert "the column '时间' contains no song lengths" in errors
    assert (
        f"warning {path}:3: '像鱼 - 王贰浪': the row has 4 cells but the header "
        "names 3 columns"
    ) in errors
    assert "2 added, 0 duplicate(s), 0 rejected" in result.stderr
    assert {task.duration for task in stored(database_url).values()} == {None}


def test_batch_m3u_web_url_skipped(
    runner: CliRunner, home: Path, database_url: str
) -> None:
    text = "https://music.163.com/song?id=1\n#EXTINF:200,王贰浪 - 千鱼\na.mp3\n"
    path = write(home, "urls.m3u", text.encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 0, result.stderr
    assert f"{path}:1: skipped 'https://music.163.com/song?id=1'" in plain(
        result.stderr
    )
    assert list(stored(database_url)) == ["千鱼 - 王贰浪"]


def test_batch_long_values_cut(runner: CliRunner, home: Path) -> None:
    title = "长" * 400
    path = write(home, "songs.txt", f"{title} - X | 3:99\n".encode())

    result = runner.invoke(app, ["batch", str(path)])

    assert result.exit_code == 1
    errors = plain(result.stderr)
    assert "长" * 79 + "…" in errors
    assert "长" * 81 not in errors


def test_batch_folder_tree(runner: CliRunner, home: Path, database_url: str) -> None:
    album = home / "music" / "王贰浪" / "千鱼"
    album.mkdir(parents=True)
    make_tone(album / "01 - 千鱼.mp3", 6, title="千鱼", artist="王贰浪")
    make_tone(album / "02. 像鱼.mp3", 6, title="真标题", artist="真歌手")
    make_tone(album / "03 - Intro.mp3", 2)

    result = runner.invoke(app, ["batch", str(home / "music")])

    assert result.exit_code == 0, result.stderr
    assert "3 added, 0 duplicate(s), 0 rejected, 2 subfolder(s) read" in (result.stderr)
    errors = plain(result.stderr)
    assert "'02. 像鱼' differs" not in errors
    assert "the file name '像鱼' differs from its tags" in errors
    assert "too short for a song" in errors
    tasks = stored(database_url)
    assert set(tasks) == {"千鱼 - 王贰浪", "真标题 - 真歌手", "Intro"}
    assert tasks["Intro"].duration is None
    assert tasks["千鱼 - 王贰浪"].duration == pytest.approx(6, abs=TOLERANCE)
