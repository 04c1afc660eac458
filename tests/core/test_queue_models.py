"""Random operation sequences checked against plain Python models, on every backend.

The store is compared with a dict of (value, deadline). The queue's pop order
is compared with heaps of (-priority, sequence) and its retry schedule with
heaps of due times. Both run on a fake clock.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bilimq.core import MISSING, RetryPolicy

if TYPE_CHECKING:
    from conftest import FakeClock, QueueFactory, StoreFactory

KEY_NAMES = ("a", "b", "c")
KEYS = st.sampled_from(KEY_NAMES)
VALUES = st.none() | st.integers()
# Round numbers that are exact in binary make deadlines land exactly on the
# clock, the boundary where a key must already count as expired.
TTLS = st.none() | st.sampled_from([0.5, 1.0, 2.0]) | st.floats(0.001, 10.0)
STEPS = st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(0.0, 5.0)
PRIORITIES = st.integers(min_value=-2, max_value=2)
# Two levels only in the state machine, so that tasks often share a priority
# and stale entries of dropped tasks sit among live ones.
MODEL_PRIORITIES = st.integers(min_value=0, max_value=1)
MACHINE_SETTINGS = settings(max_examples=100, stateful_step_count=30, deadline=None)
# A stale entry needs about six steps in one order to show, which 100
# examples of the queue machine often missed.
QUEUE_MACHINE_SETTINGS = settings(MACHINE_SETTINGS, max_examples=400)
# The factories build a new queue or store for every example, so reusing the
# function-scoped factory fixture across examples is safe.
FACTORY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


class StoreMachine(RuleBasedStateMachine):
    """PublicStore against a dict of key -> (value, deadline or None)."""

    def __init__(self, clock: FakeClock, new_store: StoreFactory) -> None:
        super().__init__()
        self.clock = clock
        self.store = new_store(clock)
        self.model: dict[str, tuple[Any, float | None]] = {}

    def _live(self, key: str) -> bool:
        entry = self.model.get(key)
        return entry is not None and (entry[1] is None or entry[1] > self.clock.now)

    def _purge(self) -> int:
        expired = [key for key in self.model if not self._live(key)]
        for key in expired:
            del self.model[key]
        return len(expired)

    @rule(key=KEYS, value=VALUES, ttl=TTLS)
    def set_public(self, key: str, value: Any, ttl: float | None) -> None:
        self.store.set_public(key, value, ttl)
        deadline = None if ttl is None else self.clock.now + ttl
        self.model[key] = (value, deadline)

    @rule(key=KEYS)
    def read(self, key: str) -> None:
        expected = self.model[key][0] if self._live(key) else MISSING
        assert self.store.get_public(key, MISSING) == expected
        assert self.store.has_public(key) is self._live(key)

    @rule(key=KEYS)
    def delete_public(self, key: str) -> None:
        expected = self._live(key)
        self.model.pop(key, None)
        assert self.store.delete_public(key) is expected

    @rule(seconds=STEPS)
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(call=st.sampled_from(["cleanup", "get_store_size", "list_keys"]))
    def purge(self, call: str) -> None:
        removed = self._purge()
        if call == "cleanup":
            assert self.store.cleanup() == removed
        elif call == "get_store_size":
            assert self.store.get_store_size() == len(self.model)
        else:
            assert self.store.list_keys() == list(self.model)

    @invariant()
    def visible_keys_match(self) -> None:
        # Reads only: a purge here would hide bugs in how later calls treat
        # expired keys that are still stored.
        for key in KEY_NAMES:
            assert self.store.has_public(key) is self._live(key)


def test_store_matches_dict_model(
    make_clock: Callable[[], FakeClock], new_store: StoreFactory
) -> None:
    run_state_machine_as_test(
        lambda: StoreMachine(make_clock(), new_store), settings=MACHINE_SETTINGS
    )


class QueueMachine(RuleBasedStateMachine):
    """MemoryQueue against heaps of ready and delayed task ids.

    Backoff is 1 s, 2 s, ... with no jitter and three attempts, so the model
    can compute each retry's due time. The queue keeps no finished task and
    one dead letter, so that dropped tasks and ids pushed again after they
    finished mix with live ones.
    """

    running = Bundle("running")

    def __init__(self, clock: FakeClock, new_queue: QueueFactory) -> None:
        super().__init__()
        self.clock = clock
        policy = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=8.0, jitter=0)
        self.queue = new_queue(
            clock=clock, retry_policy=policy, keep_finished=0, max_dead_letters=1
        )
        self.seq = 0
        self.pushed = 0
        self.ready: list[tuple[int, int, str]] = []
        self.delayed: list[tuple[float, int, str]] = []
        self.priority: dict[str, int] = {}
        self.attempts: dict[str, int] = {}
        self.finished = {"succeeded": 0, "failed": 0, "cancelled": 0}
        self.done_ids: list[str] = []  # finished ids, free to push again

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _promote(self) -> None:
        while self.delayed and self.delayed[0][0] <= self.clock.now:
            _, _, task_id = heapq.heappop(self.delayed)
            entry = (-self.priority[task_id], self._next_seq(), task_id)
            heapq.heappush(self.ready, entry)

    @rule(priority=MODEL_PRIORITIES)
    def push(self, priority: int) -> None:
        self.pushed += 1
        self._push(f"t{self.pushed}", priority)

    @precondition(lambda self: self.done_ids)
    @rule(priority=MODEL_PRIORITIES, data=st.data())
    def push_finished_id(self, priority: int, data: st.DataObject) -> None:
        task_id = data.draw(st.sampled_from(self.done_ids))
        self.done_ids.remove(task_id)
        self._push(task_id, priority)

    def _push(self, task_id: str, priority: int) -> None:
        self._promote()
        assert self.queue.push_task({"type": "t", "task_id": task_id}, priority) == (
            task_id
        )
        self.priority[task_id] = priority
        self.attempts[task_id] = 0
        heapq.heappush(self.ready, (-priority, self._next_seq(), task_id))

    @rule(target=running)
    def pop(self) -> Any:
        self._promote()
        task = self.queue.pop_task(timeout=0)
        if not self.ready:
            assert task is None
            return multiple()
        _, _, expected = heapq.heappop(self.ready)
        assert task is not None
        assert task["task_id"] == expected
        self.attempts[expected] += 1
        return expected

    @rule(task_id=consumes(running))
    def ack(self, task_id: str) -> None:
        self.queue.ack(task_id)
        self.finished["succeeded"] += 1
        self.done_ids.append(task_id)

    @rule(task_id=consumes(running))
    def fail_with_retry(self, task_id: str) -> None:
        self.queue.fail(task_id, "transient", retry=True)
        attempts = self.attempts[task_id]
        if attempts >= 3:
            self.finished["failed"] += 1
            self.done_ids.append(task_id)
            return
        run_at = self.clock.now + min(8.0, 2.0 ** (attempts - 1))
        heapq.heappush(self.delayed, (run_at, self._next_seq(), task_id))

    @precondition(lambda self: self.ready)
    @rule(data=st.data())
    def cancel_queued(self, data: st.DataObject) -> None:
        entry = data.draw(st.sampled_from(sorted(self.ready)))
        self.ready.remove(entry)
        heapq.heapify(self.ready)
        assert self.queue.cancel(entry[2]) is True
        self.finished["cancelled"] += 1
        self.done_ids.append(entry[2])

    @rule(seconds=STEPS)
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @invariant()
    def counts_match(self) -> None:
        self._promote()
        stats = self.queue.stats()
        assert stats.queued == len(self.ready)
        assert stats.retrying == len(self.delayed)
        assert stats.succeeded == self.finished["succeeded"]
        assert stats.failed == self.finished["failed"]
        assert stats.cancelled == self.finished["cancelled"]


def test_queue_matches_heap_model(
    make_clock: Callable[[], FakeClock], new_queue: QueueFactory
) -> None:
    run_state_machine_as_test(
        lambda: QueueMachine(make_clock(), new_queue),
        settings=QUEUE_MACHINE_SETTINGS,
    )


@FACTORY_SETTINGS
@given(priorities=st.lists(PRIORITIES, max_size=50))
def test_pop_order_matches_sorted_list(
    new_queue: QueueFactory, priorities: list[int]
) -> None:
    queue = new_queue()
    ids = [queue.push_task({"type": "t"}, priority) for priority in priorities]
    expected = [
        task_id
        for _, _, task_id in sorted(
            (-priority, index, task_id)
            for index, (priority, task_id) in enumerate(
                zip(priorities, ids, strict=True)
            )
        )
    ]
    popped = []
    while (task := queue.pop_task(timeout=0)) is not None:
        popped.append(task["task_id"])
    assert popped == expected
