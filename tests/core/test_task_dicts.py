"""Validation of pushed task dicts, the task states and the retry policy."""

from __future__ import annotations

import random
import uuid

import pytest

from bilimq.core import InvalidTaskError, RetryPolicy, TaskState, new_task_id
from bilimq.core.task import normalize_task


def test_normalize_fills_uuid4_task_id() -> None:
    task = normalize_task({"type": "download"})
    assert uuid.UUID(task["task_id"]).version == 4


def test_new_task_ids_are_canonical_uuid4() -> None:
    # Three batches of the id pool, so that refills are crossed too.
    ids = [new_task_id() for _ in range(3 * 1024 + 5)]
    assert len(set(ids)) == len(ids)
    for task_id in ids:
        parsed = uuid.UUID(task_id)
        assert str(parsed) == task_id
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_new_task_ids_use_every_digit() -> None:
    # A digit copied to the wrong place would leave a position constant.
    ids = [new_task_id() for _ in range(2000)]
    for position in range(36):
        seen = {task_id[position] for task_id in ids}
        if position in (8, 13, 18, 23):
            assert seen == {"-"}
        elif position == 14:
            assert seen == {"4"}
        elif position == 19:
            assert seen == set("89ab")
        else:
            assert len(seen) == 16, position


def test_normalize_fills_empty_params() -> None:
    assert normalize_task({"type": "download"})["params"] == {}


def test_normalize_keeps_given_fields() -> None:
    given = {"type": "t", "params": {"a": 1}, "task_id": "x", "extra": True}
    assert normalize_task(given) == given


def test_normalize_copies_dict() -> None:
    given = {"type": "t"}
    normalize_task(given)
    assert given == {"type": "t"}


def test_normalize_none_task_id_gets_uuid() -> None:
    task = normalize_task({"type": "t", "task_id": None})
    assert isinstance(task["task_id"], str)


@pytest.mark.parametrize(
    "task",
    [
        None,
        ["type", "t"],
        {},
        {"type": ""},
        {"type": 3},
        {"type": "t", "params": []},
        {"type": "t", "params": None},
        {"type": "t", "task_id": ""},
        {"type": "t", "task_id": 12},
    ],
)
def test_normalize_rejects_invalid(task: object) -> None:
    with pytest.raises(InvalidTaskError):
        normalize_task(task)


def test_invalid_task_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="non-empty str"):
        normalize_task({"type": ""})


def test_task_state_values_are_strings() -> None:
    assert [state.value for state in TaskState] == [
        "queued",
        "running",
        "succeeded",
        "failed",
        "retrying",
        "cancelled",
    ]


@pytest.mark.parametrize(
    ("state", "finished"),
    [
        (TaskState.QUEUED, False),
        (TaskState.RUNNING, False),
        (TaskState.RETRYING, False),
        (TaskState.SUCCEEDED, True),
        (TaskState.FAILED, True),
        (TaskState.CANCELLED, True),
    ],
)
def test_task_state_is_finished(state: TaskState, finished: bool) -> None:
    assert state.is_finished is finished


@pytest.mark.parametrize(
    ("attempts", "delay"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 5.0)]
)
def test_retry_delay_doubles_up_to_cap(attempts: int, delay: float) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=5.0, jitter=0.0)
    assert policy.delay(attempts) == delay


def test_retry_delay_huge_attempt_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, jitter=0.0)
    assert policy.delay(5000) == 30.0


def test_retry_jitter_stays_in_range() -> None:
    policy = RetryPolicy(base_delay=8.0, max_delay=100.0, jitter=0.25)
    rng = random.Random(1)
    delays = [policy.delay(1, rng) for _ in range(500)]
    assert min(delays) >= 6.0
    assert max(delays) <= 8.0
    assert len(set(delays)) > 400


def test_retry_jitter_is_reproducible() -> None:
    policy = RetryPolicy(jitter=1.0)
    first = policy.delay(3, random.Random(5))
    assert policy.delay(3, random.Random(5)) == first


@pytest.mark.parametrize(("attempts", "allowed"), [(1, True), (2, True), (3, False)])
def test_retry_allows_retry(attempts: int, allowed: bool) -> None:
    assert RetryPolicy(max_attempts=3).allows_retry(attempts) is allowed


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"base_delay": -1.0},
        {"max_delay": float("inf")},
        {"jitter": 1.5},
        {"jitter": -0.1},
    ],
)
def test_retry_policy_rejects_invalid(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="invalid"):
        RetryPolicy(**kwargs)
