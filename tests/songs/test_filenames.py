from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilimq.errors import InvalidNameError
from bilimq.songs.filenames import (
    MAX_NAME_BYTES,
    TEMP_SUFFIX_BYTES,
    LibraryPathError,
    library_path,
    safe_filename,
)
from bilimq.songs.names import parse_name

LIMIT = MAX_NAME_BYTES - TEMP_SUFFIX_BYTES


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("像鱼 (伴奏) - 王贰浪", "像鱼 (伴奏) - 王贰浪.m4a"),
        (
            "Futuresex/LoveSound - Justin Timberlake",
            "Futuresex_LoveSound - Justin Timberlake.m4a",
        ),
        ("What's Up? - Artist", "What's Up_ - Artist.m4a"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i.m4a"),
        ("T.N.T. - AC_DC", "T.N.T. - AC_DC.m4a"),
        ("Title.", "Title.m4a"),
        ("Title . . ", "Title.m4a"),
        (".hidden", "hidden.m4a"),
        ("  spaced  ", "spaced.m4a"),
        ("tab\there\x7f\x00", "tabhere.m4a"),
        ("evil\u202egpj.exe", "evilgpj.exe.m4a"),
        ("像\u200b鱼", "像鱼.m4a"),
        ("👨\u200d👩\u200d👧 - A", "👨\u200d👩\u200d👧 - A.m4a"),
    ],
)
def test_safe_filename_cases(line: str, name: str) -> None:
    assert safe_filename(line, "m4a") == name


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("CON", "_CON.mp3"),
        ("con", "_con.mp3"),
        ("Aux", "_Aux.mp3"),
        ("nul ", "_nul.mp3"),
        ("COM1", "_COM1.mp3"),
        ("LPT9", "_LPT9.mp3"),
        ("prn.txt", "_prn.txt.mp3"),
        ("COM¹", "_COM¹.mp3"),
        ("CLOCK$", "_CLOCK$.mp3"),
        ("Aux.x - y", "_Aux.x - y.mp3"),
        ("CONSOLE", "CONSOLE.mp3"),
        ("COM10", "COM10.mp3"),
    ],
)
def test_safe_filename_reserved(line: str, name: str) -> None:
    assert safe_filename(line, "mp3") == name


@pytest.mark.parametrize("line", [".", "..", "...", "", " ", "\x00"])
def test_safe_filename_dots_replaced(line: str) -> None:
    name = safe_filename(line, "m4a")
    assert name.startswith("_")
    assert name.endswith(".m4a")
    assert name not in (".m4a", "..m4a")


def test_safe_filename_dots_unique() -> None:
    assert safe_filename(".", "m4a") != safe_filename("..", "m4a")


def test_safe_filename_extension_forms() -> None:
    assert safe_filename("Song", ".flac") == safe_filename("Song", "flac")


@pytest.mark.parametrize("ext", ["", "m4a/..", "a" * 11, "m 4a"])
def test_safe_filename_bad_extension(ext: str) -> None:
    with pytest.raises(ValueError, match="invalid file extension"):
        safe_filename("Song", ext)


def test_safe_filename_long_cjk() -> None:
    line = "像" * 90 + " - 歌手"
    name = safe_filename(line, "m4a")
    assert len(name.encode("utf-8")) <= LIMIT
    assert name.startswith("像" * 70)
    assert name.endswith(".m4a")
    assert "~" in name


def test_safe_filename_long_unique() -> None:
    first = safe_filename("a" * 300 + "1", "m4a")
    second = safe_filename("a" * 300 + "2", "m4a")
    assert first != second
    assert len(first.encode("utf-8")) <= LIMIT


def test_safe_filename_cut_on_boundary() -> None:
    for pad in range(4):
        name = safe_filename("x" * pad + "😀" * 80, "opus")
        assert len(name.encode("utf-8")) <= LIMIT
        assert "\ufffd" not in name


def test_library_path_inside(tmp_path: Path) -> None:
    path = library_path(tmp_path, "../../etc/cron.d/x - ..", "m4a")
    assert path.parent == tmp_path.resolve()
    assert path.name == "_.._etc_cron.d_x -.m4a"


def test_library_path_symlink_outside(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    outside = tmp_path / "outside.m4a"
    (library / "Song.m4a").symlink_to(outside)
    with pytest.raises(LibraryPathError, match="outside the library folder"):
        library_path(library, "Song", "m4a")


@pytest.mark.parametrize("line", [".. - ..", "../x - /etc", "\\..\\..\\x - y"])
def test_library_path_parsed_line_inside(tmp_path: Path, line: str) -> None:
    song = parse_name(line)
    path = library_path(tmp_path, song.line, "m4a")
    assert path.parent == tmp_path.resolve()
    assert "/" not in path.name
    assert "\\" not in path.name
    assert path.name not in (".", "..")


# Writing files is slow on a busy machine, so no per-example deadline.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.text(max_size=300), ext=st.sampled_from(["m4a", "mp3", "flac"]))
def test_library_path_any_text(
    tmp_path_factory: pytest.TempPathFactory, line: str, ext: str
) -> None:
    library = tmp_path_factory.getbasetemp() / "any-text"
    library.mkdir(exist_ok=True)
    path = library_path(library, line, ext)
    assert path.parent == library.resolve()
    assert len(path.name.encode("utf-8")) <= LIMIT
    stem = path.name.removesuffix("." + ext)
    assert stem == stem.strip(" .")
    path.write_bytes(b"")
    assert path.is_file()
    path.unlink()


@settings(deadline=None)
@given(line=st.text(alphabet=st.sampled_from(list("./\\ -_.:像~")), max_size=40))
def test_library_path_dots_and_slashes(
    tmp_path_factory: pytest.TempPathFactory, line: str
) -> None:
    library = tmp_path_factory.getbasetemp() / "dots"
    library.mkdir(exist_ok=True)
    try:
        song = parse_name(line)
    except InvalidNameError:
        return
    path = library_path(library, song.line, "m4a")
    assert path.parent == library.resolve()
    assert path.name not in (".m4a", "..m4a")
