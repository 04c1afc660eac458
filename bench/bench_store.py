"""Benchmark PublicStore against cachetools.TTLCache and against a full scan.

Run from the checkout: `.venv/bin/python bench/bench_store.py`. It needs
cachetools (`.venv/bin/pip install cachetools`), prints every figure and
rewrites the store section of docs/benchmarks.md.
"""

from __future__ import annotations

import threading
import time

from bench_queue_report import (
    Row,
    best_time,
    command_line,
    machine_lines,
    per_op,
    table,
    write_section,
)

from bilimq.core import MemoryStoreBackend, PublicStore

KEYS = 200_000
TTL = 600.0
CLEANUP_CALLS = 1_000


def make_keys() -> list[str]:
    return [f"search:{n}" for n in range(KEYS)]


# -- set + get ---------------------------------------------------------------------


def bilimq_set_get(keys: list[str]) -> None:
    store = PublicStore()
    for key in keys:
        store.set_public(key, key, ttl=TTL)
    for key in keys:
        store.get_public(key)


def ttlcache_set_get(keys: list[str]) -> None:
    from cachetools import TTLCache

    # TTLCache is not thread-safe, so sharing it between threads needs a lock,
    # as PublicStore has one inside.
    cache: TTLCache[str, str] = TTLCache(maxsize=KEYS, ttl=TTL)
    lock = threading.Lock()
    for key in keys:
        with lock:
            cache[key] = key
    for key in keys:
        with lock:
            cache.get(key)


# -- cleanup with nothing due -------------------------------------------------------


def filled_store() -> tuple[PublicStore, MemoryStoreBackend]:
    """Build a store of KEYS keys that expire in TTL seconds, so none is due."""
    backend = MemoryStoreBackend()
    store = PublicStore(backend=backend)
    for key in make_keys():
        store.set_public(key, key, ttl=TTL)
    return store, backend


def bilimq_cleanup(filled: tuple[PublicStore, MemoryStoreBackend]) -> None:
    store, _ = filled
    for _ in range(CLEANUP_CALLS):
        store.cleanup()


def full_scan_cleanup(filled: tuple[PublicStore, MemoryStoreBackend]) -> None:
    """Remove expired keys as a cleanup without a deadline heap must: by
    looking at every key."""
    _, backend = filled
    now = time.monotonic()
    with backend._lock:
        expired = [
            key
            for key, (_, deadline, _) in backend._data.items()
            if deadline is not None and deadline <= now
        ]
        for key in expired:
            del backend._data[key]


# -- report ------------------------------------------------------------------------


def main() -> None:
    lines = machine_lines(command_line())
    print("\n".join(lines))

    ours = best_time(bilimq_set_get, make_keys)
    reference = best_time(ttlcache_set_get, make_keys)
    ratio = reference / ours
    rows = [
        Row(
            name=f"set + get, {KEYS:,} keys with a TTL, 1 thread",
            bilimq=per_op(ours, KEYS, "key"),
            reference=(
                f"cachetools.TTLCache under a Lock: {per_op(reference, KEYS, 'key')}"
            ),
            ratio=ratio,
            ratio_text=f"{ratio:.2f}x",
            target=">= 1.5x",
            met=ratio >= 1.5,
        )
    ]

    cleanup = best_time(bilimq_cleanup, filled_store) / CLEANUP_CALLS
    scan = best_time(full_scan_cleanup, filled_store)
    share = cleanup / scan
    rows.append(
        Row(
            name=f"cleanup() with nothing due, {KEYS:,} keys",
            bilimq=f"{cleanup * 1e6:.2f} µs/call",
            reference=f"full scan of the same store: {scan * 1e3:.1f} ms",
            ratio=share,
            ratio_text=f"{share:.5%} of the scan",
            target="< 1% of the scan",
            met=share < 0.01,
        )
    )

    lines += ["", *table(rows), "", *NOTES]
    print("\n".join(table(rows)))
    write_section(
        "bench_store", ["## Public store (`bench/bench_store.py`)", "", *lines]
    )


NOTES = [
    "Notes:",
    "",
    "- Times are CPU seconds of the benchmark process (`time.process_time`),",
    "  best of 3 runs, each on a fresh store.",
    "- A figure per key covers one set and one get of that key.",
    f"- Every key gets a TTL of {TTL:.0f} s in both stores, because a TTLCache",
    "  has one TTL for all its keys.",
    f"- The cleanup row divides the time of {CLEANUP_CALLS:,} `cleanup()` calls",
    "  by their count. The scan walks every entry of the same store under its",
    "  lock and compares each deadline with the clock, as a cleanup without a",
    "  heap of deadlines must.",
]


if __name__ == "__main__":
    main()
