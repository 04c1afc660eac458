"""WBI signature checking on the fake server's side.

Written apart from `bilimq.bilibili.wbi` on purpose: if both sides shared one
implementation, a bug in it would sign and verify the same wrong digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

# The published WBI test vectors; their mixin key is ea1db124af3c7062474693fa704f4ff8.
TEST_IMG_KEY = "7cd084941338484aae1ad9425b84077c"
TEST_SUB_KEY = "4932caff0ff746eab6f01bf08b70ac45"
# A second pair, served after FakeBilibili.rotate_keys().
ROTATED_IMG_KEY = "0b2f6c8a9e1d4f3a5c7e9b1d3f5a7c9e"
ROTATED_SUB_KEY = "f1e2d3c4b5a69788695a4b3c2d1e0f9a"

_ORDER = [
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49,
    33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40,
    61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11,
    36, 20, 34, 44, 52,
]  # fmt: skip


@dataclass(frozen=True)
class WbiKeys:
    """The key pair the nav route publishes and search signatures are checked with."""

    img_key: str
    sub_key: str

    @property
    def mixin(self) -> str:
        """The 32-character mixin key."""
        both = self.img_key + self.sub_key
        return "".join(both[i] for i in _ORDER[:32])

    def nav_urls(self) -> dict[str, str]:
        """The `wbi_img` object of the nav response."""
        base = "https://i0.hdslb.com/bfs/wbi/"
        return {
            "img_url": f"{base}{self.img_key}.png",
            "sub_url": f"{base}{self.sub_key}.png",
        }


TEST_KEYS = WbiKeys(TEST_IMG_KEY, TEST_SUB_KEY)
ROTATED_KEYS = WbiKeys(ROTATED_IMG_KEY, ROTATED_SUB_KEY)


def expected_w_rid(raw_query: str, keys: WbiKeys) -> str:
    """Recompute `w_rid` for a received query string the way the server does.

    The server decodes the query (a `+` becomes a space), then re-encodes it in the
    canonical form with `%20`, so a client that signed `+` gets a mismatch.
    """
    pairs = [
        (name, value)
        for name, value in parse_qsl(raw_query, keep_blank_values=True)
        if name != "w_rid"
    ]
    canonical = "&".join(
        quote(name, safe="") + "=" + quote(_strip(value), safe="")
        for name, value in sorted(pairs)
    )
    return hashlib.md5(
        (canonical + keys.mixin).encode("utf-8"), usedforsecurity=False
    ).hexdigest()


def has_valid_signature(raw_query: str, keys: WbiKeys) -> bool:
    """Return True when the query carries `wts` and the right `w_rid` for it.

    NOTE: the age of `wts` is not checked, because whether Bilibili rejects old
    timestamps is not documented.
    """
    params = dict(parse_qsl(raw_query, keep_blank_values=True))
    if "wts" not in params or "w_rid" not in params:
        return False
    return params["w_rid"] == expected_w_rid(raw_query, keys)


def _strip(value: str) -> str:
    return "".join(ch for ch in value if ch not in "!'()*")
