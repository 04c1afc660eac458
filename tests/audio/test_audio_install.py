"""verify_audio and install_file on real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from audio_support import Media

from bilimq.audio.errors import DestinationExistsError, VerifyError
from bilimq.audio.install import install_file, verify_audio
from bilimq.audio.probe import probe_duration


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    (folder / ".bilimq-tmp").mkdir(parents=True)
    return folder


def _temp_copy(source: Path, library: Path, name: str = "job.m4a") -> Path:
    return Path(shutil.copy(source, library / ".bilimq-tmp" / name))


def test_install_moves_file(media: Media, library: Path) -> None:
    tmp = _temp_copy(media.aac, library)
    dest = install_file(tmp, library / "像鱼 (伴奏) - 王贰浪.m4a")
    assert dest == library / "像鱼 (伴奏) - 王贰浪.m4a"
    assert dest.read_bytes() == media.aac.read_bytes()
    assert probe_duration(dest) > 0
    assert not tmp.exists()
    assert list((library / ".bilimq-tmp").iterdir()) == []


def test_install_creates_folder(media: Media, library: Path) -> None:
    tmp = _temp_copy(media.aac, library)
    dest = install_file(tmp, library / "Artist" / "song.m4a")
    assert dest.is_file()


def test_install_refuses_different_file(media: Media, library: Path) -> None:
    dest = library / "song.m4a"
    shutil.copy(media.mp3, dest)
    tmp = _temp_copy(media.aac, library)
    with pytest.raises(DestinationExistsError, match="already exists"):
        install_file(tmp, dest)
    assert dest.read_bytes() == media.mp3.read_bytes()
    assert tmp.exists()


def test_install_accepts_identical_file(media: Media, library: Path) -> None:
    dest = library / "song.m4a"
    shutil.copy(media.aac, dest)
    tmp = _temp_copy(media.aac, library)
    assert install_file(tmp, dest) == dest
    assert not tmp.exists()


def test_install_overwrite_replaces(media: Media, library: Path) -> None:
    dest = library / "song.m4a"
    shutil.copy(media.mp3, dest)
    tmp = _temp_copy(media.aac, library)
    install_file(tmp, dest, overwrite=True)
    assert dest.read_bytes() == media.aac.read_bytes()
    assert not tmp.exists()


def test_install_empty_file(library: Path) -> None:
    tmp = library / ".bilimq-tmp" / "empty.m4a"
    tmp.touch()
    with pytest.raises(VerifyError, match="empty"):
        install_file(tmp, library / "song.m4a")
    assert not (library / "song.m4a").exists()


def test_install_corrupt_file(media: Media, library: Path) -> None:
    tmp = _temp_copy(media.corrupt, library)
    with pytest.raises(VerifyError):
        install_file(tmp, library / "song.m4a")
    assert not (library / "song.m4a").exists()


def test_verify_cut_off_file(media: Media) -> None:
    with pytest.raises(VerifyError, match="cut off"):
        verify_audio(media.aac, expected_duration=60)


def test_verify_expected_duration(media: Media) -> None:
    assert verify_audio(media.aac, expected_duration=3) == pytest.approx(3.0, abs=0.1)


def test_verify_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VerifyError, match="not found"):
        verify_audio(tmp_path / "absent.m4a")
