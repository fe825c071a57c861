"""The one write path: ``committed_write`` runs a view's writes and commits them, or rolls them
back and says why in one exception, ``WriteRefused``, whatever refused them:

- a rule the code checks (``FieldError``) → 422 with that field's message;
- a constraint or a value the database refused (IntegrityError, DataError) → 422, the message
  by constraint name (``errors.field_error_for``), never the database's text;
- a row that changed or vanished under the UPDATE (StaleDataError) → 409 with the row as it is
  now, or 404 (with the soft-deleted row when the user may still see it).

Connection errors are not refusals: they propagate, untouched, to the outage page (503). Every
write of the back office goes through here — the generic views, the declared actions, uploads,
/audit/ restore and purge, a password change — and each turns a WriteRefused into its page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from ..db import is_unavailable, unavailable
from ..db import session as db_session
from .errors import GENERIC_CONFLICT, GENERIC_DATA_ERROR, constraint_of, field_error_for
from .types import FieldError

if TYPE_CHECKING:
    from .options import ModelAdmin


class WriteRefused(Exception):
    """A write that did not happen; everything it did was rolled back.

    ``status`` says why and picks the answer: 422, a value was refused (``error`` names the
    field and says why; ``by_database``: the database refused it, not a rule of the code);
    409, the row changed meanwhile (``current`` is the row as it is now); 404, the row is gone
    (``deleted`` is the soft-deleted row when the user may still see it).
    """

    def __init__(self, status: int, error: FieldError | None = None, *, current: Any = None,
                 deleted: Any = None, by_database: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.error = error or FieldError(None, GENERIC_CONFLICT)
        self.current = current
        self.deleted = deleted
        self.by_database = by_database


@contextmanager
def committed_write(admin: ModelAdmin | None = None, obj: Any = None, *, nested: bool = False
                    ) -> Iterator[None]:
    """Run the block's writes and commit them (``nested``: release a savepoint, for one row of
    a bulk action). A refusal rolls the block back and raises WriteRefused (see the module);
    a WriteRefused raised by the block itself is rolled back and passed on. Any other error of
    the code rolls the block back and propagates; a database error that is not a refusal (the
    connection went away) propagates untouched. ``admin`` (the section) words the database's
    refusals and finds the row again after a StaleDataError; without it they read generically.
    """
    session = db_session()
    key = _public_id_of(obj)
    written = _WrittenValues(session, obj)
    savepoint = session.begin_nested() if nested else None
    try:
        yield
        if savepoint is not None:
            savepoint.commit()
        else:
            session.commit()
    except WriteRefused:
        _undo(session, savepoint)
        raise
    except FieldError as error:
        _undo(session, savepoint)
        raise WriteRefused(422, error) from None
    except StaleDataError:
        _undo(session, savepoint)
        raise _row_now(admin, key) from None
    except (IntegrityError, DataError) as exc:
        _undo(session, savepoint)
        _log_refusal(admin, exc)
        error = (field_error_for(admin, exc, written.values()) if admin is not None
                 else FieldError(None, GENERIC_CONFLICT if isinstance(exc, IntegrityError)
                                 else GENERIC_DATA_ERROR))
        raise WriteRefused(422, error, by_database=True) from None
    except (OperationalError, InterfaceError) as exc:
        # Not a refusal: the connection went away (an error the engine has not classified
        # yet, e.g. at COMMIT) → the outage page, whose handler releases the session.
        if is_unavailable(exc.orig, disconnect=exc.connection_invalidated):
            raise unavailable(exc.orig) from exc
        raise
    except SQLAlchemyError:
        raise  # an outage already classified (DatabaseUnavailable), or a bug: not a refusal
    except Exception:
        _undo(session, savepoint)
        raise
    finally:
        written.forget()


class _WrittenValues:
    """The values a write sent for ``obj``, kept at each flush: a failed flush expires the
    row, and the message ("… already has a song titled “X”") needs what the user typed."""

    def __init__(self, session: Session, obj: Any) -> None:
        self.session, self.obj = session, obj
        self.seen: dict[str, Any] = {}
        if obj is not None:
            event.listen(session, "before_flush", self.remember)

    def remember(self, *_args: Any) -> None:
        state = inspect(self.obj)
        self.seen = {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs
                     if attr.key in state.dict}

    def values(self) -> Any:
        return SimpleNamespace(**self.seen)

    def forget(self) -> None:
        if self.obj is not None:
            event.remove(self.session, "before_flush", self.remember)


def _public_id_of(obj: Any) -> uuid.UUID | None:
    if obj is None or inspect(obj).persistent is False:
        return None
    return obj.public_id  # type: ignore[no-any-return]


def _undo(session: Session, savepoint: SessionTransaction | None) -> None:
    """Roll back the block: its savepoint only (a failed flush may have done so already;
    then this just closes it), or the request's transaction."""
    if savepoint is not None:
        savepoint.rollback()
    else:
        session.rollback()


def _row_now(admin: ModelAdmin | None, key: uuid.UUID | None) -> WriteRefused:
    """After a StaleDataError: the row as it is now — live (409) or deleted or gone (404)."""
    if key is None or admin is None:
        return WriteRefused(409)
    me, session = current_user._get_current_object(), db_session()
    for deleted in (False, True):
        stmt = admin.base_query(me, deleted=deleted).where(admin.model_cls.public_id == key)
        row = session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
        if row is not None:
            return WriteRefused(404, deleted=row) if deleted else WriteRefused(409, current=row)
    return WriteRefused(404)


def _log_refusal(admin: ModelAdmin | None, exc: DBAPIError) -> None:
    """Log the refusal without the statement, its parameters or the database's message."""
    current_app.logger.warning("%s: database refused a write (%s, constraint=%s)",
                               admin.name if admin is not None else "write",
                               type(exc.orig).__name__, constraint_of(exc))
