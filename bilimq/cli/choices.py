"""Parse the upload a user names on the command line: `BV1…`, `BV1…:2` or a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass

import typer

# A BV id must be a whole word: `xBV1…` or `BV1…x` is a typo, not another video.
_BVID = re.compile(r"(?<![0-9A-Za-z])BV1[0-9A-Za-z]{9}(?![0-9A-Za-z])")
_PART = re.compile(r"(?:^|[?&])p=(\d+)")


@dataclass(frozen=True)
class UploadChoice:
    """An upload and part named on the command line."""

    bvid: str
    part: int | None


def parse_upload(text: str) -> UploadChoice:
    """Parse `BV1…`, `BV1…:2` or a video URL with `?p=2` into an upload choice."""
    value = text.strip()
    found = _BVID.search(value)
    if found is None:
        raise typer.BadParameter(
            f"{text!r} has no BV id; give one such as BV1xx411c7mD or "
            "BV1xx411c7mD:2 for part 2",
            param_hint="BVID[:PART]",
        )
    rest = value[found.end() :]
    part_text = rest[1:] if rest.startswith(":") else None
    query_part = _PART.search(rest)
    if part_text is None and query_part is not None:
        part_text = query_part.group(1)
    if part_text is None:
        return UploadChoice(found.group(0), None)
    if not part_text.isdigit() or int(part_text) < 1:
        raise typer.BadParameter(
            f"part {part_text!r} in {text!r} is not a part number; parts count "
            "from 1, as in BV1xx411c7mD:2",
            param_hint="BVID[:PART]",
        )
    return UploadChoice(found.group(0), int(part_text))
