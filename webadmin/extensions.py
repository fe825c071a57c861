"""Extensions created without an app; ``create_app`` binds them."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default, redis:// for several workers).
# Moving window: a sign-in lock lasts until the oldest counted failure leaves the window.
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="moving-window",
                  in_memory_fallback_enabled=True)
