"""A labelled corpus of song lines and Bilibili search pages for the matcher.

`load_corpus()` reads the cases; `run_corpus()` and `summarize()` measure the
matcher on them. docs/matching.md explains the format and how to add a case.
"""

from tests.corpus.evaluate import (
    CaseResult,
    Summary,
    Verdict,
    judge,
    run_case,
    run_corpus,
    summarize,
)
from tests.corpus.loader import CorpusCase, load_corpus

__all__ = [
    "CaseResult",
    "CorpusCase",
    "Summary",
    "Verdict",
    "judge",
    "load_corpus",
    "run_case",
    "run_corpus",
    "summarize",
]
