"""Sign-in throttling: per account and per client address, counted before the password is checked.

Every password check first takes one attempt from the account's budget and the client address's
budget (``LOGIN_MAX_ATTEMPTS`` per ``LOGIN_LOCK_SECONDS``, a moving window), atomically and in the
store named by ``RATELIMIT_STORAGE_URI`` — so N requests arriving together check at most the limit
(webadmin.auth.attempts). A right password gives its attempt back: only failures count. While a
budget is empty even the right password is refused, with a 429 saying how long to wait; the lock
ends when the oldest counted failure leaves the window. The password page's current-password check
takes from the same account budget.

Keys are hashed (the store holds no email address) and live under a namespace of the database,
so deployments (or test runs) sharing one Redis never count each other's attempts.
"""

from __future__ import annotations

import hashlib
import math

from flask import Flask, current_app, request
from sqlalchemy.engine import make_url

from ..services.users import normalize_email
from .attempts import BudgetStore, Reservation, budgets_for

EXTENSION = "webadmin.sign_in_attempts"
ADDRESS_PREFIX = "sign-in:address:"
ACCOUNT_PREFIX = "sign-in:account:"


class TooManyAttempts(Exception):
    """Refused before the password was looked at; the blueprint answers 429."""

    def __init__(self, key: str, retry_after: int) -> None:
        super().__init__(key)
        self.key = key
        self.retry_after = retry_after

    @property
    def scope(self) -> str:
        """Which budget is empty: "account" or "address"."""
        return "account" if self.key.startswith(ACCOUNT_PREFIX) else "address"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def account_key(email: str) -> str:
    return ACCOUNT_PREFIX + _digest(normalize_email(email))


def address_key(address: str | None = None) -> str:
    return ADDRESS_PREFIX + (address or request.remote_addr or "unknown")


def store() -> BudgetStore:
    return current_app.extensions[EXTENSION]


def _take(*keys: str) -> Reservation | None:
    config = current_app.config
    limit, window = config["LOGIN_MAX_ATTEMPTS"], config["LOGIN_LOCK_SECONDS"]
    if not limit or not window:
        return None  # throttling switched off
    outcome = store().take(keys, limit, window)
    if isinstance(outcome, Reservation):
        return outcome
    raise TooManyAttempts(outcome.key, outcome.retry_after)


def take_sign_in_attempt(email: str) -> Reservation | None:
    """Count a sign-in attempt for this account and this client address, or raise
    TooManyAttempts. Call it right before the password is checked."""
    return _take(account_key(email), address_key())


def take_password_check(email: str) -> Reservation | None:
    """Count a check of a signed-in user's current password against the account's budget."""
    return _take(account_key(email))


def give_back(reservation: Reservation | None) -> None:
    """The password was right: this attempt does not count."""
    if reservation is not None:
        store().give_back(reservation)


def first_report_of_this_lock(refused: TooManyAttempts) -> bool:
    """True for the first refusal of a lock, False for the rest of it: a flood against a locked
    account or address writes one audit entry, not one per attempt."""
    return store().first_report(refused.key, refused.retry_after)


def describe_wait(seconds: int) -> str:
    """A duration in words, rounded up: "40 seconds", "15 minutes", "8 hours"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds >= 2 * 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _namespace(database_url: str) -> str:
    """The database's name (not its host or credentials): every host of one deployment agrees
    on it, two deployments on one Redis do not collide."""
    try:
        name = make_url(database_url).database or ""
    except Exception:  # noqa: BLE001 - an unparsable URL fails elsewhere, loudly
        name = database_url
    return _digest(name)[:12]


def init_app(app: Flask) -> None:
    prefix = f"webadmin:{_namespace(app.config['DATABASE_URL'])}:"
    app.extensions[EXTENSION] = budgets_for(app.config["RATELIMIT_STORAGE_URI"], prefix)
