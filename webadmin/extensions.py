"""Extensions created without an app; ``create_app`` binds them."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# Sign-in throttling needs no extension: webadmin.auth.throttling counts attempts itself, in the
# store named by RATELIMIT_STORAGE_URI, before each password check.
