"""Bilibili web API client: search, video info, login state, WBI signing."""

from __future__ import annotations

from bilimq.bilibili.client import BilibiliClient
from bilimq.bilibili.errors import (
    ApiError,
    BilibiliError,
    NetworkError,
    RateLimitedError,
    ResponseError,
    RiskControlError,
    VideoUnavailableError,
)
from bilimq.bilibili.models import NavInfo, SearchHit, VideoInfo, VideoPart

__all__ = [
    "ApiError",
    "BilibiliClient",
    "BilibiliError",
    "NavInfo",
    "NetworkError",
    "RateLimitedError",
    "ResponseError",
    "RiskControlError",
    "SearchHit",
    "VideoInfo",
    "VideoPart",
    "VideoUnavailableError",
]
