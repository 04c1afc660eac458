"""Fold Chinese script variants, so `夢燈籠`, `夢灯籠` and `梦灯笼` compare equal.

OpenCC (the official binding of BYVoid/OpenCC) does the conversion: it is the
maintained reference converter, ships wheels with its dictionaries, and maps
characters and phrases rather than single code points. Two of its configs run
in turn: `jp2t` turns Japanese shinjitai into traditional forms (`桜` to `櫻`),
then `t2s` turns traditional into simplified (`櫻` to `樱`). Both sides of every
comparison go through the same steps, so a character OpenCC maps loosely
(`予` becomes `豫`) still compares equal to itself.

The converters load on first use, which keeps `import bilimq.matching` cheap.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencc import OpenCC

# CJK ideographs (unified, extension A, compatibility). Kana and Hangul have no
# script variants to fold.
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_ideographs(text: str) -> bool:
    """Return whether `text` contains a CJK ideograph."""
    return _IDEOGRAPH.search(text) is not None


@functools.lru_cache(maxsize=16384)
def to_simplified(text: str) -> str:
    """Return `text` with Japanese and traditional ideographs in simplified form."""
    if not has_ideographs(text):
        return text
    japanese, simplified = _converter("jp2t"), _converter("t2s")
    return simplified.convert(japanese.convert(text))


@functools.lru_cache(maxsize=1024)
def to_traditional(text: str) -> str:
    """Return `text` with simplified ideographs in traditional form."""
    if not has_ideographs(text):
        return text
    return _converter("s2t").convert(text)


@functools.cache
def _converter(config: str) -> OpenCC:
    from opencc import OpenCC

    return OpenCC(config)
