"""Attempt budgets that hold under concurrency: take first, then check the password.

A budget is a moving window: at most ``limit`` attempts per key in the last ``window`` seconds.
``take`` reserves one attempt in several budgets at once, atomically — all or none — *before*
the password is checked, so N requests in flight at the same moment can never check more than
``limit`` passwords. ``give_back`` removes exactly that reservation again (a successful sign-in
does not count). Each reservation is one member of a sorted set (Redis) or one entry of a list
(memory), named by a random id, so giving one back never frees somebody else's.

Two stores: :class:`MemoryBudgets` (one process; every thread of it) and :class:`RedisBudgets`
(every worker and host, one Lua script per operation, the Redis server's clock). A Redis outage
falls back to counting in the process (:class:`FallbackBudgets`) rather than refusing everyone
or letting everyone through.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reservation:
    """One attempt taken from ``keys``; ``store`` is where it was counted (to give it back)."""

    keys: tuple[str, ...]
    member: str
    store: BudgetStore


@dataclass(frozen=True)
class Refusal:
    """No attempt left in ``key`` for ``retry_after`` more seconds."""

    key: str
    retry_after: int


class BudgetStore(Protocol):
    def take(self, keys: Sequence[str], limit: int, window: int) -> Reservation | Refusal: ...

    def give_back(self, reservation: Reservation) -> None: ...

    def first_report(self, key: str, seconds: int) -> bool: ...


def _new_member() -> str:
    return secrets.token_hex(12)


def _whole_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))


@dataclass
class MemoryBudgets:
    """Budgets of one process, shared by its threads under one lock."""

    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    _reports: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # Keys nobody asks about again are swept once there are this many.
    SWEEP_AT = 10_000

    def _sweep(self, now: float, window: int) -> None:
        if len(self._entries) >= self.SWEEP_AT:
            for key in list(self._entries):
                self._live(key, now, window)

    def _live(self, key: str, now: float, window: int) -> list[tuple[float, str]]:
        entries = [entry for entry in self._entries.get(key, ()) if entry[0] > now - window]
        if entries:
            self._entries[key] = entries
        else:
            self._entries.pop(key, None)
        return entries

    def take(self, keys: Sequence[str], limit: int, window: int) -> Reservation | Refusal:
        member = _new_member()
        with self._lock:
            now = self.clock()
            self._sweep(now, window)
            for key in keys:
                entries = self._live(key, now, window)
                if len(entries) >= limit:
                    # The next attempt is free when enough of the oldest ones left the window.
                    freeing = entries[len(entries) - limit][0]
                    return Refusal(key, _whole_seconds(freeing + window - now))
            for key in keys:
                self._entries.setdefault(key, []).append((now, member))
        return Reservation(tuple(keys), member, self)

    def give_back(self, reservation: Reservation) -> None:
        with self._lock:
            for key in reservation.keys:
                entries = [e for e in self._entries.get(key, ()) if e[1] != reservation.member]
                if entries:
                    self._entries[key] = entries
                else:
                    self._entries.pop(key, None)

    def first_report(self, key: str, seconds: int) -> bool:
        with self._lock:
            now = self.clock()
            for stale in [k for k, until in self._reports.items() if until <= now]:
                del self._reports[stale]
            if key in self._reports:
                return False
            self._reports[key] = now + seconds
            return True


# KEYS: the budgets; ARGV: limit, window (ms), member. Returns {0, 0} when taken, else
# {index of the full budget (1-based), milliseconds until it frees an attempt}.
TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    return {i, tonumber(freeing[2]) + window - now}
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return {0, 0}
"""

GIVE_BACK_SCRIPT = """
for _, key in ipairs(KEYS) do
  redis.call('ZREM', key, ARGV[1])
end
return 0
"""


class RedisBudgets:
    """Budgets in Redis: every worker and host counts in the same sorted sets.

    The client is made on first use, so a forked worker never shares its parent's sockets."""

    def __init__(self, uri: str, prefix: str) -> None:
        self.uri = uri
        self.prefix = prefix
        self._client: Any = None
        self._scripts: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _redis(self) -> Any:
        with self._lock:
            if self._client is None:
                import redis

                self._client = redis.Redis.from_url(self.uri, socket_connect_timeout=1,
                                                    socket_timeout=2)
            return self._client

    def _script(self, name: str, source: str) -> Any:
        client = self._redis()
        with self._lock:
            if name not in self._scripts:
                self._scripts[name] = client.register_script(source)
            return self._scripts[name]

    def take(self, keys: Sequence[str], limit: int, window: int) -> Reservation | Refusal:
        member = _new_member()
        full, wait_ms = self._script("take", TAKE_SCRIPT)(
            keys=[self.prefix + key for key in keys], args=[limit, window * 1000, member])
        if int(full) == 0:
            return Reservation(tuple(keys), member, self)
        return Refusal(keys[int(full) - 1], _whole_seconds(int(wait_ms) / 1000))

    def give_back(self, reservation: Reservation) -> None:
        self._script("give_back", GIVE_BACK_SCRIPT)(
            keys=[self.prefix + key for key in reservation.keys], args=[reservation.member])

    def first_report(self, key: str, seconds: int) -> bool:
        return bool(self._redis().set(f"{self.prefix}reported:{key}", 1, nx=True, ex=seconds))


class FallbackBudgets:
    """Redis, or — while Redis does not answer — this process's memory, retried every
    ``retry_seconds``. A reservation is given back to the store that took it."""

    def __init__(self, primary: BudgetStore, fallback: BudgetStore,
                 retry_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.primary = primary
        self.fallback = fallback
        self.retry_seconds = retry_seconds
        self.clock = clock
        self._primary_down_until = 0.0

    def _call(self, operation: str, *args: Any) -> Any:
        import redis

        if self.clock() >= self._primary_down_until:
            try:
                return getattr(self.primary, operation)(*args)
            except redis.RedisError as exc:
                self._primary_down_until = self.clock() + self.retry_seconds
                log.warning("sign-in attempt store unreachable (%s): counting in this process "
                            "for %ss", type(exc).__name__, self.retry_seconds)
        return getattr(self.fallback, operation)(*args)

    def take(self, keys: Sequence[str], limit: int, window: int) -> Reservation | Refusal:
        return self._call("take", keys, limit, window)

    def give_back(self, reservation: Reservation) -> None:
        import redis

        try:
            reservation.store.give_back(reservation)
        except redis.RedisError:
            # The attempt stays counted: erring on the side of the limit.
            log.warning("could not give back a sign-in attempt; it stays counted")

    def first_report(self, key: str, seconds: int) -> bool:
        return self._call("first_report", key, seconds)


def budgets_for(uri: str, prefix: str) -> BudgetStore:
    """The store named by RATELIMIT_STORAGE_URI (validated by webadmin.config)."""
    if uri.startswith("memory://"):
        return MemoryBudgets()
    return FallbackBudgets(RedisBudgets(uri, prefix), MemoryBudgets())
