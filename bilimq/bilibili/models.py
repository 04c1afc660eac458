"""Plain records parsed from Bilibili API responses."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchHit:
    """One video from a search result page, in Bilibili's own order."""

    bvid: str
    aid: int
    title: str
    """Plain text: `<em>` highlight tags stripped and HTML entities unescaped."""
    author: str
    """Uploader nickname; not necessarily the artist."""
    mid: int
    duration: int
    """Length in seconds (the API sends an unpadded "M:S" string)."""
    play: int
    typeid: int
    typename: str
    tags: tuple[str, ...]
    pic: str
    """Absolute cover URL."""
    rank: int
    """0-based position on the result page."""
    is_charge: bool = False
    """Supporter-only upload: only a preview plays."""


@dataclass(frozen=True)
class VideoPart:
    """One part (分P) of an upload."""

    cid: int
    page: int
    """1-based part number, as in `?p=N`."""
    title: str
    duration: int


@dataclass(frozen=True)
class VideoInfo:
    """An upload's details from the view API."""

    bvid: str
    aid: int
    title: str
    duration: int
    """Total seconds across all parts."""
    owner: str
    pic: str
    pages: tuple[VideoPart, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NavInfo:
    """Login state and the WBI key pair from the nav API."""

    is_login: bool
    img_key: str
    sub_key: str
    uname: str = ""
