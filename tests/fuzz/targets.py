"""Every form and every query string of the app, generated from the URL map and the admin
registry (the same source as the authorization matrix), so a new section or form is fuzzed
without touching this suite."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.auth.test_authorization_matrix import RULES
from tests.authz_expectations import ALLOWED, EXPECTATIONS
from webadmin.admin import site

# Query parameters every list-like page understands (webadmin/admin/query.py), and those of the
# section-specific pages (missing translations, export, lookups).
LIST_PARAMS = ("q", "sort", "per_page", "show", "after", "before")
OTHER_GET_PARAMS = ("q", "locale", "after", "format", "field", "next")
FILTER_VALUES = ["singer", "superadmin", "listener", "draft", "published", "archived", "int",
                 "json", "string", "bool", "en", "de", "pt-BR", "yes", "no", "true", "false",
                 "1", "0", "2024-01-01"]


@dataclass(frozen=True)
class Target:
    endpoint: str
    rule: str
    method: str
    section: str | None = None
    params: tuple[str, ...] = ()
    sorts: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"


def _section(endpoint: str):
    return site.get(endpoint.split(".", 1)[0])


def _list_params(admin) -> tuple[tuple[str, ...], tuple[str, ...]]:
    params = list(LIST_PARAMS)
    for item in admin.list_filters:
        params.extend(item.params)
    sorts = [key for key in admin.sortable] + [f"-{key}" for key in admin.sortable]
    return tuple(params), tuple(sorts)


def _targets() -> list[Target]:
    found = []
    for endpoint, rule, method in RULES:
        if endpoint == "static":
            continue
        if EXPECTATIONS[endpoint].outcomes["superadmin"] != ALLOWED:
            continue
        admin = _section(endpoint)
        view = endpoint.split(".", 1)[-1]
        if method == "GET" and admin is not None and view in {"list", "export"}:
            params, sorts = _list_params(admin)
            found.append(Target(endpoint, rule, method, admin.name, params, sorts))
        elif method == "GET":
            found.append(Target(endpoint, rule, method, admin.name if admin else None,
                                OTHER_GET_PARAMS))
        else:
            found.append(Target(endpoint, rule, method, admin.name if admin else None))
    return found


TARGETS = _targets()
FORMS = [t for t in TARGETS if t.method == "POST"]
QUERIES = [t for t in TARGETS if t.method == "GET"]
