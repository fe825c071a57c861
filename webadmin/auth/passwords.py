"""Password hashing with scrypt (Werkzeug's implementation), with re-hash on outdated parameters."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

# scrypt with N=2^15, r=8, p=1: Werkzeug's default and OWASP's recommended floor.
HASH_METHOD = "scrypt:32768:8:1"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

# A fixed hash to verify against when the account does not exist, so an unknown email costs
# the same time as a wrong password (no account enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000", method=HASH_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    try:
        return check_password_hash(stored_hash, password)
    except ValueError:  # an unknown or corrupt hash format never signs anyone in
        return False


def burn_verification_time(password: str) -> None:
    """Spend one verification's worth of time, for the unknown-account path."""
    check_password_hash(_DUMMY_HASH, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    method = stored_hash.split("$", 1)[0]
    return method != HASH_METHOD


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if "\x00" in password:
        return "The password contains a character that is not allowed."
    if password.strip() != password or not password.strip():
        return "The password must not start or end with spaces."
    return None
