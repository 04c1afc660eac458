"""Turn a song line into a file name that every common filesystem accepts.

pathvalidate supplies the cross-platform lists of illegal characters and of
reserved device names (CON, COM1, CLOCK$, COM¹…). Its own truncation counts bytes
but adds no hash, so the length limit is applied here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from pathvalidate import FileNameValidator, sanitize_filename
from pathvalidate.handler import ReservedNameHandler

from bilimq.errors import BilimqError
from bilimq.songs.text import remove_invisible

MAX_NAME_BYTES = 255
"""Maximum file name length in UTF-8 bytes. ext4 allows 255 bytes, and APFS, NTFS
and exFAT allow 255 characters or UTF-16 units, which 255 bytes never exceed."""
TEMP_SUFFIX_BYTES = 10
"""Room kept free for a temporary suffix such as `.part` while a file is written."""
HASH_CHARS = 8
"""Hex digits of the line's SHA-1 appended to a shortened name."""

_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
# Windows checks the part before the first dot, so `con.m4a` and `Aux` are
# reserved too. ":" is in the list only because macOS reserves it as a whole name.
_RESERVED_NAMES = frozenset(
    name
    for name in FileNameValidator(platform="universal").reserved_keywords
    if name != ":"
)


class LibraryPathError(BilimqError):
    """A file name would resolve to a place outside the library folder."""


def safe_filename(line: str, ext: str) -> str:
    """Return the file name for a song line, with `ext` appended.

    Illegal characters (`\\ / : * ? " < > |`) become `_`. Control characters,
    zero-width characters and bidirectional controls (which can disguise an
    extension) are removed, and leading and trailing dots and spaces are
    stripped. A reserved device name gets a leading `_`. The result, extension
    included, fits in MAX_NAME_BYTES minus TEMP_SUFFIX_BYTES UTF-8 bytes. A
    longer stem is cut on a character boundary and ends with `~` and a short
    hash of the line, so two long lines with the same start still get different
    names.

    NOTE: lines that differ only in illegal characters (`AC/DC` and `AC_DC`) get
    the same name; the caller decides what to do with an existing file.
    """
    suffix = "." + _checked_extension(ext)
    stem = _safe_stem(line)
    budget = MAX_NAME_BYTES - TEMP_SUFFIX_BYTES - len(suffix)
    if len(stem.encode("utf-8")) > budget:
        stem = _shorten(stem, budget, line)
    return stem + suffix


def library_path(library: Path, line: str, ext: str) -> Path:
    """Return the path of a song's file directly inside the library folder.

    Raise LibraryPathError when the resolved path leaves the folder, which can
    only happen through a symbolic link already in the library.
    """
    root = library.resolve()
    name = safe_filename(line, ext)
    resolved = (root / name).resolve()
    if resolved.parent != root:
        raise LibraryPathError(
            f"file name {name!r} for {line!r} resolves to {str(resolved)!r}, "
            f"outside the library folder {str(root)!r}; remove the symbolic link "
            "or choose another library folder"
        )
    return root / name


def _checked_extension(ext: str) -> str:
    bare = ext.removeprefix(".")
    if not _EXTENSION.fullmatch(bare):
        raise ValueError(f"invalid file extension {ext!r}; expected 1-10 letters")
    return bare


def _safe_stem(line: str) -> str:
    text = "".join(
        char
        for char in remove_invisible(unicodedata.normalize("NFC", line))
        # Cc: control characters; Cs: lone surrogates, which cannot be encoded.
        if unicodedata.category(char) not in ("Cc", "Cs")
    )
    text = sanitize_filename(
        text,
        replacement_text="_",
        platform="universal",
        max_len=len(text.encode("utf-8")) + 1,
        # Reserved names are handled below, on the stem after stripping.
        reserved_name_handler=ReservedNameHandler.as_is,
    )
    stem = text.strip(" .")
    if not stem:
        return "_" + _line_hash(line)
    if stem.split(".", 1)[0].strip(" ").upper() in _RESERVED_NAMES:
        return "_" + stem
    return stem


def _shorten(stem: str, budget: int, line: str) -> str:
    tag = "~" + _line_hash(line)
    room = budget - len(tag)
    # Dropping the bytes of a half-cut character keeps the cut on a boundary.
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut.rstrip(" .") + tag


def _line_hash(line: str) -> str:
    data = line.encode("utf-8", errors="surrogatepass")
    return hashlib.sha1(data).hexdigest()[:HASH_CHARS]
