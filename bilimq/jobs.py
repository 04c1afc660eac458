"""Task handlers: resolve a song to a Bilibili upload, then download its audio.

Handlers receive a detached `TaskRecord` and record every state change in the
ledger through its own short transaction. They raise on failure; the daemon
classifies the error and decides between retry, review and failure.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
from loguru import logger

from bilimq import lookup
from bilimq.audio import Tags, fetch_song
from bilimq.audio.install import DURATION_SLACK
from bilimq.bilibili.client import BilibiliClient
from bilimq.bilibili.constants import REFERER, USER_AGENT
from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.config import Settings
from bilimq.database import Ledger, TaskRecord, TaskState
from bilimq.errors import BilimqError
from bilimq.matching import Candidate, within_tolerance
from bilimq.songs.durations import format_duration
from bilimq.songs.filenames import library_path
from bilimq.songs.names import SongName, stored_name

T = TypeVar("T")

TEMP_FOLDER_NAME = ".bilimq-tmp"
SEARCH_CACHE_TTL = 600.0
CACHE_FORMAT = "v1"
"""Part of every cache key; change it when SearchHit or VideoPart changes, so
runs of different versions sharing one Redis never read each other's values."""
_KEPT_CANDIDATES = 5


class NeedsReview(BilimqError):
    """The task needs a person to choose its upload (`bilimq review`)."""

    def review_data(self) -> dict[str, Any]:
        """Return the match data stored on the task for `bilimq review`."""
        raise NotImplementedError


class NoConfidentMatch(NeedsReview):
    """No search hit scored above the threshold; a person should choose."""

    def __init__(
        self,
        line: str,
        candidates: list[Candidate],
        excluded: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(f"no confident match for {line!r} ({_best_of(candidates)})")
        self.candidates = candidates
        self.excluded = excluded

    def review_data(self) -> dict[str, Any]:
        kept = self.candidates[:_KEPT_CANDIDATES]
        data: dict[str, Any] = {
            "chosen": None,
            "candidates": [c.to_dict() for c in kept],
        }
        if self.excluded:
            data["excluded"] = sorted(self.excluded)
        return data


class DurationMismatch(NeedsReview):
    """The downloaded audio is too far from the song's known length."""

    def __init__(
        self, line: str, measured: float, reference: float, match: dict[str, Any]
    ) -> None:
        measured_text = format_duration(measured)
        reference_text = format_duration(reference)
        super().__init__(
            f"the download for {line!r} lasts {measured_text} but the song lasts "
            f"{reference_text}; it was kept out of the library. Choose another "
            "upload with `bilimq pick`, pick this one to keep it, or retry to "
            "search without it"
        )
        self.measured = measured
        self.match = match

    def review_data(self) -> dict[str, Any]:
        chosen = self.match.get("chosen")
        others = [
            c
            for c in self.match.get("candidates", [])
            if c.get("bvid") != (chosen or {}).get("bvid")
        ]
        candidates = ([chosen] if chosen else []) + others
        excluded = set(self.match.get("excluded", ()))
        if chosen:
            excluded.add(chosen["bvid"])
        return {
            "chosen": None,
            "candidates": candidates[:_KEPT_CANDIDATES],
            "downloaded_duration": round(self.measured, 1),
            "excluded": sorted(excluded),
        }


def _best_of(candidates: list[Candidate]) -> str:
    if not candidates:
        return "no search results"
    best = candidates[0]
    if best.rejected:
        return f"every result rejected, e.g. {best.hit.bvid}: {best.rejected}"
    if best.ambiguous:
        return f"best {best.hit.bvid} scored {best.score:.0f} but is {best.ambiguous}"
    return f"best {best.hit.bvid} scored {best.score:.0f}"


class LeaseLost(BilimqError):
    """Another process took this task over; stop working on it."""


class Interrupted(BilimqError):
    """The run is stopping; abandon the current task without blame."""


class PublicStoreLike(Protocol):
    def set_public(self, key: str, value: Any, ttl: float | None = None) -> None: ...
    def get_public(self, key: str, default: Any = None) -> Any: ...


class ProgressSink(Protocol):
    """Receives per-task progress for the display."""

    def task_progress(self, task_id: int, done: int, total: int | None) -> None: ...
    def task_stage(self, task_id: int, stage: str) -> None: ...


@dataclass
class JobContext:
    """The settings, ledger and services a handler uses, shared by all workers."""

    settings: Settings
    ledger: Ledger
    owner: str
    store: PublicStoreLike
    progress: ProgressSink
    stopping: threading.Event
    cookiefile: Path | None = None
    _local: threading.local = field(default_factory=threading.local)

    @property
    def client(self) -> BilibiliClient:
        """Return this thread's Bilibili client (one per worker thread)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = make_client(self.settings)
            self._local.client = client
        return client

    def close_client(self) -> None:
        """Close this thread's client, if it made one."""
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()
            self._local.client = None

    @property
    def library(self) -> Path:
        return self.settings.paths.library_dir

    def output_path(self, record: TaskRecord) -> Path:
        """Return where the task's file goes: the user's line, made safe."""
        return library_path(self.library, record.line, self.settings.download.format)


def login_cookies(settings: Settings) -> dict[str, str]:
    """Return the login cookie from the settings, if one is set."""
    if not settings.bilibili.sessdata:
        return {}
    return {"SESSDATA": settings.bilibili.sessdata.reveal()}


def make_client(settings: Settings) -> BilibiliClient:
    """Build a Bilibili client from the settings, with the login cookie if set."""
    return BilibiliClient(
        settings.bilibili.api_base,
        cookies=login_cookies(settings),
        timeout=settings.bilibili.timeout,
    )


def song_of(record: TaskRecord) -> SongName:
    """Rebuild the song's name from the title, versions and artists stored with it.

    The stored fields win over a re-parse, so `add --raw-title/--artist`
    overrides reach the search and the tags.
    """
    return stored_name(
        record.line, record.title, record.versions, record.artists, record.name_order
    )


# -- resolve -----------------------------------------------------------------


def resolve_song(ctx: JobContext, record: TaskRecord) -> None:
    """Search Bilibili for the song, choose an upload, then download it."""
    _move(ctx, record, TaskState.RESOLVING)
    dest = ctx.output_path(record)
    if dest.exists() and not ctx.settings.download.overwrite:
        _finish_existing(ctx, record, dest)
        return
    song = song_of(record)
    excluded = excluded_uploads(record)
    chosen, candidates = find_upload(ctx, song, record.duration, excluded)
    match: dict[str, Any] = {
        "chosen": chosen.to_dict(),
        "candidates": [c.to_dict() for c in candidates[:_KEPT_CANDIDATES]],
    }
    if excluded:
        match["excluded"] = sorted(excluded)
    _move(
        ctx,
        record,
        TaskState.RESOLVING,
        bvid=chosen.hit.bvid,
        part=chosen.part.page if chosen.part else 1,
        score=chosen.score,
        match=match,
    )
    logger.info(
        "matched {} -> {} ({:.0f}: {})",
        record.line,
        chosen.hit.bvid,
        chosen.score,
        ", ".join(chosen.reasons),
    )
    resolved = ctx.ledger.get(record.id)
    download_song(ctx, resolved or record)


def excluded_uploads(record: TaskRecord) -> frozenset[str]:
    """Return the uploads whose download had the wrong length for this task.

    They survive `bilimq retry`, so a new search does not choose them again.
    """
    return frozenset((record.match or {}).get("excluded", ()))


def find_upload(
    ctx: JobContext,
    song: SongName,
    reference: float | None = None,
    excluded: frozenset[str] = frozenset(),
) -> tuple[Candidate, list[Candidate]]:
    """Return the best candidate over the search queries, or raise NoConfidentMatch."""
    result = lookup.find_upload(
        ContextSearcher(ctx),
        song,
        reference=reference,
        excluded=excluded,
        threshold=ctx.settings.match.threshold,
        tolerance=ctx.settings.match.duration_tolerance,
    )
    if result.chosen is None:
        raise NoConfidentMatch(song.line, result.candidates, excluded)
    return result.chosen, result.candidates


class ContextSearcher:
    """Bilibili requests through this thread's client, cached in the public store."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def search(self, query: str) -> list[SearchHit]:
        return cached_search(self.ctx, query)

    def search_all(self, query: str) -> list[SearchHit]:
        return _cached(
            self.ctx, f"search-all:{query}", lambda: self.ctx.client.search_all(query)
        )

    def parts(self, bvid: str) -> Sequence[VideoPart]:
        return _cached(
            self.ctx, f"parts:{bvid}", lambda: self.ctx.client.video_info(bvid).pages
        )


def _cached(ctx: JobContext, key: str, fetch: Callable[[], T]) -> T:
    """Return the cached value of `key`, or fetch it and cache it.

    The cache only saves requests, so a store that fails (Redis out of memory,
    a value pickled by another bilimq version) costs a request, never the song.
    """
    versioned = f"{CACHE_FORMAT}:{key}"
    try:
        cached = ctx.store.get_public(versioned)
    except Exception as exc:  # noqa: BLE001 - any store failure is a cache miss
        logger.warning("search cache read failed, searching again: {}", exc)
        cached = None
    if cached is not None:
        return cached
    value = fetch()
    try:
        ctx.store.set_public(versioned, value, ttl=SEARCH_CACHE_TTL)
    except Exception as exc:  # noqa: BLE001 - the value is still returned
        logger.warning("search cache write failed: {}", exc)
    return value


def cached_search(ctx: JobContext, query: str) -> list[SearchHit]:
    """Search, reusing a page fetched in the last few minutes."""
    return _cached(ctx, f"search:{query}", lambda: ctx.client.search_videos(query))


def _finish_existing(ctx: JobContext, record: TaskRecord, dest: Path) -> None:
    logger.info("{} is already in the library; nothing to download", dest.name)
    if not ctx.ledger.complete(record.id, ctx.owner, str(dest)):
        raise LeaseLost(f"task {record.id} was taken over by another process")


# -- download ----------------------------------------------------------------


def download_song(ctx: JobContext, record: TaskRecord) -> None:
    """Download the chosen upload's audio, convert, tag and save it."""
    if record.bvid is None:
        raise BilimqError(f"task {record.id} has no chosen upload to download")
    dest = ctx.output_path(record)
    if dest.exists() and not ctx.settings.download.overwrite:
        _finish_existing(ctx, record, dest)
        return
    _move(ctx, record, TaskState.DOWNLOADING)
    url = video_url(ctx.settings, record.bvid, record.part)
    final = fetch_song(
        url,
        workdir=ctx.library / TEMP_FOLDER_NAME,
        dest=dest,
        tags=tags_for(record, url),
        fmt=ctx.settings.download.format,
        bitrate=ctx.settings.download.bitrate,
        headers={"Referer": REFERER, "User-Agent": USER_AGENT},
        cookiefile=ctx.cookiefile,
        cookies=login_cookies(ctx.settings),
        on_progress=_progress_callback(ctx, record.id),
        on_stage=_stage_callback(ctx, record),
        overwrite=ctx.settings.download.overwrite,
        expected_duration=expected_duration(record),
        check_duration=_reference_check(ctx, record),
        socket_timeout=max(ctx.settings.bilibili.timeout, 5.0),
    )
    _remove_if_empty(ctx.library / TEMP_FOLDER_NAME)
    if not ctx.ledger.complete(record.id, ctx.owner, str(final)):
        raise LeaseLost(f"task {record.id} was taken over by another process")
    logger.info("saved {} ({})", final.name, record.bvid)


def _remove_if_empty(folder: Path) -> None:
    # Other workers may still be using it; then it is not empty and stays.
    with contextlib.suppress(OSError):
        folder.rmdir()


def _stage_callback(ctx: JobContext, record: TaskRecord) -> Callable[[str], None]:
    def report(stage: str) -> None:
        if stage == "converting":
            _move(ctx, record, TaskState.CONVERTING)
        else:
            ctx.progress.task_stage(record.id, stage)

    return report


def _reference_check(
    ctx: JobContext, record: TaskRecord
) -> Callable[[float], None] | None:
    """Return a check that keeps audio of the wrong length out of the library.

    An upload picked by hand is trusted: the person saw its length.
    """
    reference = record.duration
    match = record.match or {}
    if reference is None or match.get("picked"):
        return None
    tolerance = ctx.settings.match.duration_tolerance

    def check(measured: float) -> None:
        # The matcher judged the listed length, which Bilibili rounds to whole
        # seconds, so the file gets the same slack as the cut-off check.
        if not within_tolerance(measured, reference, tolerance + DURATION_SLACK):
            raise DurationMismatch(record.line, measured, reference, match)

    return check


def expected_duration(record: TaskRecord) -> float | None:
    """Return the chosen upload's (or part's) length, to catch a cut-off file."""
    chosen = (record.match or {}).get("chosen") or {}
    part = chosen.get("part") or {}
    seconds = part.get("duration") or chosen.get("duration")
    return float(seconds) if seconds else None


def video_url(settings: Settings, bvid: str, part: int | None) -> str:
    """Return the watch URL yt-dlp downloads from."""
    url = f"{settings.bilibili.video_base}{bvid}"
    return f"{url}?p={part}" if part and part > 1 else url


def tags_for(record: TaskRecord, url: str) -> Tags:
    """Build the tags from the user's line and the chosen upload."""
    chosen = (record.match or {}).get("chosen") or {}
    cover_url = chosen.get("pic") or ""
    song = song_of(record)
    versions = song.clean_versions()
    # Players show the title tag, so the version goes there too: 像鱼 (伴奏).
    title = " ".join([song.clean_title(), *(f"({v})" for v in versions)])
    return Tags(
        title=title,
        artists=song.clean_artists(),
        versions=versions,
        source_url=url,
        cover=fetch_cover(cover_url) if cover_url else None,
    )


def fetch_cover(url: str) -> bytes | None:
    """Download the cover image; a missing cover never fails the task."""
    try:
        response = httpx.get(
            url,
            headers={"Referer": REFERER, "User-Agent": USER_AGENT},
            timeout=10.0,
            follow_redirects=True,
        )
        response.raise_for_status()
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        logger.warning("cover not saved: {} ({})", url, type(exc).__name__)
        return None
    return response.content


def _progress_callback(
    ctx: JobContext, task_id: int
) -> Callable[[int, int | None], None]:
    def report(done: int, total: int | None) -> None:
        # Raising inside a yt-dlp progress hook aborts the download, which is
        # how Ctrl-C stops a transfer that is under way.
        if ctx.stopping.is_set():
            raise Interrupted("the run is stopping")
        ctx.progress.task_progress(task_id, done, total)

    return report


def _move(ctx: JobContext, record: TaskRecord, state: TaskState, **fields: Any) -> None:
    if not ctx.ledger.transition(record.id, ctx.owner, state, **fields):
        raise LeaseLost(f"task {record.id} was taken over by another process")
    if not fields:
        ctx.progress.task_stage(record.id, state.value)


HANDLERS: dict[str, Callable[[JobContext, TaskRecord], None]] = {
    "resolve_song": resolve_song,
    "download_audio": download_song,
}


def task_type(record: TaskRecord) -> str:
    """Return the handler a claimed record needs next."""
    return "download_audio" if record.bvid else "resolve_song"
