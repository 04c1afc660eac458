"""The search queries to try for a song, most specific first."""

from __future__ import annotations

from bilimq.match.script import to_simplified, to_traditional
from bilimq.songs.names import SongName
from bilimq.songs.text import fold_key


def search_queries(song: SongName) -> list[str]:
    """Return the queries to try in order, each only if the ones before fail.

    1. the full query: title, versions and first artist;
    2. the title and the first artist;
    3. the same in the other Chinese script, when that differs: simplified for a
       title typed in traditional or Japanese forms (`夢燈籠` finds uploads
       titled `梦灯笼`), otherwise traditional;
    4. the title alone.

    Queries that differ only in case, width or spacing are sent once.
    Romaji for kana titles is not generated: it needs a dictionary-based
    converter, and uploads of Japanese songs on Bilibili are titled in kana.
    """
    title = song.clean_title()
    artist = song.clean_artists()[:1]
    variant = _script_variant(title)
    candidates = [song.query(), _join(title, *artist)]
    if variant:
        candidates.append(_join(variant, *artist))
    candidates.append(title)
    queries: list[str] = []
    seen: set[str] = set()
    for query in candidates:
        key = fold_key(query)
        if query and key not in seen:
            seen.add(key)
            queries.append(query)
    return queries


def _script_variant(title: str) -> str | None:
    simplified = to_simplified(title)
    if simplified != title:
        return simplified
    traditional = to_traditional(title)
    return traditional if traditional != title else None


def _join(*parts: str) -> str:
    return " ".join(" ".join(parts).split())
