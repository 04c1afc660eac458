"""Settings from config.toml and the environment.

A config file is found, first match wins, at: the `--config` option, the
`BILIMQ_CONFIG` variable, `config.toml` in the working folder, then
`config.toml` in the user config folder. Every key can be overridden by an
environment variable named `BILIMQ_<SECTION>_<KEY>`, e.g. `BILIMQ_DATABASE_URL`.
With no file at all the defaults below apply. Relative paths in a file are
resolved against that file's folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from bilimq.config_rules import check_value
from bilimq.errors import ConfigError

APP_NAME = "bilimq"


class Secret(str):
    """A string that never shows its value in repr, logs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"

    def reveal(self) -> str:
        """Return the plain value, for the one place that must send it."""
        return str.__str__(self)


@dataclass(frozen=True)
class PathSettings:
    """Folders for the database, the downloaded library and the logs."""

    data_dir: Path = Path(platformdirs.user_data_dir(APP_NAME))
    library_dir: Path = Path(platformdirs.user_music_dir()) / APP_NAME
    log_dir: Path = Path(platformdirs.user_log_dir(APP_NAME))


@dataclass(frozen=True)
class DatabaseSettings:
    """The task ledger's location."""

    url: Secret = Secret("")
    """Empty means a SQLite file `bilimq.db` in the data folder."""
    echo: bool = False
    pool_recycle: int = 280
    """Seconds; keep below the MySQL server's wait_timeout."""


@dataclass(frozen=True)
class BilibiliSettings:
    """Bilibili endpoints, login cookie and request timeout."""

    api_base: str = "https://api.bilibili.com"
    video_base: str = "https://www.bilibili.com/video/"
    sessdata: Secret = Secret("")
    cookie_file: str = ""
    timeout: float = 10.0


@dataclass(frozen=True)
class DownloadSettings:
    """Output format and file handling."""

    format: str = "m4a"
    bitrate: str = "192k"
    overwrite: bool = False


@dataclass(frozen=True)
class MatchSettings:
    """Matcher thresholds."""

    threshold: float = 70.0
    duration_tolerance: float = 20.0
    """Seconds an upload may differ from a song's known length; wider for long
    pieces."""


@dataclass(frozen=True)
class NameSettings:
    """Song line settings."""

    order: str = "title-artist"


@dataclass(frozen=True)
class RunSettings:
    """The `bilimq run` daemon."""

    workers: int = 4
    lease_seconds: float = 300.0
    poll_interval: float = 1.0
    max_attempts: int = 5
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    cooldown: float = 60.0
    idle_wait: float = 120.0
    """With --exit-when-idle, wait for retries due within this many seconds."""


@dataclass(frozen=True)
class QueueSettings:
    """Location of the run's public store (search cache, cooldown). The dispatch
    queue stays in memory."""

    backend: str = "memory"
    url: Secret = Secret("")
    """Redis URL for backend = "redis"."""
    prefix: str = "bilimq"
    cleanup_interval: float = 60.0
    """Seconds between sweeps of expired public-store keys."""


@dataclass(frozen=True)
class LogSettings:
    """The rotating log file."""

    level: str = "DEBUG"
    rotation: str = "10 MB"
    retention: int = 10


@dataclass(frozen=True)
class Settings:
    """All settings, one frozen record per config section."""

    paths: PathSettings = field(default_factory=PathSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    bilibili: BilibiliSettings = field(default_factory=BilibiliSettings)
    download: DownloadSettings = field(default_factory=DownloadSettings)
    match: MatchSettings = field(default_factory=MatchSettings)
    names: NameSettings = field(default_factory=NameSettings)
    run: RunSettings = field(default_factory=RunSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    log: LogSettings = field(default_factory=LogSettings)
    source: Path | None = None
    """The config file that was read, if any."""

    @property
    def database_url(self) -> str:
        """Return the ledger URL, defaulting to a SQLite file in the data folder."""
        if self.database.url:
            return self.database.url.reveal()
        return f"sqlite:///{self.paths.data_dir / 'bilimq.db'}"


_SECTION_NAMES = [f.name for f in fields(Settings) if f.name != "source"]


def ensure_folder(path: Path, setting: str) -> Path:
    """Create a configured folder, or raise ConfigError naming the setting."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create {setting} {path}: {exc.strerror}; "
            "choose another folder or fix its permissions"
        ) from None
    return path


def find_config_file(explicit: Path | None = None) -> Path | None:
    """Return the config file to read, or None when there is none."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        return explicit
    from_env = os.environ.get("BILIMQ_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(f"BILIMQ_CONFIG points to a missing file: {path}")
        return path
    for candidate in (
        Path.cwd() / "config.toml",
        Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def load_settings(explicit: Path | None = None) -> Settings:
    """Build settings from defaults, the config file and the environment."""
    path = find_config_file(explicit)
    raw: dict[str, Any] = _read_toml(path) if path else {}
    unknown = sorted(set(raw) - set(_SECTION_NAMES))
    if unknown:
        raise ConfigError(
            f"unknown section(s) in {path}: {', '.join(unknown)}; "
            f"valid sections are {', '.join(_SECTION_NAMES)}"
        )
    _check_environment()
    sections = {}
    for name in _SECTION_NAMES:
        table = raw.get(name) or {}
        if not isinstance(table, dict):
            raise ConfigError(
                f"{name} in {path} must be a section ([{name}]), not a single value"
            )
        values = [
            _Value(key, value, f"[{name}] {key} in {path}", path.parent)
            for key, value in table.items()
            if path is not None
        ]
        values += _env_values(name, getattr(Settings(), name))
        sections[name] = _build_section(name, getattr(Settings(), name), values)
    settings = Settings(**sections, source=path)
    _check_together(settings)
    return settings


def _check_together(settings: Settings) -> None:
    run = settings.run
    if run.lease_seconds < 3 * run.poll_interval:
        raise ConfigError(
            f"[run] lease_seconds ({run.lease_seconds:g}) must be at least three "
            f"times [run] poll_interval ({run.poll_interval:g}), or leases run out "
            "between renewals and tasks run twice"
        )
    queue = settings.queue
    if queue.backend == "redis" and not queue.url:
        raise ConfigError(
            '[queue] backend = "redis" needs [queue] url, such as '
            "redis://127.0.0.1:6379/0 (or BILIMQ_QUEUE_URL)"
        )


@dataclass(frozen=True)
class _Value:
    key: str
    value: Any
    origin: str
    """The value's source (a variable name or a file), for error messages."""
    base: Path
    """Folder that relative paths are resolved against."""


def _check_environment() -> None:
    """Reject a misspelled BILIMQ_<SECTION>_<KEY> variable instead of ignoring it."""
    for variable in os.environ:
        for section in _SECTION_NAMES:
            prefix = f"BILIMQ_{section.upper()}_"
            if not variable.startswith(prefix):
                continue
            keys = {item.name.upper() for item in fields(getattr(Settings(), section))}
            if variable[len(prefix) :] not in keys:
                valid = ", ".join(f"{prefix}{key}" for key in sorted(keys))
                raise ConfigError(
                    f"unknown environment variable {variable}; valid ones for "
                    f"[{section}] are {valid}"
                )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 (invalid byte at offset {exc.start}); "
            "re-save it as UTF-8"
        ) from None


def _env_values(section: str, default: Any) -> list[_Value]:
    values = []
    for item in fields(default):
        variable = f"BILIMQ_{section.upper()}_{item.name.upper()}"
        value = os.environ.get(variable)
        if value is not None:
            values.append(_Value(item.name, value, variable, Path.cwd()))
    return values


def _build_section(name: str, default: Any, values: list[_Value]) -> Any:
    known = {item.name for item in fields(default)}
    converted = {}
    for item in values:
        if item.key not in known:
            raise ConfigError(
                f"unknown setting {item.origin}; "
                f"valid keys in [{name}] are {', '.join(sorted(known))}"
            )
        current = getattr(default, item.key)
        value = _convert(item.origin, current, item.value, item.base)
        problem = check_value(name, item.key, value)
        if problem:
            shown = "(hidden)" if isinstance(value, Secret) else repr(item.value)
            raise ConfigError(f"invalid value for {item.origin}: {shown}; {problem}")
        converted[item.key] = value
    return replace(default, **converted)


def _convert(label: str, current: Any, value: Any, base: Path) -> Any:
    try:
        if isinstance(current, Secret):
            return Secret(str(value))
        if isinstance(current, bool):
            return _to_bool(value)
        if isinstance(value, bool) or isinstance(value, list | dict):
            raise ValueError(value)
        if isinstance(current, int):
            return _to_int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, Path):
            path = Path(os.path.expanduser(str(value)))
            return path if path.is_absolute() else (base / path).resolve()
        return str(value)
    except (TypeError, ValueError):
        kind = type(current).__name__
        raise ConfigError(
            f"invalid value for {label}: {value!r} (expected {kind})"
        ) from None


def _to_int(value: Any) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)
