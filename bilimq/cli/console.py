"""The two consoles: results on stdout, everything else on stderr."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console

# Progress bars, logs and errors share this console so log lines print above
# the bars instead of breaking them.
err_console = Console(stderr=True)
out_console = Console(highlight=False, soft_wrap=True)


def stdout_is_utf8() -> bool:
    """Return whether stdout takes UTF-8, so JSON may print non-ASCII as is."""
    return _is_utf8(sys.stdout)


def _is_utf8(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower()
    return encoding.replace("-", "").replace("_", "") in ("utf8", "utf8sig")
