"""Jinja globals shared by every template."""

from __future__ import annotations

from flask import Flask, url_for


def asset(filename: str) -> str:
    """URL of a file under static/ (the production issue makes these content-hashed)."""
    return url_for("static", filename=filename)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset"] = asset

    @app.context_processor
    def navigation() -> dict[str, object]:
        # The admin site replaces this with the sections the current user may use.
        return {"nav_sections": []}
