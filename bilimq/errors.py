"""Errors that bilimq raises on purpose.

BilimqError
 ├── ConfigError            a setting is invalid or missing
 ├── InvalidNameError       a song name cannot be parsed
 ├── BilibiliError          (bilimq.bilibili.errors) the API refused or failed
 └── AudioError             (bilimq.audio) download, conversion or tagging failed

The CLI turns every BilimqError into one line on stderr and exit code 1.
"""

from __future__ import annotations


class BilimqError(Exception):
    """Base class of every error bilimq raises on purpose."""


class ConfigError(BilimqError):
    """A setting in config.toml or the environment is invalid."""


class InvalidNameError(BilimqError, ValueError):
    """A song name cannot be parsed into a title and artists."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"invalid song name {value!r}: {reason}")
        self.value = value
        self.reason = reason
