"""Reading folders of audio files: names, tags, lengths and the folder tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bilimq.songs.folders import read_folder
from tests.songs.tones import make_tone

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.1
"""Seconds; MP3 and AAC encoders pad the start and end of a stream."""


def texts(folder: Path) -> dict[str, str]:
    return {line.file_name or "": line.text for line in read_folder(folder).lines}


def test_track_numbers_stripped(tmp_path: Path) -> None:
    for name in ("01 - 千鱼.mp3", "02. 像鱼.mp3", "03 王贰浪 - 千鱼.mp3"):
        make_tone(tmp_path / name, 6)
    make_tone(tmp_path / "1-05 Other - Art.ogg", 6)
    assert texts(tmp_path) == {
        "01 - 千鱼.mp3": "千鱼",
        "02. 像鱼.mp3": "像鱼",
        "03 王贰浪 - 千鱼.mp3": "王贰浪 - 千鱼",
        "1-05 Other - Art.ogg": "Other - Art",
    }


def test_numbered_folder_strips_plain_numbers(tmp_path: Path) -> None:
    for name in ("1 Intro.mp3", "2 Song.mp3", "3 Outro.mp3"):
        make_tone(tmp_path / name, 6)
    assert sorted(texts(tmp_path).values()) == ["Intro", "Outro", "Song"]


def test_title_number_kept_alone(tmp_path: Path) -> None:
    make_tone(tmp_path / "99 Luftballons - Nena.mp3", 6)
    make_tone(tmp_path / "Blue - Eiffel 65.mp3", 6)
    assert texts(tmp_path)["99 Luftballons - Nena.mp3"] == "99 Luftballons - Nena"


def test_track_tag_confirms_number(tmp_path: Path) -> None:
    make_tone(tmp_path / "7 Rings - Ariana Grande.mp3", 6, track="7/12")
    make_tone(tmp_path / "Other - Song.mp3", 6)
    assert texts(tmp_path)["7 Rings - Ariana Grande.mp3"] == "Rings - Ariana Grande"


def test_tags_name_the_song(tmp_path: Path) -> None:
    make_tone(tmp_path / "01 - 千鱼.mp3", 6, title="千鱼", artist="王贰浪")
    make_tone(tmp_path / "02. 像鱼.mp3", 6, title="真标题", artist="真歌手")
    make_tone(tmp_path / "王贰浪 - 千鱼.flac", 6, title="千鱼", artist="王贰浪")
    make_tone(tmp_path / "03.m4a", 6, title="Ghost (Remix)", artist="Au_Ra")
    by_file = {line.file_name: line for line in read_folder(tmp_path).lines}
    agreeing = by_file["01 - 千鱼.mp3"]
    assert (agreeing.text, agreeing.title, agreeing.artists) == (
        "千鱼 - 王贰浪",
        "千鱼",
        ("王贰浪",),
    )
    assert agreeing.warnings == ()
    assert by_file["王贰浪 - 千鱼.flac"].text == "千鱼 - 王贰浪"
    assert by_file["王贰浪 - 千鱼.flac"].warnings == ()
    assert by_file["03.m4a"].warnings == ()
    differing = by_file["02. 像鱼.mp3"]
    assert differing.text == "真标题 - 真歌手"
    assert differing.warnings == (
        "the file name '像鱼' differs from its tags, so the tags name the song "
        "'真标题 - 真歌手'; rename the file or fix its tags if that is wrong",
    )


def test_title_tag_alone_names_numbered_file(tmp_path: Path) -> None:
    make_tone(tmp_path / "01.mp3", 6, title="千鱼")
    make_tone(tmp_path / "02 - 像鱼 - 王贰浪.mp3", 6, title="Ignored")
    assert texts(tmp_path) == {
        "01.mp3": "千鱼",
        "02 - 像鱼 - 王贰浪.mp3": "像鱼 - 王贰浪",
    }


def test_implausible_length_dropped(tmp_path: Path) -> None:
    make_tone(tmp_path / "Short - One.mp3", 1.5)
    make_tone(tmp_path / "Fine - Two.mp3", 6)
    by_file = {line.file_name: line for line in read_folder(tmp_path).lines}
    short = by_file["Short - One.mp3"]
    assert short.error is None
    assert short.duration is None
    (warning,) = short.warnings
    assert warning.startswith("the file is only 0:01.")
    assert warning.endswith(
        "too short for a song; it may be cut short, so its length is not stored"
    )
    assert by_file["Fine - Two.mp3"].duration == pytest.approx(6, abs=TOLERANCE)


def make_library(root: Path) -> Path:
    """Write an Artist/Album/track tree with a hidden folder and a loop."""
    album = root / "王贰浪" / "千鱼"
    album.mkdir(parents=True)
    make_tone(album / "01 - 千鱼.flac", 6)
    make_tone(album / "02 - 像鱼.flac", 6)
    (album / "cover.jpg").write_bytes(b"")
    other = root / "Au_Ra" / "Ghost"
    other.mkdir(parents=True)
    make_tone(other / "Ghost (The Him Remix) - Au_Ra.mp3", 6)
    make_tone(root / "Loose - Song.mp3", 6)
    hidden = root / ".Trash"
    hidden.mkdir()
    make_tone(hidden / "Deleted - Song.mp3", 6)
    (root / "王贰浪" / "loop").symlink_to("..")
    (root / "link - Loose.mp3").symlink_to(root / "Loose - Song.mp3")
    return root


def test_folder_tree_read_recursively(tmp_path: Path) -> None:
    root = make_library(tmp_path / "music")
    songs = read_folder(root)
    assert [line.file_name for line in songs.lines] == [
        "Loose - Song.mp3",
        "link - Loose.mp3",
        os.path.join("Au_Ra", "Ghost", "Ghost (The Him Remix) - Au_Ra.mp3"),
        os.path.join("王贰浪", "千鱼", "01 - 千鱼.flac"),
        os.path.join("王贰浪", "千鱼", "02 - 像鱼.flac"),
    ]
    assert [line.lineno for line in songs.lines] == [1, 2, 3, 4, 5]
    assert [line.text for line in songs.lines][3:] == ["千鱼", "像鱼"]
    assert songs.subfolders == 4
    assert songs.skipped_files == [os.path.join("王贰浪", "千鱼", "cover.jpg")]
    assert songs.where(songs.lines[3]) == str(
        root / "王贰浪" / "千鱼" / "01 - 千鱼.flac"
    )


def test_folder_link_loop_not_followed(tmp_path: Path) -> None:
    root = make_library(tmp_path / "music")
    songs = read_folder(root)
    (warning,) = songs.warnings
    assert warning.startswith(f"skipped {str(root / '王贰浪' / 'loop')!r}")
    assert "links to folders are not followed" in warning


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_folder_fifo_skipped_unopened(tmp_path: Path) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    os.mkfifo(folder / "fifo - x.mp3")
    make_tone(folder / "Real - Song.mp3", 6)
    script = (
        "import sys\n"
        "from bilimq.songs.folders import read_folder\n"
        "songs = read_folder(sys.argv[1])\n"
        "print([line.text for line in songs.lines])\n"
        "print(songs.warnings)\n"
    )
    # Opening the FIFO would wait for a writer forever; the timeout turns
    # that into a failure instead of a stuck test run.
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    lines, warnings = result.stdout.splitlines()
    assert lines == "['Real - Song']"
    assert "it is a FIFO (named pipe), not an audio file, so it is not opened" in (
        warnings
    )
