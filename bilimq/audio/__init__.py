"""Audio: download with yt-dlp, convert with ffmpeg, tag with mutagen, install.

`fetch_song` runs every step for one song; the steps are public on their own.
"""

from __future__ import annotations

from bilimq.audio.convert import FORMATS, convert_audio
from bilimq.audio.download import download_audio
from bilimq.audio.errors import (
    AudioError,
    ConversionError,
    DestinationExistsError,
    DownloadError,
    InstallError,
    TagError,
    VerifyError,
)
from bilimq.audio.install import install_file, verify_audio
from bilimq.audio.pipeline import Stage, fetch_song
from bilimq.audio.probe import AudioInfo, probe_audio, probe_codec, probe_duration
from bilimq.audio.tags import Tags, read_cover, read_tags, write_tags

__all__ = [
    "FORMATS",
    "AudioError",
    "AudioInfo",
    "ConversionError",
    "DestinationExistsError",
    "DownloadError",
    "InstallError",
    "Stage",
    "TagError",
    "Tags",
    "VerifyError",
    "convert_audio",
    "download_audio",
    "fetch_song",
    "install_file",
    "probe_audio",
    "probe_codec",
    "probe_duration",
    "read_cover",
    "read_tags",
    "verify_audio",
    "write_tags",
]
