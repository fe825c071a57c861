"""The declarations of the admin layer, apart from its behaviour: columns, impacts, owners,
related lists, actions, and the errors a write or a declaration raises. Imports nothing of the
admin layer, so every module of it (and every section) can use them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import Model, UserRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SECTION_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
PER_PAGE_CHOICES = (10, 25, 50, 100)
# Never shown in lists, diffs or exports, whatever a section declares.
HIDDEN_COLUMNS = frozenset({"password_hash", "session_token"})
# Bookkeeping columns left out of "what changed".
UNTRACKED_COLUMNS = frozenset({"id", "public_id", "created_at", "updated_at", "version_id",
                               "deleted_at"})
BULK_ACTIONS = ("delete", "restore", "export")
BULK_LABELS = {"delete": "Delete…", "restore": "Restore…", "export": "Export CSV"}
MAX_BULK_ROWS = 1000  # rows one bulk action (ticked or "all matching") may change at once


@dataclass(frozen=True)
class Column:
    """One list (or CSV) column: an attribute path ("artist.display_name") or the name of a
    method of the admin (``def duration(self, obj) -> str``)."""

    path: str
    label: str | None = None
    sort: str | None = None  # sort key (from ``sortable``) of the header link
    link: bool = False  # the cell links to the row's edit page
    numeric: bool = False
    secondary: bool = False  # hidden at phone width

    @property
    def title(self) -> str:
        return self.label or self.path.split(".")[-1].replace("_", " ").capitalize()


@dataclass(frozen=True)
class Impact:
    """What deleting a row affects: ``count`` rows described by ``label``; ``blocks`` refuses
    the delete with ``message``."""

    label: str
    count: int
    blocks: bool = False
    message: str = ""


@dataclass(frozen=True)
class Owner:
    """Rows belong to a user: ``relationship`` (many-to-one to User) names them, and users of
    ``role`` own their rows. From it follow, for that role: the scope (only own rows; others
    404), the list (owner column and filter hidden), the form (no owner picker) and populate
    (the owner is always the signed-in user). Other roles (superadmin) see and pick every row."""

    relationship: str
    role: UserRole = UserRole.singer


@dataclass(frozen=True)
class RelatedList:
    """Rows of another section pointing at this row, shown on its edit page (at most
    ``limit``, ordered by ``order_by`` columns) with a link to that section's list filtered by
    ``filter_param``. ``field`` is the other model's many-to-one relationship to this model."""

    section: str
    field: str
    label: str
    order_by: tuple[str, ...] = ()  # column names of the other model, "-" for descending
    filter_param: str | None = None
    limit: int = 10
    # Set: deleting this row is refused while such rows are live; "{rows}" reads "3 songs".
    delete_message: str | None = None
    columns: tuple[str | Column, ...] = ()  # default: the other section's list columns

    def foreign_key(self, model: type[Model]) -> Any:
        (column,) = model.__mapper__.relationships[self.field].local_columns
        return getattr(model, column.key)


@dataclass(frozen=True)
class Action:
    """A change to one row behind a confirmation page (e.g. cancel a subscription).
    ``values(row)`` returns the new values {attribute: value} without applying them, or raises
    ValueError (or FieldError) saying why the action does not apply now; the generic view shows
    old → new, and on confirmation applies them with an audit entry ``record.<done>`` and the
    row's version check."""

    name: str  # in the URL: /<section>/<public_id>/do/<name>
    label: str  # the button, e.g. "Cancel subscription"
    done: str  # past tense for the audit entry and the message, e.g. "canceled"
    values: Callable[[Any], Mapping[str, Any]]


class DefinitionError(TypeError):
    """Every problem of one ModelAdmin declaration, reported at once (like Django's checks)."""

    def __init__(self, cls_name: str, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{cls_name}: {len(problems)} {noun}:\n{listing}")


class FieldError(Exception):
    """A rule the form cannot check alone (a duplicate, a cycle); shown next to ``field``."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class BulkAction:
    """A section's own bulk action (e.g. publish songs), behind the same confirmation page as
    delete, applied row by row (one savepoint and one audit entry each; a row it does not apply
    to, or that changed meanwhile, is skipped and named). Either ``values(row)`` returns the new
    values {attribute: value} (recorded as ``record.<done>``), or ``apply(session, row, user)``
    does the change with its own audit entry. Both raise ValueError or FieldError to skip a row
    ("it is already published.")."""

    name: str  # the form value, e.g. "publish"
    label: str  # the menu entry, e.g. "Publish…"
    done: str  # past tense for the message and the audit entry, e.g. "published"
    values: Callable[[Any], Mapping[str, Any]] | None = None
    apply: Callable[[Session, Any, Any], None] | None = None


def as_columns(entries: Sequence[str | Column]) -> tuple[Column, ...]:
    return tuple(e if isinstance(e, Column) else Column(e) for e in entries)
