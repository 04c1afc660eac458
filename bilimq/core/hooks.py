"""Callbacks that a task queue calls when a task changes state."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("bilimq.core")

Hook = Callable[..., Any]

HOOK_NAMES: dict[str, str] = {
    "on_push": "fn(task) after a task was queued",
    "on_start": "fn(task) after a worker popped a task",
    "on_success": "fn(task) after ack()",
    "on_failure": "fn(task, error) after a failure that is not retried",
    "on_retry": "fn(task, error, delay) after a retry was scheduled",
    "on_expire": (
        "fn(task, reason) after a running task was taken back because its worker "
        "thread ended or its visibility timeout passed"
    ),
}
"""Hook names and the call that each receives."""


class HookRegistry:
    """Thread-safe lists of hooks by name. A failing hook is logged, not raised."""

    def __init__(self) -> None:
        """Create a registry with no hooks."""
        self._lock = threading.Lock()
        # Copy on write: add() and remove() replace a tuple, so readers use
        # the current tuple without taking the lock, which keeps the common
        # case of no hooks at all cheap on every push and pop.
        self.by_name: dict[str, tuple[Hook, ...]] = {name: () for name in HOOK_NAMES}
        """The hooks registered under each name. Read it, never change it."""

    def add(self, name: str, fn: Hook) -> None:
        """Register ``fn`` under ``name``, to run after the hooks added before it."""
        with self._lock:
            name = _checked_name(name)
            self.by_name[name] = (*self.by_name[name], fn)

    def remove(self, name: str, fn: Hook) -> bool:
        """Unregister one ``fn`` from ``name`` and return whether it was registered."""
        with self._lock:
            hooks = list(self.by_name[_checked_name(name)])
            if fn not in hooks:
                return False
            hooks.remove(fn)
            self.by_name[name] = tuple(hooks)
            return True

    def fire(self, name: str, *args: Any) -> None:
        """Call every hook registered under ``name`` with ``args``.

        An exception in a hook is logged on the ``bilimq.core`` logger with its
        traceback and does not stop the remaining hooks.
        """
        for fn in self.by_name[name]:
            try:
                fn(*args)
            except Exception:
                logger.exception("hook %s %r failed, the queue goes on", name, fn)


def _checked_name(name: str) -> str:
    if name not in HOOK_NAMES:
        known = ", ".join(HOOK_NAMES)
        raise ValueError(f"unknown hook name {name!r}: use one of {known}")
    return name
