"""Sign-in throttling with Flask-Limiter: per account and per client address.

Only failed attempts count (``deduct_when``): a limit is *tested* before the view runs and
*charged* afterwards when the view flagged a failure. With the moving-window strategy a lock lasts
until the oldest of the last ``LOGIN_MAX_ATTEMPTS`` failures is ``LOGIN_LOCK_SECONDS`` old. While
locked, even the right password is refused: the check runs before the password is looked at.
The store is ``RATELIMIT_STORAGE_URI`` (memory:// for one process, redis:// for several).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask.wrappers import Response
from flask_login import current_user
from limits import RateLimitItemPerSecond

from ..extensions import limiter
from ..services.users import normalize_email

FAILED_FLAG = "sign_in_failed"
ADDRESS_PREFIX = "sign-in:address:"
ACCOUNT_PREFIX = "sign-in:account:"


def mark_failed() -> None:
    """Called by the sign-in view for a wrong email/password: this attempt counts."""
    g.setdefault(FAILED_FLAG, True)


def _attempt_failed(_response: Response) -> bool:
    return bool(g.get(FAILED_FLAG, False))


def _limit_value() -> str:
    config = current_app.config
    return f"{config['LOGIN_MAX_ATTEMPTS']} per {config['LOGIN_LOCK_SECONDS']} second"


def _disabled() -> bool:
    config = current_app.config
    return not config["LOGIN_MAX_ATTEMPTS"] or not config["LOGIN_LOCK_SECONDS"]


def submitted_email() -> str:
    """The normalized email of the attempt (bounded; the form validates it properly)."""
    return normalize_email(str(request.form.get("email", "")))[:320]


def address_key() -> str:
    return ADDRESS_PREFIX + (request.remote_addr or "unknown")


def _account_key_for(email: str) -> str:
    # Hashed: keys stay short and the store holds no email addresses.
    digest = hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]
    return ACCOUNT_PREFIX + digest


def account_key() -> str:
    return _account_key_for(submitted_email())


def signed_in_account_key() -> str:
    """The same budget as sign-in: a wrong current password on the password page counts as a
    failed sign-in of that account (a borrowed session can't guess the password freely)."""
    return _account_key_for(normalize_email(current_user.email))


def _rule(key_func: Callable[[], str], scope: str) -> Any:
    # A shared limit: the same key counts the same on every view that carries this scope.
    return limiter.shared_limit(_limit_value, scope, key_func=key_func, methods=["POST"],
                                deduct_when=_attempt_failed, exempt_when=_disabled)


def throttled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Both limits on a view: per client address and per account."""
    return _rule(address_key, "password-guesses-by-address")(
        _rule(account_key, "password-guesses-by-account")(view))


def throttled_for_signed_in_user(view: Callable[..., Any]) -> Callable[..., Any]:
    """The account limit of the signed-in user (views behind @allow only)."""
    return _rule(signed_in_account_key, "password-guesses-by-account")(view)


def seconds_until_unlocked() -> int:
    """Seconds until the limit breached in this request lets the next attempt through."""
    current = limiter.current_limit
    if current is None:
        return int(current_app.config["LOGIN_LOCK_SECONDS"])
    return max(1, math.ceil(current.window.reset_time - time.time()))


def breached_scope() -> str:
    """Which limit stopped this request: "account" or "address"."""
    current = limiter.current_limit
    return "account" if current is not None and ACCOUNT_PREFIX in current.key else "address"


def describe_wait(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def first_report_of_this_lock() -> bool:
    """True for the first refused attempt of a lock, False for the rest of its window.

    A flood of attempts against a locked account or address is refused without touching the
    database; only the first refusal of each window is written to the audit log.
    """
    current = limiter.current_limit
    key = current.key if current is not None else address_key()
    window = max(1, int(current_app.config["LOGIN_LOCK_SECONDS"]))
    try:
        return limiter.limiter.hit(RateLimitItemPerSecond(1, window), "throttle-reported", key)
    except Exception:  # noqa: BLE001 - a store outage must not turn a 429 into a 500
        return True
