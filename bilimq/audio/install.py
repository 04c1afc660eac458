"""Verify a finished file and move it into the library folder atomically."""

from __future__ import annotations

import errno
import filecmp
import os
from collections.abc import Callable
from pathlib import Path

from loguru import logger

from bilimq.audio.errors import DestinationExistsError, InstallError, VerifyError
from bilimq.audio.probe import probe_duration

MIN_DURATION_RATIO = 0.9
"""A file shorter than this fraction of the expected duration counts as cut off."""
DURATION_SLACK = 2.0
"""Seconds allowed on top, because Bilibili rounds durations to whole seconds."""

# Errors of os.link on filesystems without hard links (FAT, exFAT, network shares).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK})


def verify_audio(path: Path, *, expected_duration: float | None = None) -> float:
    """Return the duration of `path`, or raise VerifyError if it is empty or cut off.

    The file must be non-empty, have an audio stream with a positive duration
    and, when `expected_duration` (seconds) is given, be at least
    MIN_DURATION_RATIO of it minus DURATION_SLACK seconds long.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise VerifyError(f"{path} not found; download it again") from None
    if size == 0:
        raise VerifyError(f"{path} is empty (0 bytes); download it again")
    duration = probe_duration(path)
    if duration <= 0:
        raise VerifyError(f"{path} has no audio duration; download it again")
    if expected_duration is not None:
        minimum = expected_duration * MIN_DURATION_RATIO - DURATION_SLACK
        if duration < minimum:
            raise VerifyError(
                f"{path} lasts {duration:.1f} s but {expected_duration:.0f} s were "
                "expected; the download was cut off, download it again"
            )
    return duration


def install_file(
    tmp: Path,
    dest: Path,
    *,
    overwrite: bool = False,
    expected_duration: float | None = None,
    check_duration: Callable[[float], None] | None = None,
) -> Path:
    """Verify `tmp`, rename it to `dest` atomically and durably, and return dest.

    `tmp` and `dest` must be on one filesystem, so keep the temporary folder
    inside the library folder. An existing `dest` is replaced only with
    `overwrite`. Without it, a `dest` with the same bytes counts as installed
    (a rerun after a crash), and a different one raises DestinationExistsError.
    On any error `tmp` is left in place for the caller to remove.
    `check_duration` receives the verified length and may raise to stop the
    install.
    """
    duration = verify_audio(tmp, expected_duration=expected_duration)
    if check_duration is not None:
        check_duration(duration)
    _fsync_file(tmp)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:
        _replace(tmp, dest)
    else:
        _link_new(tmp, dest)
    _fsync_dir(dest.parent)
    logger.debug("installed {}", dest)
    return dest


def _link_new(tmp: Path, dest: Path) -> None:
    """Rename `tmp` to `dest` unless `dest` exists, without a check-then-act race.

    os.link fails atomically when the name is taken, which os.replace cannot do.
    """
    try:
        os.link(tmp, dest)
    except FileExistsError:
        _accept_identical(tmp, dest)
        return
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise _install_error(tmp, dest, exc) from exc
        # NOTE: without hard links a second writer of the same name between this
        # check and the rename is not detected; the last rename wins.
        if dest.exists():
            _accept_identical(tmp, dest)
            return
        _replace(tmp, dest)
        return
    tmp.unlink()


def _accept_identical(tmp: Path, dest: Path) -> None:
    if dest.is_file() and filecmp.cmp(tmp, dest, shallow=False):
        logger.debug("{} already installed with the same content", dest)
        tmp.unlink()
        return
    raise DestinationExistsError(
        f"{dest} already exists and differs from the new download; move or delete "
        "it, or allow overwriting"
    )


def _replace(tmp: Path, dest: Path) -> None:
    if dest.is_dir():
        raise DestinationExistsError(f"{dest} is a folder; choose another file name")
    try:
        os.replace(tmp, dest)
    except OSError as exc:
        raise _install_error(tmp, dest, exc) from exc


def _install_error(tmp: Path, dest: Path, exc: OSError) -> InstallError:
    if exc.errno == errno.EXDEV:
        return InstallError(
            f"cannot move {tmp} to {dest} atomically: they are on different "
            "filesystems; keep the temporary folder inside the library folder"
        )
    return InstallError(f"cannot move {tmp} to {dest}: {exc.strerror or exc}")


def _fsync_file(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _fsync_dir(folder: Path) -> None:
    """Flush the folder entry so the rename survives a power cut (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
