"""Lengths: the gate against a song's known length and the plain sanity limits."""

from __future__ import annotations

DEFAULT_TOLERANCE: float = 20.0
"""Seconds an upload may differ from the reference length of a short song."""

TOLERANCE_GROWS_AFTER: float = 240.0
"""Above this reference length (seconds) the tolerance grows in proportion, so a
9-minute piece may differ by 45 s where a 4-minute song may differ by 20 s."""

MIN_DURATION = 60
"""Without a reference, shorter uploads are clips or previews."""
MAX_DURATION = 15 * 60
"""Without a reference, longer uploads are loops, compilations or concerts."""


def duration_tolerance(reference: float, base: float = DEFAULT_TOLERANCE) -> float:
    """Return how many seconds an upload may differ from `reference`.

    Up to TOLERANCE_GROWS_AFTER seconds the tolerance is `base`. Beyond it, the
    tolerance keeps the same share of the length (base / 240 s, about 8 %),
    because intros, outros and fades vary more on long pieces.
    """
    return max(base, base * reference / TOLERANCE_GROWS_AFTER)


def within_tolerance(
    seconds: float, reference: float, base: float = DEFAULT_TOLERANCE
) -> bool:
    """Return whether `seconds` is within the tolerance of `reference`."""
    return abs(seconds - reference) <= duration_tolerance(reference, base)
