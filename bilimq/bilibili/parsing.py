"""Turn Bilibili JSON payloads into the records of `bilimq.bilibili.models`."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from loguru import logger

from bilimq.bilibili.models import NavInfo, SearchHit, VideoInfo, VideoPart
from bilimq.bilibili.wbi import key_from_url

_TAG = re.compile(r"<[^>]*>")


def envelope_code(envelope: Mapping[str, Any]) -> int:
    """Return the envelope's `code`, or -1 when it is missing or not a number."""
    return _to_int(envelope.get("code"), default=-1)


def is_voucher_only(data: Any) -> bool:
    """Return True when `data` contains nothing but a risk-control `v_voucher`."""
    return isinstance(data, Mapping) and set(data) == {"v_voucher"}


def clean_title(markup: str) -> str:
    """Return the plain text of a search title: tags stripped, entities unescaped.

    Tags are stripped first, so an escaped `&lt;` in the title stays a literal `<`.
    """
    return html.unescape(_TAG.sub("", markup)).strip()


def parse_duration(value: str | int) -> int:
    """Return seconds from a search duration such as `"4:2"`, `"58:6"` or `"1:2:3"`.

    Search sends unpadded minutes:seconds, with minutes above 59 for long videos.
    Three fields are read as hours:minutes:seconds. Raise ValueError otherwise.
    """
    if isinstance(value, int):
        return value
    fields = value.strip().split(":")
    if not 1 <= len(fields) <= 3 or not all(field.isdigit() for field in fields):
        raise ValueError(f"invalid duration {value!r}: expected M:S or H:M:S")
    seconds = 0
    for field in fields:
        seconds = seconds * 60 + int(field)
    return seconds


def absolute_url(url: str) -> str:
    """Return `url` with `https:` added when it is protocol-relative (`//host/...`)."""
    if url.startswith("//"):
        return "https:" + url
    return url


def _to_int(value: Any, default: int = 0) -> int:
    """Return `value` as an int; counts are strings in some payloads, or `"--"`."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _split_tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())


def parse_search_item(item: Mapping[str, Any], rank: int) -> SearchHit:
    """Build a SearchHit from one `type == "video"` item of a search result.

    Raise KeyError or ValueError when a required field is missing or invalid.
    """
    return SearchHit(
        bvid=str(item["bvid"]),
        aid=_to_int(item.get("aid", item.get("id"))),
        title=clean_title(str(item["title"])),
        author=str(item.get("author", "")),
        mid=_to_int(item.get("mid")),
        duration=parse_duration(item["duration"]),
        play=_to_int(item.get("play")),
        typeid=_to_int(item.get("typeid")),
        typename=str(item.get("typename", "")),
        tags=_split_tags(item.get("tag")),
        pic=absolute_url(str(item.get("pic", ""))),
        rank=rank,
        is_charge=bool(item.get("is_charge_video")),
    )


def parse_search_items(items: Iterable[Any], endpoint: str) -> list[SearchHit]:
    """Parse the video items of a result list, in order, skipping other kinds.

    A malformed item is logged and skipped, so one odd entry cannot hide the rest.
    """
    hits: list[SearchHit] = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("type") != "video":
            continue
        try:
            hits.append(parse_search_item(item, rank=len(hits)))
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "skipped a malformed search item from {}: {!r}", endpoint, exc
            )
    return hits


def parse_nav(data: Mapping[str, Any]) -> NavInfo:
    """Build a NavInfo from the `data` of `/x/web-interface/nav`.

    Raise KeyError when `wbi_img` is missing.
    """
    wbi_img = data["wbi_img"]
    return NavInfo(
        is_login=bool(data.get("isLogin")),
        img_key=key_from_url(str(wbi_img["img_url"])),
        sub_key=key_from_url(str(wbi_img["sub_url"])),
        uname=str(data.get("uname", "")),
    )


def parse_part(page: Mapping[str, Any]) -> VideoPart:
    """Build a VideoPart from one `pages[]` item of the view or pagelist API."""
    return VideoPart(
        cid=_to_int(page["cid"]),
        page=_to_int(page["page"]),
        title=str(page.get("part", "")),
        duration=_to_int(page.get("duration")),
    )


def parse_view(data: Mapping[str, Any]) -> VideoInfo:
    """Build a VideoInfo from the `data` of `/x/web-interface/view`.

    Raise KeyError or TypeError when a required field is missing.
    """
    owner = data.get("owner") or {}
    return VideoInfo(
        bvid=str(data["bvid"]),
        aid=_to_int(data.get("aid")),
        title=str(data["title"]),
        duration=_to_int(data.get("duration")),
        owner=str(owner.get("name", "")),
        pic=absolute_url(str(data.get("pic", ""))),
        pages=tuple(parse_part(page) for page in data.get("pages") or ()),
    )
