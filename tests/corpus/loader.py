"""Read the labelled matching corpus and rebuild each case's search page.

Each `*.toml` file beside this module lists cases. A case is a song line as a
user types it, the first search page for it and the right upload. A hit is
written compactly as

    [bvid, kind, title, author, typeid, "M:SS", plays, "tag,tag", "flags"]

where `kind` labels what the upload really is ("ok" for the right version,
else "live", "cover", "inst", "other", ...) and the optional flags are
`charge` (supporter-only) and `union` (a collaboration).

The loader expands every hit into a full `search/type` result item: an
HTML-escaped title with `<em class="keyword">` highlights, an unpadded
duration, a protocol-relative cover, the zone name and the counts. The items
go inside the usual `{code, message, ttl, data}` envelope, through JSON, and
through `bilimq.bilibili.parsing`, the parser the client uses. Parts of
multi-part uploads go through the `pages[]` shape and parser of the view API.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilimq.bilibili.constants import SEARCH_TYPE_PATH
from bilimq.bilibili.models import SearchHit, VideoPart
from bilimq.bilibili.parsing import envelope_code, parse_part, parse_search_items
from bilimq.songs.names import SongName, parse_name
from tests.fakebili.catalog import Part, Upload
from tests.fakebili.payloads import envelope, pages_data, search_type_data

CORPUS_DIR = Path(__file__).resolve().parent
NO_UPLOAD = "none"
"""The `expect` value of a case whose page has no right upload."""

RIGHT_KIND = "ok"
"""The `kind` of a hit that is the requested song in the requested version."""
DIFFERENT_SONG_KIND = "other"
"""The `kind` of a hit that is another song, or no song at all."""

ARC_BASE = "http://www.bilibili.com"

ZONE_NAMES: Mapping[int, str] = {
    17: "单机游戏", 20: "宅舞", 21: "日常", 22: "鬼畜调教", 24: "MAD·AMV",
    25: "MMD·3D", 26: "音MAD", 28: "原创音乐", 29: "音乐现场", 30: "VOCALOID·UTAU",
    31: "翻唱", 59: "演奏", 65: "网络游戏", 71: "综艺", 76: "美食制作",
    130: "音乐综合", 138: "搞笑", 154: "舞蹈综合", 164: "健身", 172: "手机游戏",
    182: "影视杂谈", 183: "影视剪辑", 193: "MV", 201: "科学科普", 243: "乐评盘点",
    244: "音乐教学", 265: "AI音乐", 266: "音乐粉丝饭拍", 267: "电台",
}  # fmt: skip

_HIT_FIELDS = 8
_FLAGS = frozenset({"charge", "union"})


class CorpusError(ValueError):
    """A corpus file has a case that does not follow the format."""


@dataclass(frozen=True)
class CorpusCase:
    """One labelled song line with its parsed search page."""

    source: str
    """Where the case is written, e.g. `zh.toml#3` (1-based)."""
    line: str
    song: SongName
    language: str
    """zh, ja, ko or en: the case's `language`, else its file's stem."""
    classes: tuple[str, ...]
    """What the case tests, e.g. `inst-asked` or `duration-only`."""
    reference: float | None
    """The song's known length in seconds, when the case gives one."""
    expect: str | None
    """The right bvid, or None when no upload on the page is right."""
    also: frozenset[str]
    """Other acceptable bvids: the same recording uploaded again."""
    part: int | None
    """The page that must be chosen when the pick is a multi-part upload."""
    hits: tuple[SearchHit, ...]
    parts: Mapping[str, tuple[VideoPart, ...]]
    kinds: Mapping[str, str]
    """The `kind` label of every hit, by bvid."""
    payload: Mapping[str, Any]
    """The search/type envelope the hits were parsed from."""

    @property
    def acceptable(self) -> frozenset[str]:
        """Return every bvid that counts as a right pick."""
        if self.expect is None:
            return frozenset()
        return self.also | {self.expect}

    @property
    def case_id(self) -> str:
        """Return a short id for test reports: the source and the line."""
        return f"{self.source} {self.line}"


@functools.cache
def load_corpus(folder: Path = CORPUS_DIR) -> tuple[CorpusCase, ...]:
    """Load every case of every `*.toml` file in `folder`, in file order."""
    cases: list[CorpusCase] = []
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as handle:
            document = tomllib.load(handle)
        for number, raw in enumerate(document.get("case", ()), start=1):
            source = f"{path.name}#{number}"
            try:
                cases.append(_build_case(raw, source, path.stem))
            except (KeyError, TypeError, ValueError) as exc:
                raise CorpusError(f"{source}: {exc}") from exc
    return tuple(cases)


def seconds(text: str) -> int:
    """Return the seconds of an "M:SS" corpus duration."""
    minutes, _, rest = text.partition(":")
    if not minutes.isdigit() or not rest.isdigit():
        raise ValueError(f"invalid duration {text!r}: expected M:SS")
    return int(minutes) * 60 + int(rest)


def _build_case(raw: Mapping[str, Any], source: str, language: str) -> CorpusCase:
    line = str(raw["line"])
    song = parse_name(line)
    rows = [_HitRow.of(row) for row in raw["hits"]]
    raw_parts = raw.get("parts", {})
    uploads = [row.upload(raw_parts.get(row.bvid, ())) for row in rows]
    payload = _search_payload(uploads, rows, song.query())
    hits = _parse_page(payload)
    parts = {
        upload.bvid: tuple(parse_part(page) for page in pages_data(upload, ARC_BASE))
        for upload in uploads
        if upload.bvid in raw_parts
    }
    expect = str(raw["expect"])
    case = CorpusCase(
        source=source,
        line=line,
        song=song,
        language=str(raw.get("language", language)),
        classes=tuple(raw.get("classes", ())),
        reference=float(seconds(raw["reference"])) if "reference" in raw else None,
        expect=None if expect == NO_UPLOAD else expect,
        also=frozenset(raw.get("also", ())),
        part=raw.get("part"),
        hits=tuple(hits),
        parts=parts,
        kinds={row.bvid: row.kind for row in rows},
        payload=payload,
    )
    _check_case(case, raw_parts)
    return case


@dataclass(frozen=True)
class _HitRow:
    """One compact hit row of a corpus case."""

    bvid: str
    kind: str
    title: str
    author: str
    typeid: int
    duration: int
    play: int
    tags: tuple[str, ...]
    flags: frozenset[str]

    @classmethod
    def of(cls, row: Sequence[Any]) -> _HitRow:
        if len(row) not in (_HIT_FIELDS, _HIT_FIELDS + 1):
            raise ValueError(f"hit {row!r} should have 8 or 9 fields")
        flags = (
            frozenset(str(row[8]).split()) if len(row) > _HIT_FIELDS else frozenset()
        )
        if not flags <= _FLAGS:
            raise ValueError(f"unknown flags {sorted(flags - _FLAGS)} in hit {row[0]}")
        typeid = int(row[4])
        if typeid not in ZONE_NAMES:
            raise ValueError(f"hit {row[0]} has typeid {typeid} with no zone name")
        return cls(
            bvid=str(row[0]),
            kind=str(row[1]),
            title=str(row[2]),
            author=str(row[3]),
            typeid=typeid,
            duration=seconds(str(row[5])),
            play=int(row[6]),
            tags=tuple(tag for tag in str(row[7]).split(",") if tag),
            flags=flags,
        )

    def upload(self, raw_parts: Sequence[Sequence[str]]) -> Upload:
        """Build the fake server's upload record, so payloads share its shapes."""
        pieces = [(str(title), seconds(str(length))) for title, length in raw_parts]
        pieces = pieces or [(self.title, self.duration)]
        if sum(length for _, length in pieces) != self.duration:
            raise ValueError(f"hit {self.bvid}: parts do not add up to its duration")
        return Upload(
            bvid=self.bvid,
            aid=100_000_000 + _digest("aid", self.bvid) % 900_000_000_000,
            title=self.title,
            author=self.author,
            mid=1_000_000 + _digest("mid", self.author) % 3_000_000_000,
            typeid=self.typeid,
            parts=tuple(
                Part(title, length, 10**9 + _digest(f"cid{n}", self.bvid) % 10**10)
                for n, (title, length) in enumerate(pieces, start=1)
            ),
            play=self.play,
            pubdate=1_546_300_800 + _digest("date", self.bvid) % (6 * 365 * 86_400),
            tags=self.tags,
            description=f"{self.title}\n喜欢的话请三连支持一下~",
            is_charge="charge" in self.flags,
        )


def _digest(salt: str, text: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}:{text}".encode()).digest()[:8], "big")


def _search_payload(
    uploads: Sequence[Upload], rows: Sequence[_HitRow], keyword: str
) -> dict[str, Any]:
    page_size = max(20, len(uploads))
    data = search_type_data(list(uploads), keyword, 1, page_size, ARC_BASE)
    for item, row in zip(data["result"], rows, strict=True):
        # The fake server names only the zones it uses and serves covers itself;
        # the corpus needs every zone name and Bilibili's own cover URLs.
        item["typename"] = ZONE_NAMES[row.typeid]
        item["pic"] = f"//i0.hdslb.com/bfs/archive/{_cover_stem(row.bvid)}.jpg"
        item["is_union_video"] = 1 if "union" in row.flags else 0
    return envelope(0, data)


def _cover_stem(bvid: str) -> str:
    return hashlib.sha1(bvid.encode()).hexdigest()


def _parse_page(payload: Mapping[str, Any]) -> list[SearchHit]:
    wire = json.loads(json.dumps(payload, ensure_ascii=False))
    if envelope_code(wire) != 0:
        raise ValueError("the search envelope does not have code 0")
    return parse_search_items(wire["data"].get("result") or (), SEARCH_TYPE_PATH)


def _check_case(case: CorpusCase, raw_parts: Mapping[str, Any]) -> None:
    bvids = [hit.bvid for hit in case.hits]
    if len(set(bvids)) != len(bvids):
        raise ValueError("two hits share a bvid")
    if len(bvids) != len(case.kinds):
        raise ValueError("a hit was lost while parsing the page")
    right = {bvid for bvid, kind in case.kinds.items() if kind == RIGHT_KIND}
    if case.expect is None and (right or case.also):
        raise ValueError("expect is 'none' but some hits are labelled right")
    if case.expect is not None and case.acceptable != right:
        raise ValueError(
            f"expect and also {sorted(case.acceptable)} differ from the hits "
            f"labelled {RIGHT_KIND!r} {sorted(right)}"
        )
    unknown = set(raw_parts) - set(bvids)
    if unknown:
        raise ValueError(f"parts given for bvids not on the page: {sorted(unknown)}")
    if case.part is not None and not any(b in raw_parts for b in case.acceptable):
        raise ValueError("part is set but no acceptable hit has parts")
