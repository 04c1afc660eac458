"""The CLI's contract: exit codes, stdout for results, stderr for the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilimq.cli.app import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("DATA_DIR", "LIBRARY_DIR", "LOG_DIR"):
        monkeypatch.setenv(f"BILIMQ_PATHS_{name}", str(tmp_path / name.lower()))
    monkeypatch.setenv("BILIMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("BILIMQ_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return CliRunner()


def test_add_prints_ids_on_stdout(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "像鱼 (伴奏) - 王贰浪"])

    assert result.exit_code == 0
    assert result.stdout == "added\t1\t像鱼 (伴奏) - 王贰浪\n"
    assert "1 added, 0 duplicate(s), 0 rejected" in result.stderr


def test_markup_in_names_printed_verbatim(runner: CliRunner) -> None:
    line = "Some Song [Remix] [/b] - Name[xyz]"

    result = runner.invoke(app, ["add", line])

    assert result.exit_code == 0
    assert line in result.stdout


def test_rejected_name_exits_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "a - b - c", "Libertus - Chen-U_EG"])

    assert result.exit_code == 1
    assert "rejected name 1: 'a - b - c'" in result.stderr
    assert "Libertus - Chen-U_EG" in result.stdout


def test_unknown_option_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "--bogus", "x"])

    assert result.exit_code == 2


def test_invalid_order_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["add", "--order", "sideways", "a - b"])

    assert result.exit_code == 2
    assert "sideways" in result.stderr


def test_missing_list_file_is_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["batch", "missing.txt"])

    assert result.exit_code == 1
    assert "missing.txt" in result.stderr
    assert result.stdout == ""


def test_batch_reads_stdin(runner: CliRunner) -> None:
    result = runner.invoke(app, ["batch", "-"], input="像鱼 - 王贰浪\n# note\n\n")

    assert result.exit_code == 0
    assert "1 added" in result.stderr


def test_bad_config_is_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[run]\nworkers = 'x'\n", encoding="utf-8")

    result = runner.invoke(app, ["status"])

    assert result.exit_code == 1
    assert "[run] workers" in result.stderr


def test_status_json_is_valid(runner: CliRunner) -> None:
    runner.invoke(app, ["add", "像鱼 - 王贰浪"])

    result = runner.invoke(app, ["status", "--json", "--state", "pending"])

    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["counts"]["pending"] == 1
    assert payload["tasks"][0]["line"] == "像鱼 - 王贰浪"


def test_retry_unknown_state_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["retry", "--state", "done"])

    assert result.exit_code == 2
    assert "done" in result.stderr


def test_retry_reports_count(runner: CliRunner) -> None:
    runner.invoke(app, ["add", "像鱼 - 王贰浪"])

    result = runner.invoke(app, ["retry"])

    assert result.exit_code == 0
    assert "0 task(s) queued again" in result.stderr
