"""Every Bilibili-specific constant bilimq depends on, in one place.

Bilibili changes its web API without notice, so the hosts, paths, headers, the WBI
table and the error codes live here and nowhere else.
"""

from __future__ import annotations

DEFAULT_API_BASE = "https://api.bilibili.com"
DEFAULT_VIDEO_BASE = "https://www.bilibili.com/video/"

# Bilibili rejects tool names such as python or curl in the User-Agent, and playurl
# has rejected old Chrome versions, so this must stay a current desktop browser.
# Chrome 157 matches the newest version in yt-dlp 2026.11.23's browser UA range.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)
REFERER = "https://www.bilibili.com/"
ORIGIN = "https://www.bilibili.com"
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.8"

NAV_PATH = "/x/web-interface/nav"
FINGER_SPI_PATH = "/x/frontend/finger/spi"
SEARCH_TYPE_PATH = "/x/web-interface/wbi/search/type"
LEGACY_SEARCH_TYPE_PATH = "/x/web-interface/search/type"
SEARCH_ALL_PATH = "/x/web-interface/wbi/search/all/v2"
VIEW_PATH = "/x/web-interface/view"
PAGELIST_PATH = "/x/player/pagelist"

SEARCH_TYPE_VIDEO = "video"

# Permutation of 0..63 that turns img_key + sub_key into the WBI mixin key. It is the
# same table in yt-dlp, bilibili-api and the bilibili-API-collect docs.
WBI_MIXIN_TABLE: tuple[int, ...] = (
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35,
    27, 43, 5, 49, 33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13,
    37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4,
    22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
)  # fmt: skip
# Characters Bilibili strips from every value before signing.
WBI_STRIPPED_CHARACTERS = "!'()*"
# Keys rotate about daily, and browser apps cache them for 10 minutes.
WBI_KEY_TTL_SECONDS = 600.0

BUVID3_COOKIE = "buvid3"
BUVID4_COOKIE = "buvid4"
SESSDATA_COOKIE = "SESSDATA"
# A generated buvid3 is an uppercase UUID, 5 digits, then this suffix.
BUVID3_SUFFIX = "infoc"

CODE_OK = 0
CODE_NOT_LOGGED_IN = -101
CODE_NO_PERMISSION = -403
"""On WBI endpoints -403 usually means the signing keys are stale."""
RISK_CONTROL_CODES = frozenset({-412, -352})
"""-412 means the request was banned, -352 that a risk-control check failed."""
UNAVAILABLE_CODES = frozenset({-404, 62002, 62004, 62012})
"""Video not found, invisible, under review, or visible to the uploader only."""
RATE_LIMIT_CODES = frozenset({-509, -799, -503})
"""Over the request limit, requests too frequent, service overloaded."""
BAD_REQUEST_CODES = frozenset({-400, -1200})
"""Malformed request or unknown search_type: retrying the same request cannot help."""
HTTP_RISK_CONTROL_STATUS = 412
