"""The attempt budgets on their own (webadmin.auth.attempts), in memory and in Redis.

Taking is atomic across threads and across every key of one take; giving back frees exactly the
attempt given back; a full budget says how long until it frees an attempt; a Redis outage counts
in the process instead.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.auth.support import REDIS_URI
from tests.helpers import free_port
from webadmin.auth.attempts import (
    FallbackBudgets,
    MemoryBudgets,
    RedisBudgets,
    Refusal,
    Reservation,
    budgets_for,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def budgets(request) -> Iterator:
    """A store of each kind; the Redis one under a prefix of its own, deleted afterwards."""
    if request.param == "memory":
        yield MemoryBudgets()
        return
    client = request.getfixturevalue("redis_client")
    prefix = f"webadmin-test-{secrets.token_hex(6)}:"
    try:
        yield RedisBudgets(REDIS_URI, prefix)
    finally:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)


def take_all_at_once(budgets, keys_of_each: list[tuple[str, ...]], limit: int) -> list:
    start = threading.Barrier(len(keys_of_each))

    def take(keys: tuple[str, ...]):
        start.wait(timeout=30)
        return budgets.take(keys, limit, 60)

    with ThreadPoolExecutor(max_workers=len(keys_of_each)) as pool:
        return list(pool.map(take, keys_of_each, timeout=60))


def test_fifty_takes_at_once_get_exactly_the_limit(budgets):
    outcomes = take_all_at_once(budgets, [("account",)] * 50, limit=5)
    assert sum(isinstance(o, Reservation) for o in outcomes) == 5
    refusals = [o for o in outcomes if isinstance(o, Refusal)]
    assert len(refusals) == 45
    assert {r.key for r in refusals} == {"account"}
    assert all(0 < r.retry_after <= 60 for r in refusals)


def test_a_take_is_all_or_nothing_across_its_keys(budgets):
    """Forty attempts, each on its own account but all from one address: the address allows
    five, and the refused ones leave nothing behind in their account budgets."""
    outcomes = take_all_at_once(
        budgets, [(f"account-{n}", "address") for n in range(40)], limit=5)
    taken = [o for o in outcomes if isinstance(o, Reservation)]
    assert len(taken) == 5
    assert {o.key for o in outcomes if isinstance(o, Refusal)} == {"address"}
    untouched = {f"account-{n}" for n in range(40)} - {r.keys[0] for r in taken}
    for account in untouched:  # each still has its whole budget (the address aside)
        assert all(isinstance(budgets.take((account,), 5, 60), Reservation) for _ in range(5))


def test_giving_back_frees_exactly_that_attempt(budgets):
    first = budgets.take(("k",), 2, 60)
    second = budgets.take(("k",), 2, 60)
    assert isinstance(first, Reservation) and isinstance(second, Reservation)
    assert isinstance(budgets.take(("k",), 2, 60), Refusal)
    budgets.give_back(first)
    budgets.give_back(first)  # twice changes nothing more
    assert isinstance(budgets.take(("k",), 2, 60), Reservation)
    assert isinstance(budgets.take(("k",), 2, 60), Refusal)


def test_parallel_give_backs_and_takes_never_exceed_the_limit(budgets):
    """Successes giving back while failures take: at no moment more than the limit held."""
    limit = 3
    held: list[Reservation] = []
    lock = threading.Lock()
    peak = 0

    def worker(n: int) -> None:
        nonlocal peak
        outcome = budgets.take(("shared",), limit, 60)
        if isinstance(outcome, Reservation):
            with lock:
                held.append(outcome)
                peak = max(peak, len(held))
            if n % 2:  # every other one "had the right password"
                with lock:
                    held.remove(outcome)
                budgets.give_back(outcome)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(worker, range(60), timeout=60))
    assert peak <= limit
    # The store holds exactly the attempts kept: every given-back one is free again.
    free = 0
    while isinstance(budgets.take(("shared",), limit, 60), Reservation):
        free += 1
    assert len(held) <= limit and free == limit - len(held)


def test_the_window_moves():
    clock = FakeClock()
    budgets = MemoryBudgets(clock=clock)
    assert isinstance(budgets.take(("k",), 2, 60), Reservation)
    clock.now += 20
    assert isinstance(budgets.take(("k",), 2, 60), Reservation)
    refused = budgets.take(("k",), 2, 60)
    assert refused == Refusal("k", 40)  # the first attempt leaves the window in 40 s
    clock.now += 40
    assert isinstance(budgets.take(("k",), 2, 60), Reservation)
    assert budgets.take(("k",), 2, 60) == Refusal("k", 20)


def test_a_lock_is_reported_once_per_lock():
    clock = FakeClock()
    budgets = MemoryBudgets(clock=clock)
    assert budgets.first_report("k", 30) is True
    assert budgets.first_report("k", 30) is False
    assert budgets.first_report("other", 30) is True
    clock.now += 30
    assert budgets.first_report("k", 30) is True


def test_redis_reports_once_per_lock(budgets):
    assert budgets.first_report("k", 30) is True
    assert budgets.first_report("k", 30) is False


def test_an_unreachable_redis_counts_in_the_process_and_comes_back():
    clock = FakeClock()
    closed = RedisBudgets(f"redis://127.0.0.1:{free_port()}/0", "x:")
    budgets = FallbackBudgets(closed, MemoryBudgets(clock=clock), retry_seconds=10, clock=clock)
    assert isinstance(budgets.take(("k",), 1, 60), Reservation)
    assert isinstance(budgets.take(("k",), 1, 60), Refusal)  # counted in memory meanwhile
    taken_in_memory = budgets.take(("other",), 1, 60)
    assert taken_in_memory.store is budgets.fallback
    # The store answers again (here: stands in for it); after retry_seconds it is used again.
    budgets.primary = MemoryBudgets(clock=clock)
    assert budgets.take(("k2",), 1, 60).store is budgets.fallback  # not retried yet
    clock.now += 10
    back = budgets.take(("k3",), 1, 60)
    assert isinstance(back, Reservation) and back.store is budgets.primary
    budgets.give_back(taken_in_memory)  # given back to the store that took it
    assert isinstance(budgets.fallback.take(("other",), 1, 60), Reservation)


def test_the_store_follows_the_uri():
    assert isinstance(budgets_for("memory://", "p:"), MemoryBudgets)
    assert isinstance(budgets_for(REDIS_URI, "p:"), FallbackBudgets)
