"""Audio and cover files the fake server serves, generated lazily with ffmpeg.

Each file is made on first request and cached, so a test run pays only for the
uploads it downloads. AAC at 32 kbit/s mono keeps a 4-minute song near 1 MB.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

_TONE_SECONDS = 10
_FASTSTART = ["-movflags", "+faststart"]

_process_dir: Path | None = None
_process_dir_lock = threading.Lock()
_file_locks: dict[Path, threading.Lock] = {}
_file_locks_lock = threading.Lock()


def process_media_dir() -> Path:
    """Return this process's shared cache folder, creating it on first use.

    The folder is removed when the process exits.
    """
    global _process_dir
    with _process_dir_lock:
        if _process_dir is None:
            _process_dir = Path(tempfile.mkdtemp(prefix="fakebili-media-"))
            atexit.register(shutil.rmtree, _process_dir, ignore_errors=True)
        return _process_dir


class MediaStore:
    """Generated audio and cover files in one folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or process_media_dir()
        self.folder.mkdir(parents=True, exist_ok=True)

    def audio(self, name: str, frequency: int, seconds: int) -> Path:
        """Return an M4A file of a sine tone lasting `seconds`.

        Only a short tone is encoded; it is then repeated by stream copy. Encoding
        a whole 4-minute song with ffmpeg's AAC encoder took about 8 s on a busy
        2-core machine, the copy takes well under one.
        """
        tone = self._tone(frequency, min(seconds, _TONE_SECONDS))
        if seconds <= _TONE_SECONDS:
            return tone
        target = self.folder / f"{name}-{frequency}hz-{seconds}s.m4a"
        loop = ["-stream_loop", "-1", "-i", str(tone), "-t", str(seconds)]
        return self._generate(target, [*loop, "-c", "copy", *_FASTSTART])

    def _tone(self, frequency: int, seconds: int) -> Path:
        target = self.folder / f"tone-{frequency}hz-{seconds}s.m4a"
        source = f"sine=frequency={frequency}:duration={seconds}"
        encode = ["-c:a", "aac", "-b:a", "32k", "-ac", "1", *_FASTSTART]
        return self._generate(target, ["-f", "lavfi", "-i", source, *encode])

    def cover(self, name: str, colour: str) -> Path:
        """Return a 320x180 JPEG filled with `colour` (ffmpeg syntax, `0xRRGGBB`)."""
        target = self.folder / f"{name}-{colour}.jpg"
        source = f"color=c={colour}:s=320x180:d=1"
        image = ["-frames:v", "1", "-update", "1"]
        return self._generate(target, ["-f", "lavfi", "-i", source, *image])

    def _generate(self, target: Path, arguments: list[str]) -> Path:
        with _lock_for(target):
            if target.exists():
                return target
            partial = target.with_name(f".{target.stem}.partial{target.suffix}")
            command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin"]
            command += ["-y", *arguments, str(partial)]
            subprocess.run(command, check=True, capture_output=True, timeout=300)
            # Rename only complete files, so a crash never leaves a short one.
            os.replace(partial, target)
            return target


def _lock_for(path: Path) -> threading.Lock:
    with _file_locks_lock:
        return _file_locks.setdefault(path, threading.Lock())
