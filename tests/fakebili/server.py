"""FakeBilibili: a local HTTP server that responds like Bilibili's API and CDN."""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from tests.fakebili.catalog import CHARGE_PREVIEW_SECONDS, Catalog, Upload
from tests.fakebili.handler import FakeHandler
from tests.fakebili.media import MediaStore
from tests.fakebili.records import RecordedRequest
from tests.fakebili.signing import ROTATED_KEYS, TEST_KEYS, WbiKeys


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that stays quiet when a client hangs up early."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeBilibili) -> None:
        super().__init__(address, FakeHandler)
        self.fake = fake

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore connection resets, which clients cause on purpose; report others."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


_KIND = re.compile(
    r"http(?P<status>\d{3})|code(?P<code>-?\d+)|voucher-only|stall|drop|ignore-range"
)


@dataclass
class _Injection:
    path_prefix: str
    kind: str
    remaining: int


@dataclass
class _State:
    """Mutable server state shared by the handler threads, guarded by `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[RecordedRequest] = field(default_factory=list)
    injections: list[_Injection] = field(default_factory=list)
    risk_after: int | None = None
    searches_since_risk_set: int = 0
    keys: WbiKeys = TEST_KEYS
    unavailable: dict[str, int] = field(default_factory=dict)
    audio_seconds: dict[str, int] = field(default_factory=dict)


class FakeBilibili:
    """A faithful local stand-in for api.bilibili.com and the video pages.

    It listens on 127.0.0.1 and checks what the real search checks. A User-Agent
    naming python, httpx or curl gets HTTP 412 with an HTML page. A search without
    a `buvid3` cookie or a bilibili.com Referer gets code -412. On `wbi/` paths, a
    missing or wrong `w_rid` gets a code 0 body with only a v_voucher.
    `/video/<bvid>` serves the upload's audio directly, with Range support, so
    yt-dlp's generic extractor can download it. Use it as a context manager, or
    call start() and close().

    Args:
        port: TCP port on 127.0.0.1; 0 picks a free one.
        vip: whether a logged-in session (any `SESSDATA` cookie) is premium.
        page_size: results per search page when the request sends no page_size.
        stall_seconds: how long a "stall" injection keeps the connection open.
        media_dir: cache folder for generated audio; default one per process.
        catalog: the songs and uploads to serve.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        vip: bool = False,
        page_size: int = 20,
        stall_seconds: float = 30.0,
        media_dir: Path | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.vip = vip
        self.page_size = page_size
        self.stall_seconds = stall_seconds
        self.catalog = catalog or Catalog()
        self.media = MediaStore(media_dir)
        self.stopping = threading.Event()
        self._state = _State()
        self._httpd = _Server(("127.0.0.1", port), self)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return self._httpd.server_address[1]

    @property
    def api_base(self) -> str:
        """Base URL to pass as the client's api_base."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def video_base(self) -> str:
        """Base URL of the video pages; append a BV id (and `?p=N`)."""
        return f"{self.api_base}/video/"

    def start(self) -> FakeBilibili:
        """Start serving in a background thread and return self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fakebili-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._httpd.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        """Stop serving, release stalled requests and close the socket."""
        self.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeBilibili:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Test controls.

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, in order."""
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        """Return the recorded requests whose path starts with `path_prefix`."""
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def fail_next(self, path_prefix: str, kind: str, count: int = 1) -> None:
        """Make the next `count` requests under `path_prefix` fail as `kind`.

        Kinds: "http412" (the HTML risk-control page), "http<status>" (a small HTML
        page with that status), "code<N>" (JSON code N, so "code-412", "code-352"
        with a v_voucher, "code-404", "code62002"), "voucher-only" (code 0 with
        only a v_voucher), "stall" (hold the connection for stall_seconds, then
        close it), "drop" (close without a response), "ignore-range" (answer a
        Range request with 200 and the whole body). On `/video/` and `/cover/`,
        "stall" and "drop" happen after half of the body has been sent.
        """
        if not _KIND.fullmatch(kind):
            raise ValueError(f"unknown failure kind {kind!r}; see fail_next's doc")
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        with self._state.lock:
            self._state.injections.append(_Injection(path_prefix, kind, count))

    def risk_after(self, searches: int | None) -> None:
        """Reject every search after the next `searches` ones with code -352.

        None switches the limit off.
        """
        with self._state.lock:
            self._state.risk_after = searches
            self._state.searches_since_risk_set = 0

    def rotate_keys(self) -> None:
        """Publish a new WBI key pair; signatures made with the old pair now fail."""
        with self._state.lock:
            self._state.keys = ROTATED_KEYS

    def remove_video(self, bvid: str, code: int = -404) -> None:
        """Make view, pagelist and the video page report `bvid` as unavailable.

        Use -404 (deleted), 62002 (invisible), 62004 (under review) or 62012
        (private).
        """
        with self._state.lock:
            self._state.unavailable[bvid] = code

    def restore_video(self, bvid: str) -> None:
        """Serve `bvid` again after `remove_video`."""
        with self._state.lock:
            self._state.unavailable.pop(bvid, None)

    def replace_audio(self, bvid: str, seconds: int) -> None:
        """Serve audio of `seconds` for every part of `bvid`, whatever its listing.

        This is an upload whose file was replaced after the search index saw it,
        so the listed length is wrong.
        """
        with self._state.lock:
            self._state.audio_seconds[bvid] = seconds

    # Used by the request handler.

    @property
    def keys(self) -> WbiKeys:
        """The WBI key pair currently published by nav."""
        with self._state.lock:
            return self._state.keys

    def record(self, request: RecordedRequest) -> None:
        """Append a request to the log."""
        with self._state.lock:
            self._state.requests.append(request)

    def take_injection(self, path: str) -> str | None:
        """Consume and return the first pending failure for `path`, if any."""
        with self._state.lock:
            for injection in self._state.injections:
                if path.startswith(injection.path_prefix):
                    injection.remaining -= 1
                    if injection.remaining == 0:
                        self._state.injections.remove(injection)
                    return injection.kind
        return None

    def count_search(self) -> bool:
        """Count one search and return True when risk control should block it."""
        with self._state.lock:
            self._state.searches_since_risk_set += 1
            limit = self._state.risk_after
            return limit is not None and self._state.searches_since_risk_set > limit

    def unavailable_code(self, bvid: str) -> int | None:
        """Return the error code set by remove_video() for `bvid`, if any."""
        with self._state.lock:
            return self._state.unavailable.get(bvid)

    def audio_file(self, upload: Upload, page: int) -> Path:
        """Return the audio of one part, generating it on first use.

        Supporter-only uploads serve only a short preview, as on Bilibili.
        """
        part = upload.parts[page - 1]
        seconds = CHARGE_PREVIEW_SECONDS if upload.is_charge else part.duration
        with self._state.lock:
            seconds = self._state.audio_seconds.get(upload.bvid, seconds)
        frequency = 220 + part.cid % 660
        return self.media.audio(f"{upload.bvid}-p{page}", frequency, seconds)

    def cover_file(self, upload: Upload) -> Path:
        """Return the cover JPEG of an upload, generating it on first use."""
        colour = f"0x{upload.aid % 0xFFFFFF:06X}"
        return self.media.cover(upload.bvid, colour)
