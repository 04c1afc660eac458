"""Parse a song line such as `像鱼 (伴奏) - 王贰浪` into title, versions and artists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Order = Literal["title-artist", "artist-title"]


@dataclass(frozen=True)
class SongName:
    """A parsed song line."""

    line: str
    """The cleaned line as the user typed it; the saved file is named after it."""
    title: str
    """Title in the typed form (`_` kept)."""
    versions: tuple[str, ...]
    """Version groups from trailing brackets, e.g. ("伴奏",), in typed form."""
    artists: tuple[str, ...]
    """Artists in the typed form (`Au_Ra` kept)."""

    def query(self) -> str:
        """Return the search query: cleaned title, versions and first artist."""
        raise NotImplementedError


def parse_name(line: str, order: Order = "title-artist") -> SongName:
    """Parse one line; raise InvalidNameError when it cannot be parsed."""
    raise NotImplementedError
