"""The Python examples in docs/queue.md run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import RedisKeys

DOC = Path(__file__).resolve().parents[2] / "docs" / "queue.md"
DOC_REDIS_URL = "redis://127.0.0.1:6379/0"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_docs_memory_example() -> None:
    blocks = [block for block in _python_blocks() if '"redis"' not in block]
    assert len(blocks) == 1
    exec(compile(blocks[0], str(DOC), "exec"), {"__name__": "docs_example"})


def test_docs_redis_example(redis_keys: RedisKeys) -> None:
    blocks = [block for block in _python_blocks() if '"redis"' in block]
    assert len(blocks) == 1
    # Run it on the test server, under this test's own key prefix.
    code = blocks[0].replace(DOC_REDIS_URL, redis_keys.url)
    code = code.replace('prefix="demo"', f"prefix={redis_keys.new_prefix()!r}")
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})
