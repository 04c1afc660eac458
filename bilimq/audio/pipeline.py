"""Fetch one song: download, convert, tag, verify and install it into the library."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from loguru import logger

from bilimq.audio.convert import check_options, convert_audio
from bilimq.audio.download import ProgressCallback, download_audio
from bilimq.audio.errors import AudioError
from bilimq.audio.install import install_file
from bilimq.audio.tags import Tags, write_tags

Stage = Literal["downloading", "converting", "tagging", "installing"]
"""Steps of `fetch_song`, reported in this order through `on_stage`."""


def fetch_song(
    url: str,
    *,
    workdir: Path,
    dest: Path,
    tags: Tags,
    fmt: str = "m4a",
    bitrate: str = "192k",
    headers: dict[str, str] | None = None,
    cookiefile: Path | None = None,
    cookies: dict[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
    on_stage: Callable[[Stage], None] | None = None,
    overwrite: bool = False,
    expected_duration: float | None = None,
    check_duration: Callable[[float], None] | None = None,
    socket_timeout: float = 20.0,
    retries: int = 3,
) -> Path:
    """Download `url`, convert it to `fmt`, tag it and install it as `dest`.

    Each call works in its own temporary folder inside `workdir` and removes it
    on success and on failure. `workdir` must be on the filesystem of `dest`, e.g.
    `<library>/.bilimq-tmp/`. `dest` must end in `.<fmt>`. `expected_duration`
    (seconds, e.g. Bilibili's duration of the part) rejects a cut-off file.
    `check_duration` receives the finished file's length before it is installed
    and may raise to keep the file out of the library.
    Raises an AudioError subclass; see `download_audio` for retry hints.
    """
    fmt = fmt.lower()
    check_options(fmt, bitrate)
    if dest.suffix.lower() != f".{fmt}":
        raise AudioError(
            f"{dest} does not end in .{fmt}; name the file after its format"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    job = Path(tempfile.mkdtemp(prefix="fetch-", dir=workdir))
    started = time.monotonic()
    try:
        _report(on_stage, "downloading")
        downloaded = download_audio(
            url,
            job,
            headers=headers,
            cookiefile=cookiefile,
            cookies=cookies,
            on_progress=on_progress,
            socket_timeout=socket_timeout,
            retries=retries,
        )
        _report(on_stage, "converting")
        converted = convert_audio(downloaded, job / f"converted.{fmt}", fmt, bitrate)
        downloaded.unlink()
        _report(on_stage, "tagging")
        write_tags(converted, tags)
        _report(on_stage, "installing")
        install_file(
            converted,
            dest,
            overwrite=overwrite,
            expected_duration=expected_duration,
            check_duration=check_duration,
        )
    finally:
        shutil.rmtree(job, ignore_errors=True)
    logger.debug(
        "fetched {} into {} in {:.1f} s", url, dest, time.monotonic() - started
    )
    return dest


def _report(on_stage: Callable[[Stage], None] | None, stage: Stage) -> None:
    if on_stage is not None:
        on_stage(stage)
