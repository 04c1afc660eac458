"""WBI request signing: the `w_rid` and `wts` parameters of Bilibili's `wbi/` APIs.

The signature is the MD5 of the sorted, percent-encoded query plus a mixin key derived
from the two keys that `/x/web-interface/nav` publishes. Spaces must be encoded as
`%20`: a `+` makes the server compute a different digest, so multi-word song queries
would fail while single words pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from bilimq.bilibili.constants import WBI_MIXIN_TABLE, WBI_STRIPPED_CHARACTERS

_STRIP_TABLE = str.maketrans("", "", WBI_STRIPPED_CHARACTERS)


def key_from_url(url: str) -> str:
    """Return the WBI key in a `wbi_img` URL: the file name without its extension.

    The URL is never fetched; only its file stem matters.
    """
    return PurePosixPath(urlsplit(url).path).stem


def mixin_key(img_key: str, sub_key: str) -> str:
    """Permute `img_key + sub_key` with the WBI table and keep 32 characters."""
    raw = img_key + sub_key
    if len(raw) != len(WBI_MIXIN_TABLE):
        raise ValueError(
            f"WBI keys must be 32 characters each, got {len(img_key)} and "
            f"{len(sub_key)}"
        )
    return "".join(raw[index] for index in WBI_MIXIN_TABLE)[:32]


def encode_query(params: Mapping[str, object]) -> str:
    """Encode parameters the way WBI signs them.

    Keys are sorted, `!'()*` are removed from every value, and values are
    percent-encoded as UTF-8 with uppercase escapes and `%20` for a space.
    """
    pairs = []
    for key in sorted(params):
        value = str(params[key]).translate(_STRIP_TABLE)
        pairs.append(f"{quote(key, safe='')}={quote(value, safe='')}")
    return "&".join(pairs)


def sign_query(params: Mapping[str, object], mixin: str, wts: int) -> str:
    """Return the query string to send: the signed parameters plus `w_rid`.

    `wts` (Unix seconds) is added before signing. Send the returned string as is,
    because the server recomputes the digest over exactly this encoding.
    """
    query = encode_query({**params, "wts": wts})
    w_rid = hashlib.md5(
        (query + mixin).encode("utf-8"), usedforsecurity=False
    ).hexdigest()
    return f"{query}&w_rid={w_rid}"
