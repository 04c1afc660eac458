"""bilimq: song names in, matched and tagged audio files from Bilibili out."""

__version__ = "0.1.0"
