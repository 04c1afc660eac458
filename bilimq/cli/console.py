"""The two consoles: results on stdout, everything else on stderr."""

from __future__ import annotations

from rich.console import Console

# Progress bars, logs and errors share this console so log lines print above
# the bars instead of breaking them.
err_console = Console(stderr=True)
out_console = Console(highlight=False, soft_wrap=True)
