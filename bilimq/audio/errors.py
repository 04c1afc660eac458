"""Errors of the audio pipeline.

AudioError                   (bilimq.errors.BilimqError)
 ├── DownloadError           yt-dlp could not fetch the audio, transient or permanent
 ├── ConversionError         ffmpeg could not convert the audio
 ├── TagError                mutagen could not write or read the tags
 ├── VerifyError             a file is empty, unreadable or too short
 └── InstallError            the file could not be moved into the library
      └── DestinationExistsError   a different file already has the library name
"""

from __future__ import annotations

from bilimq.errors import BilimqError


class AudioError(BilimqError):
    """Base class of the download, conversion, tagging and install errors."""


class DownloadError(AudioError):
    """yt-dlp failed to fetch the audio of a URL."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        transient: bool,
        unreachable: bool = False,
        risk_control: bool = False,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.transient = transient
        """True when the same download may succeed later (network, 5xx, CDN 403)."""
        self.unreachable = unreachable
        """True when no connection to the host could be opened at all."""
        self.risk_control = risk_control
        """True when Bilibili's risk control blocked the request (HTTP 412, code -352
        or -401), so every worker should pause."""


class ConversionError(AudioError):
    """ffmpeg failed to convert a file, or is not installed."""


class TagError(AudioError):
    """mutagen failed to write or read the tags of a file."""


class VerifyError(AudioError):
    """A file is empty, cannot be probed, or is shorter than expected."""


class InstallError(AudioError):
    """A finished file could not be moved into the library folder."""


class DestinationExistsError(InstallError, FileExistsError):
    """The library already contains a different file under the requested name."""
