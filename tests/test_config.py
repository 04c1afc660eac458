"""Settings from defaults, config.toml and BILIMQ_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bilimq.config import Secret, load_settings
from bilimq.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("BILIMQ_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file() -> None:
    settings = load_settings()

    assert settings.source is None
    assert settings.download.format == "m4a"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("bilimq.db")


def test_file_in_working_folder(tmp_path: Path) -> None:
    write_config(tmp_path / "config.toml", '[paths]\nlibrary_dir = "music"\n')

    settings = load_settings()

    assert settings.source == tmp_path / "config.toml"
    assert settings.paths.library_dir == tmp_path / "music"


def test_environment_overrides_file(tmp_path: Path, monkeypatch) -> None:
    write_config(tmp_path / "config.toml", "[run]\nworkers = 2\n")
    monkeypatch.setenv("BILIMQ_RUN_WORKERS", "6")
    monkeypatch.setenv("BILIMQ_DOWNLOAD_OVERWRITE", "yes")

    settings = load_settings()

    assert settings.run.workers == 6
    assert settings.download.overwrite is True


def test_explicit_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_unknown_key_names_valid_keys(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "[run]\nworker = 2\n")

    with pytest.raises(ConfigError, match=r"unknown setting \[run\] worker.*workers"):
        load_settings(path)


def test_invalid_number_names_setting(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", '[run]\nworkers = "many"\n')

    with pytest.raises(ConfigError, match=r"\[run\] workers: 'many'"):
        load_settings(path)


def test_invalid_toml(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "[run\n")

    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(path)


def test_secret_hidden_in_repr(monkeypatch) -> None:
    monkeypatch.setenv("BILIMQ_BILIBILI_SESSDATA", "abc123secret")

    settings = load_settings()

    assert isinstance(settings.bilibili.sessdata, Secret)
    assert "abc123secret" not in repr(settings)
    assert settings.bilibili.sessdata.reveal() == "abc123secret"


def test_repository_config_loads() -> None:
    shipped = Path(__file__).resolve().parent.parent / "config.toml"

    settings = load_settings(shipped)

    assert settings.paths.library_dir == shipped.parent / "library"
    assert settings.database.url == ""
