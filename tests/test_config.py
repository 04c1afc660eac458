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

    expected = r"\[run\] workers in .*: 'many' \(expected int\)"
    with pytest.raises(ConfigError, match=expected):
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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BILIMQ_RUN_WORKERS", "0", "from 1 to 32"),
        ("BILIMQ_DOWNLOAD_FORMAT", "wav", "m4a, mp3, opus, flac"),
        ("BILIMQ_DOWNLOAD_BITRATE", "fast", "192k"),
        ("BILIMQ_MATCH_THRESHOLD", "500", "from 0 to 100"),
        ("BILIMQ_NAMES_ORDER", "xx", "title-artist"),
        ("BILIMQ_LOG_LEVEL", "LOUD", "DEBUG"),
        ("BILIMQ_LOG_ROTATION", "abc", "10 MB"),
        ("BILIMQ_DATABASE_URL", "postgresql://u@h/db", "sqlite"),
        ("BILIMQ_BILIBILI_VIDEO_BASE", "https://www.bilibili.com/video", "end it"),
    ],
)
def test_invalid_values_rejected(monkeypatch, variable, value, message) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert variable in str(caught.value)
    assert message in str(caught.value)


def test_database_password_not_in_error(monkeypatch) -> None:
    monkeypatch.setenv("BILIMQ_DATABASE_URL", "postgresql://u:hunter2@h/db")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert "hunter2" not in str(caught.value)


def test_misspelled_variable_rejected(monkeypatch) -> None:
    monkeypatch.setenv("BILIMQ_RUN_WORKERZ", "3")

    with pytest.raises(ConfigError, match="BILIMQ_RUN_WORKERS"):
        load_settings()


def test_file_error_names_file(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "[run]\nworkers = 0\n")

    with pytest.raises(ConfigError, match=r"\[run\] workers in .*c\.toml"):
        load_settings(path)


def test_output_formats_match_converter() -> None:
    from bilimq.audio.convert import FORMATS
    from bilimq.config_rules import OUTPUT_FORMATS

    assert set(OUTPUT_FORMATS) == set(FORMATS)


@pytest.mark.parametrize(
    "text",
    [
        "[run]\nworkers = [1]\n",
        "[run]\nworkers = true\n",
        "[run]\nmax_attempts = 2.7\n",
    ],
)
def test_wrong_types_rejected(tmp_path: Path, text: str) -> None:
    path = write_config(tmp_path / "c.toml", text)

    with pytest.raises(ConfigError, match="expected int"):
        load_settings(path)


def test_section_as_value_rejected(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", "run = 5\n")

    with pytest.raises(ConfigError, match=r"must be a section \(\[run\]\)"):
        load_settings(path)


def test_non_utf8_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes("[names]\norder = '标题'\n".encode("gbk"))

    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(path)


def test_lease_shorter_than_polls_rejected(monkeypatch) -> None:
    monkeypatch.setenv("BILIMQ_RUN_LEASE_SECONDS", "5")
    monkeypatch.setenv("BILIMQ_RUN_POLL_INTERVAL", "30")

    with pytest.raises(ConfigError, match="lease_seconds"):
        load_settings()


def test_queue_redis_settings_load(monkeypatch) -> None:
    monkeypatch.setenv("BILIMQ_QUEUE_BACKEND", "redis")
    monkeypatch.setenv("BILIMQ_QUEUE_URL", "redis://:hunter2@127.0.0.1:6379/0")
    monkeypatch.setenv("BILIMQ_QUEUE_PREFIX", "music:bilimq")

    settings = load_settings()

    assert settings.queue.backend == "redis"
    assert isinstance(settings.queue.url, Secret)
    assert settings.queue.url.reveal() == "redis://:hunter2@127.0.0.1:6379/0"
    assert settings.queue.prefix == "music:bilimq"
    assert "hunter2" not in repr(settings)


def test_queue_redis_without_url_rejected(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", '[queue]\nbackend = "redis"\n')

    with pytest.raises(ConfigError, match=r"\[queue\] url") as caught:
        load_settings(path)

    assert "BILIMQ_QUEUE_URL" in str(caught.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BILIMQ_QUEUE_BACKEND", "sqlite", "memory, redis"),
        ("BILIMQ_QUEUE_URL", "http://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("BILIMQ_QUEUE_URL", "127.0.0.1:6379", "redis://127.0.0.1:6379/0"),
        ("BILIMQ_QUEUE_PREFIX", "bili mq", "letters, digits"),
        ("BILIMQ_QUEUE_PREFIX", "bilimq*", "letters, digits"),
        ("BILIMQ_QUEUE_PREFIX", "x" * 65, "1-64"),
        ("BILIMQ_QUEUE_CLEANUP_INTERVAL", "0", "from 0.1 to 3600"),
    ],
)
def test_invalid_queue_values_rejected(monkeypatch, variable, value, message) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert variable in str(caught.value)
    assert message in str(caught.value)


def test_queue_url_password_not_in_error(monkeypatch) -> None:
    monkeypatch.setenv("BILIMQ_QUEUE_URL", "http://:hunter2@127.0.0.1:6379/0")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert "hunter2" not in str(caught.value)
