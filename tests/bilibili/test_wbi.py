"""WBI signing against the published test vectors and the fake's own checker."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest

from bilimq.bilibili.wbi import encode_query, key_from_url, mixin_key, sign_query
from tests.fakebili.signing import TEST_KEYS, has_valid_signature

IMG_KEY = "7cd084941338484aae1ad9425b84077c"
SUB_KEY = "4932caff0ff746eab6f01bf08b70ac45"
MIXIN = "ea1db124af3c7062474693fa704f4ff8"


def test_mixin_key_vector() -> None:
    assert mixin_key(IMG_KEY, SUB_KEY) == MIXIN


def test_mixin_key_rejects_short_keys() -> None:
    with pytest.raises(ValueError, match="32 characters"):
        mixin_key(IMG_KEY[:-1], SUB_KEY)


def test_sign_query_vector() -> None:
    query = sign_query({"foo": 114, "bar": 514, "zab": 1919810}, MIXIN, 1702204169)
    expected = "bar=514&foo=114&wts=1702204169&zab=1919810"
    assert query == f"{expected}&w_rid=8f6f2b5b3d485fe1886cec6a0be8c5d4"


def test_encode_query_space_and_utf8() -> None:
    query = encode_query({"foo": "one one four", "bar": "五一四", "baz": 1919810})
    assert query == "bar=%E4%BA%94%E4%B8%80%E5%9B%9B&baz=1919810&foo=one%20one%20four"


def test_encode_query_strips_reserved() -> None:
    assert encode_query({"q": "a!b'c(d)e*f"}) == "q=abcdef"


def test_encode_query_escapes_delimiters() -> None:
    assert encode_query({"q": "/?&=+"}) == "q=%2F%3F%26%3D%2B"


def test_key_from_url() -> None:
    url = f"https://i0.hdslb.com/bfs/wbi/{IMG_KEY}.png"
    assert key_from_url(url) == IMG_KEY


def test_fake_accepts_client_signature() -> None:
    query = sign_query({"keyword": "像鱼 伴奏 (王贰浪)", "page": 1}, MIXIN, 1702204169)
    assert has_valid_signature(query, TEST_KEYS)


def test_fake_rejects_plus_signed() -> None:
    # urlencode's default quote_plus signs a space as "+", which Bilibili rejects.
    signed = urlencode({"keyword": "one one four", "wts": 1702204169})
    w_rid = hashlib.md5((signed + MIXIN).encode()).hexdigest()
    assert not has_valid_signature(f"{signed}&w_rid={w_rid}", TEST_KEYS)


def test_fake_accepts_plus_sent() -> None:
    # A "+" on the wire decodes to a space, so only the signed form matters.
    query = sign_query({"keyword": "one one four"}, MIXIN, 1702204169)
    assert has_valid_signature(query.replace("%20", "+"), TEST_KEYS)


def test_fake_rejects_missing_w_rid() -> None:
    assert not has_valid_signature("keyword=x&wts=1702204169", TEST_KEYS)
