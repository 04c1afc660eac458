"""The request handler of FakeBilibili: routing, checks, failures, byte serving."""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakebili import payloads
from tests.fakebili.catalog import Upload
from tests.fakebili.records import RecordedRequest
from tests.fakebili.signing import has_valid_signature

if TYPE_CHECKING:
    from tests.fakebili.server import FakeBilibili

# Substrings that mark a scripted client, which Bilibili rejects with HTTP 412.
_TOOL_USER_AGENTS = ("python", "httpx", "curl")
_SEARCH_TYPES = {"video", "media_bangumi", "media_ft", "live", "article", "bili_user"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_CHUNK = 64 * 1024
_LAST_MODIFIED = "Tue, 02 Jan 2024 08:00:00 GMT"


@dataclass(frozen=True)
class Request:
    """A parsed request as the routes see it."""

    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    cookies: dict[str, str]


@dataclass(frozen=True)
class Reply:
    """A complete response: status, body and extra headers."""

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


def json_reply(body: Any, status: int = 200, **headers: str) -> Reply:
    """Return a JSON response, with UTF-8 text unescaped as Bilibili sends it."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    extra = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Reply(status, text.encode(), "application/json; charset=utf-8", extra)


def html_reply(status: int, text: str) -> Reply:
    """Return an HTML response."""
    return Reply(status, text.encode(), "text/html; charset=utf-8")


def error_reply(code: int) -> Reply:
    """Return the JSON body for an error code, with the voucher header for -352."""
    body = payloads.error_body(code)
    if code == -352:
        return json_reply(body, x_bili_gaia_vvoucher=body["data"]["v_voucher"])
    return json_reply(body)


def is_bilibili_url(value: str) -> bool:
    """Return True when `value` is a URL on bilibili.com or a subdomain."""
    host = urlsplit(value).hostname or ""
    return host == "bilibili.com" or host.endswith(".bilibili.com")


def is_browser_user_agent(value: str) -> bool:
    """Return True unless the User-Agent is empty or names a scripting tool."""
    lowered = value.lower()
    return bool(lowered) and not any(tool in lowered for tool in _TOOL_USER_AGENTS)


def parse_cookies(header: str) -> dict[str, str]:
    """Parse a Cookie header leniently, as browsers and servers do."""
    cookies = {}
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name:
            cookies[name] = value
    return cookies


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Return the first byte range of a Range header, or None if unsatisfiable."""
    match = _RANGE.match(header.split(",")[0].strip())
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return None
    return start, end


def new_buvid3() -> str:
    """Return a buvid3 in Bilibili's shape: UUID, 5 digits, `infoc`."""
    return f"{str(uuid.uuid4()).upper()}{random.randrange(100_000):05d}infoc"


class FakeHandler(BaseHTTPRequestHandler):
    """Serve one connection of FakeBilibili."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle plus
    # delayed ACK adds about 40 ms to every response.
    disable_nagle_algorithm = True
    server_version = "Tengine"
    sys_version = ""
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30

    @property
    def fake(self) -> FakeBilibili:
        """The FakeBilibili that owns this server."""
        return self.server.fake  # type: ignore[attr-defined]  # set by FakeBilibili

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet; `FakeBilibili.requests` records every request."""

    def do_GET(self) -> None:
        """Handle a GET request."""
        self._handle(head=False)

    def do_HEAD(self) -> None:
        """Handle a HEAD request: the headers a GET would get, without the body."""
        self._handle(head=True)

    def _handle(self, head: bool) -> None:
        request = self._parse_request()
        self.fake.record(_recorded(request))
        failure = self.fake.take_injection(request.path)
        is_media = request.path.startswith(("/video/", "/cover/"))
        if failure in ("stall", "drop") and not is_media:
            self._abort(stall=failure == "stall")
            return
        if failure and failure not in ("stall", "drop", "ignore-range"):
            self._send(_injected_reply(failure), head)
            return
        if request.path.startswith("/video/"):
            self._serve_video(request, head, failure)
        elif request.path.startswith("/cover/"):
            self._serve_cover(request, head, failure)
        else:
            self._send(self._api_reply(request), head)

    def _parse_request(self) -> Request:
        split = urlsplit(self.path)
        headers = {name: value for name, value in self.headers.items()}
        return Request(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            raw_query=split.query,
            headers=headers,
            cookies=parse_cookies(self.headers.get("Cookie", "")),
        )

    def _api_reply(self, request: Request) -> Reply:
        if not request.path.startswith("/x/"):
            return html_reply(404, payloads.html_page(404, "page not found"))
        if not is_browser_user_agent(request.headers.get("User-Agent", "")):
            return html_reply(412, payloads.RISK_PAGE)
        route = _ROUTES.get(request.path)
        if route is None:
            return error_reply(-404)
        return route(self.fake, request)

    def _serve_video(self, request: Request, head: bool, failure: str | None) -> None:
        upload = _find_video(self.fake, request.path.removeprefix("/video/"))
        if upload is None:
            self._send(
                html_reply(404, payloads.html_page(404, "video not found")), head
            )
            return
        if not is_bilibili_url(request.headers.get("Referer", "")):
            reason = "a Referer under bilibili.com is required"
            self._send(html_reply(403, payloads.html_page(403, reason)), head)
            return
        page = request.query.get("p", "1")
        if not page.isdigit() or not 1 <= int(page) <= len(upload.parts):
            reason = f"{upload.bvid} has no part {page}"
            self._send(html_reply(404, payloads.html_page(404, reason)), head)
            return
        path = self.fake.audio_file(upload, int(page))
        self._send_file(path, "audio/mp4", request, head, failure)

    def _serve_cover(self, request: Request, head: bool, failure: str | None) -> None:
        name = request.path.removeprefix("/cover/").removesuffix(".jpg")
        upload = self.fake.catalog.upload(name)
        if upload is None:
            self._send(
                html_reply(404, payloads.html_page(404, "cover not found")), head
            )
            return
        path = self.fake.cover_file(upload)
        self._send_file(path, "image/jpeg", request, head, failure)

    def _send(self, reply: Reply, head: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self._write(reply.body)

    def _send_file(
        self,
        path: Path,
        content_type: str,
        request: Request,
        head: bool,
        failure: str | None,
    ) -> None:
        """Send a file, honouring Range unless the failure is "ignore-range"."""
        size = path.stat().st_size
        start, end = 0, size - 1
        range_header = request.headers.get("Range", "")
        partial = bool(range_header) and failure != "ignore-range"
        if partial:
            byte_range = parse_range(range_header, size)
            if byte_range is None:
                self._send_unsatisfiable(size, head)
                return
            start, end = byte_range
        self.send_response(206 if partial else 200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", _LAST_MODIFIED)
        self.send_header("ETag", f'"{path.stem}-{size}"')
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not head:
            self._stream(path, start, end - start + 1, failure)

    def _send_unsatisfiable(self, size: int, head: bool) -> None:
        body = payloads.html_page(416, "range not satisfiable")
        reply = html_reply(416, body)
        self.send_response(416)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Content-Range", f"bytes */{size}")
        self.end_headers()
        if not head:
            self._write(reply.body)

    def _stream(self, path: Path, start: int, length: int, failure: str | None) -> None:
        """Write `length` bytes from `start`; a stall or drop cuts it at half."""
        cut = length // 2 if failure in ("stall", "drop") else length
        with path.open("rb") as source:
            source.seek(start)
            remaining = cut
            while remaining > 0:
                chunk = source.read(min(_CHUNK, remaining))
                if not chunk or not self._write(chunk):
                    return
                remaining -= len(chunk)
        if cut < length:
            self._abort(stall=failure == "stall")

    def _write(self, data: bytes) -> bool:
        """Write to the client; return False when the client has gone away."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # yt-dlp's generic extractor reads only the headers and then hangs up.
            self.close_connection = True
            return False
        return True

    def _abort(self, stall: bool) -> None:
        """Close the connection without finishing the response, after a stall."""
        if stall:
            self.fake.stopping.wait(self.fake.stall_seconds)
        self.close_connection = True


def _recorded(request: Request) -> RecordedRequest:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "cookie"}
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query=request.query,
        raw_query=request.raw_query,
        headers=headers,
        cookie_names=tuple(request.cookies),
    )


def _injected_reply(failure: str) -> Reply:
    if failure == "http412":
        return html_reply(412, payloads.RISK_PAGE)
    if failure.startswith("http"):
        status = int(failure.removeprefix("http"))
        return html_reply(status, payloads.html_page(status, "injected failure"))
    if failure == "voucher-only":
        return json_reply(payloads.voucher_only_body())
    return error_reply(int(failure.removeprefix("code")))


def _find_video(fake: FakeBilibili, identifier: str) -> Upload | None:
    """Return the available video for a BV id or `av<aid>`, or None."""
    identifier = identifier.strip("/")
    if identifier.startswith("av") and identifier[2:].isdigit():
        upload = fake.catalog.upload_by_aid(int(identifier[2:]))
    else:
        upload = fake.catalog.upload(identifier)
    if upload is None or fake.unavailable_code(upload.bvid) is not None:
        return None
    return upload


def _nav(fake: FakeBilibili, request: Request) -> Reply:
    logged_in = bool(request.cookies.get("SESSDATA"))
    data = payloads.nav_data(fake.keys, logged_in=logged_in, vip=fake.vip)
    return json_reply(payloads.envelope(0 if logged_in else -101, data))


def _finger_spi(fake: FakeBilibili, request: Request) -> Reply:
    buvid4 = f"{str(uuid.uuid4()).upper()}-{random.randrange(10**12):012d}-x"
    data = {"b_3": new_buvid3(), "b_4": buvid4}
    return json_reply({"code": 0, "data": data, "message": "ok"})


def _search_rejection(
    fake: FakeBilibili, request: Request, signed: bool
) -> Reply | None:
    """Return the reply for a search the real server would refuse, or None."""
    has_buvid3 = bool(request.cookies.get("buvid3"))
    if not has_buvid3 or not is_bilibili_url(request.headers.get("Referer", "")):
        return error_reply(-412)
    if signed and not has_valid_signature(request.raw_query, fake.keys):
        return json_reply(payloads.voucher_only_body())
    if fake.count_search():
        return error_reply(-352)
    if not request.query.get("keyword", "").strip():
        return error_reply(-400)
    return None


def _positive_int(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return int(value) if value.isdigit() and int(value) > 0 else None


def _search_type(fake: FakeBilibili, request: Request, signed: bool) -> Reply:
    rejection = _search_rejection(fake, request, signed)
    if rejection is not None:
        return rejection
    search_type = request.query.get("search_type", "")
    if search_type not in _SEARCH_TYPES:
        return error_reply(-1200)
    page = _positive_int(request.query.get("page"), 1)
    page_size = _positive_int(request.query.get("page_size"), fake.page_size)
    if page is None or page_size is None:
        return error_reply(-400)
    keyword = request.query["keyword"]
    song = fake.catalog.find_song(keyword) if search_type == "video" else None
    uploads = list(song.uploads) if song else []
    base = fake.api_base
    data = payloads.search_type_data(uploads, keyword, page, page_size, base)
    return json_reply(payloads.envelope(0, data))


def _search_all(fake: FakeBilibili, request: Request, signed: bool) -> Reply:
    rejection = _search_rejection(fake, request, signed)
    if rejection is not None:
        return rejection
    keyword = request.query["keyword"]
    song = fake.catalog.find_song(keyword)
    uploads = list(song.uploads) if song else []
    data = payloads.search_all_data(uploads, keyword, fake.api_base)
    return json_reply(payloads.envelope(0, data))


def _lookup(fake: FakeBilibili, request: Request) -> Upload | Reply:
    """Return the upload a view or pagelist request names, or the error reply."""
    bvid = request.query.get("bvid", "")
    aid = request.query.get("aid", "")
    if not bvid and not aid.isdigit():
        return error_reply(-400)
    if bvid:
        upload = fake.catalog.upload(bvid)
    else:
        upload = fake.catalog.upload_by_aid(int(aid))
    if upload is None:
        return error_reply(-404)
    code = fake.unavailable_code(upload.bvid)
    return upload if code is None else error_reply(code)


def _view(fake: FakeBilibili, request: Request, signed: bool) -> Reply:
    if signed and not has_valid_signature(request.raw_query, fake.keys):
        return json_reply(payloads.voucher_only_body())
    found = _lookup(fake, request)
    if isinstance(found, Reply):
        return found
    return json_reply(payloads.envelope(0, payloads.view_data(found, fake.api_base)))


def _pagelist(fake: FakeBilibili, request: Request) -> Reply:
    found = _lookup(fake, request)
    if isinstance(found, Reply):
        return found
    return json_reply(payloads.envelope(0, payloads.pages_data(found, fake.api_base)))


Route = Callable[["FakeBilibili", Request], Reply]

# NOTE: there is no /x/player/wbi/playurl route. Audio is served at /video/<bvid>
# for yt-dlp's generic extractor, so yt-dlp's Bilibili extractor (DASH audio,
# CDN mirrors, URL expiry) is not exercised offline.

_ROUTES: dict[str, Route] = {
    "/x/web-interface/nav": _nav,
    "/x/frontend/finger/spi": _finger_spi,
    "/x/web-interface/wbi/search/type": lambda f, r: _search_type(f, r, True),
    "/x/web-interface/search/type": lambda f, r: _search_type(f, r, False),
    "/x/web-interface/wbi/search/all/v2": lambda f, r: _search_all(f, r, True),
    "/x/web-interface/search/all/v2": lambda f, r: _search_all(f, r, False),
    "/x/web-interface/view": lambda f, r: _view(f, r, False),
    "/x/web-interface/wbi/view": lambda f, r: _view(f, r, True),
    "/x/player/pagelist": _pagelist,
}
