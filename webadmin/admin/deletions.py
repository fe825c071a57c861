"""The one path of soft delete, restore and purge, for every section.

``ModelAdmin.soft_delete`` / ``restore`` / ``purge`` call these. A deletion is one user action:
the row, plus the live rows its section declares to go with it (``soft_delete_cascade``,
followed through the related sections' own declarations), stamped with one ``deleted_at`` in
one transaction, recorded as one ``Deletion`` with a ``DeletedRow`` per row and an audit entry
per row. Restoring the root restores exactly the rows of that deletion that are still deleted;
restoring or purging a member alone touches only it. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, with_parent

from ..media.services import drop_media_of
from ..models import Base, DeletedRow, Deletion, Model, User, live, utcnow
from ..services import audit
from .errors import columns_in, duplicate_message, find_live_duplicate
from .site import site
from .text import display, json_safe

if TYPE_CHECKING:
    from .options import ModelAdmin


class RestoreConflict(Exception):
    """A live row took the natural key of a row being restored."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PurgeRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def label_of(admin: ModelAdmin | None, row: Any) -> str:
    return (admin.row_label(row) if admin is not None else str(row))[:300]


# --- soft delete ------------------------------------------------------------------------------
def cascade_of(session: Session, admin: ModelAdmin, obj: Any,
               seen: set[tuple[str, int]]) -> list[tuple[ModelAdmin | None, Any]]:
    """The live rows ``admin.soft_delete_cascade`` takes along, depth first, each once."""
    found: list[tuple[ModelAdmin | None, Any]] = []
    for name in admin.soft_delete_cascade:
        relationship = getattr(admin.model_cls, name)
        child_model = admin.model_cls.__mapper__.relationships[name].mapper.class_
        child_admin = site.admin_for(child_model)
        rows = session.scalars(select(child_model).where(
            with_parent(obj, relationship), live(child_model))
            .order_by(child_model.id)).all()
        for row in rows:
            key = (child_model.__tablename__, row.id)
            if key in seen:
                continue
            seen.add(key)
            found.append((child_admin, row))
            if child_admin is not None:
                found.extend(cascade_of(session, child_admin, row, seen))
    return found


def cascade_counts(session: Session, admin: ModelAdmin, obj: Any) -> dict[str, int]:
    """{section label: live rows} that deleting ``obj`` would take along."""
    counts: dict[str, int] = {}
    seen = {(admin.model_cls.__tablename__, obj.id)}
    for child_admin, row in cascade_of(session, admin, obj, seen):
        label = child_admin.label if child_admin is not None else type(row).__tablename__
        counts[label] = counts.get(label, 0) + 1
    return counts


def soft_delete(session: Session, admin: ModelAdmin, obj: Any, user: User | None) -> Deletion:
    now = utcnow()
    members = [(admin, obj), *cascade_of(
        session, admin, obj, {(admin.model_cls.__tablename__, obj.id)})]
    root_label = label_of(admin, obj)
    deletion = Deletion(
        deleted_at=now, actor_user_id=user.id if user else None,
        actor_label=user.email if user else "", section=admin.name,
        target_type=admin.model_cls.__tablename__, target_public_id=str(obj.public_id),
        target_label=root_label, row_count=len(members))
    session.add(deletion)
    for _member_admin, row in members:
        row.deleted_at = now
    session.flush()
    taken: dict[str, int] = {}
    for member_admin, row in members[1:]:
        name = member_admin.label if member_admin is not None else type(row).__tablename__
        taken[name] = taken.get(name, 0) + 1
    for index, (member_admin, row) in enumerate(members):
        root = index == 0
        label = label_of(member_admin, row)
        session.add(DeletedRow(
            deletion_id=deletion.id,
            section=member_admin.name if member_admin is not None else "",
            target_type=type(row).__tablename__, target_id=row.id,
            target_public_id=str(row.public_id), label=label, is_root=root,
            deleted_at=now, actor_user_id=deletion.actor_user_id))
        details: dict[str, Any] = {"deletion": str(deletion.public_id)}
        if root and taken:
            details["with"] = taken
        if not root:
            details["deleted_with"] = root_label
        audit.record(session, "record.deleted", actor=user, target=row, target_label=label,
                     changes={"deleted_at": [None, json_safe(now)]}, details=details)
    session.flush()
    return deletion


# --- restore ----------------------------------------------------------------------------------
def tracked(session: Session, row: Any) -> DeletedRow | None:
    return session.scalars(select(DeletedRow).where(
        DeletedRow.target_type == type(row).__tablename__,
        DeletedRow.target_id == row.id)).one_or_none()


def group_of(session: Session, entry: DeletedRow) -> list[DeletedRow]:
    """The rows that go back (or away) with ``entry``: its whole deletion if it is the root,
    else itself; root first, then in deletion order."""
    if not entry.is_root:
        return [entry]
    return list(session.scalars(select(DeletedRow).where(
        DeletedRow.deletion_id == entry.deletion_id).order_by(
            DeletedRow.is_root.desc(), DeletedRow.id)))


def load_rows(session: Session, entries: Iterable[DeletedRow]) -> list[tuple[ModelAdmin, Any,
                                                                             DeletedRow]]:
    loaded = []
    for entry in entries:
        member_admin = site.admin_for(entry.target_type)
        if member_admin is None:
            continue
        row = session.get(member_admin.model_cls, entry.target_id)
        if row is not None and row.deleted_at is not None:
            loaded.append((member_admin, row, entry))
    return loaded


def conflict_message(session: Session, admin: ModelAdmin, row: Any) -> RestoreConflict | None:
    """Which field of ``row`` a live row holds now, and which live row, in words."""
    found = find_live_duplicate(session, admin, row)
    if found is None:
        return None
    index, live_id = found
    live = session.get(admin.model_cls, live_id)
    field = admin.constraint_messages.get(index.name or "", (None, ""))[0]
    names = [column.key.replace("_user_id", "").replace("_id", "").replace("_", " ")
             for column in columns_in(index)]
    values = [display(getattr(row, column.key, None)) for column in columns_in(index)
              if not column.key.endswith("_id")]
    what = " and ".join(names)
    shown = f" “{', '.join(values)}”" if values else ""
    section_says = duplicate_message(admin, index.name or "", row).message \
        if index.name in admin.constraint_messages else ""
    return RestoreConflict(
        f"{section_says + ' ' if section_says else ''}Can't restore {admin.singular} "
        f"“{label_of(admin, row)}”: its {what}{shown} is now used by the live {admin.singular} "
        f"“{label_of(admin, live)}”. Change or delete that one first; nothing was restored.",
        field)


def restore(session: Session, admin: ModelAdmin, obj: Any, user: User | None) -> int:
    """Bring ``obj`` back, with the rest of its deletion when it is the root. All or nothing:
    a conflict raises RestoreConflict before anything changed. Returns the rows restored."""
    if obj.deleted_at is None:
        return 0
    entry = tracked(session, obj)
    members = load_rows(session, group_of(session, entry)) if entry is not None else []
    if not members:  # deleted before the audit view kept track
        members = [(admin, obj, None)]
    # Check every row before changing any: with the group's own rows back, no live row may
    # hold a key one of them needs.
    with session.no_autoflush:
        for member_admin, row, _entry in members:
            conflict = conflict_message(session, member_admin, row)
            if conflict is not None:
                raise conflict
    deletion_key = None
    if entry is not None:
        deletion_key = session.scalar(select(Deletion.public_id).where(
            Deletion.id == entry.deletion_id))
    for member_admin, row, member_entry in members:
        before = json_safe(row.deleted_at)
        row.deleted_at = None
        if member_entry is not None:
            session.delete(member_entry)
        audit.record(session, "record.restored", actor=user, target=row,
                     target_label=label_of(member_admin, row),
                     changes={"deleted_at": [before, None]},
                     details={"deletion": str(deletion_key)} if deletion_key else None)
    session.flush()
    return len(members)


# --- purge ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PurgeEffect:
    """What the database does to other rows when a row is purged."""

    label: str  # "Subscriptions on this plan"
    count: int
    refuses: bool  # RESTRICT / NO ACTION: the purge is refused while they exist
    action: str  # "refuses", "also removes", "clears"


def purge_effects(session: Session, rows: list[tuple[ModelAdmin, Any]]) -> list[PurgeEffect]:
    """Every foreign key pointing at the rows, counted (rows purged together excluded)."""
    purged = {(type(row).__tablename__, row.id) for _admin, row in rows}
    effects: dict[tuple[str, str], int] = {}
    for _admin, row in rows:
        table = type(row).__table__
        for other in Base.metadata.sorted_tables:
            for fk in other.foreign_keys:
                if fk.column.table is not table:
                    continue
                column = fk.parent
                stmt = select(func.count()).select_from(other).where(column == row.id)
                excluded = [rid for (name, rid) in purged if name == other.name]
                if excluded and "id" in other.c:
                    stmt = stmt.where(other.c.id.not_in(excluded))
                count = session.scalar(stmt) or 0
                if not count:
                    continue
                ondelete = (fk.ondelete or "NO ACTION").upper()
                owner = site.admin_for(other.name)
                noun = owner.label if owner is not None else other.name.replace("_", " ")
                relation = column.name.removesuffix("_id").replace("_user", "").replace("_", " ")
                key = (f"{noun} (their {relation})", ondelete)
                effects[key] = effects.get(key, 0) + count
    result = []
    for (label, ondelete), count in sorted(effects.items()):
        if ondelete == "CASCADE":
            result.append(PurgeEffect(label, count, False, "also removes"))
        elif ondelete == "SET NULL":
            result.append(PurgeEffect(label, count, False, "clears the link of"))
        else:
            result.append(PurgeEffect(label, count, True, "refuses while there are"))
    return result


def refusal_message(label: str, effects: list[PurgeEffect]) -> str:
    blocking = [f"{effect.count:,} {effect.label}" for effect in effects if effect.refuses]
    if not blocking:
        return (f"The database refused to purge “{label}”: other rows still point to it. "
                "Nothing was purged.")
    return (f"The database refuses to purge “{label}”: {', '.join(blocking)} still point to "
            "it (deleted ones count too; purge or move them first). Nothing was purged.")


def purge_group(session: Session, admin: ModelAdmin, obj: Any) -> list[tuple[ModelAdmin, Any]]:
    entry = tracked(session, obj)
    members = [(a, r) for a, r, _e in load_rows(session, group_of(session, entry))] \
        if entry is not None else []
    return members or [(admin, obj)]


def purge(session: Session, admin: ModelAdmin, obj: Any, user: User | None) -> int:
    """Hard-delete a soft-deleted row (with the rest of its deletion when it is the root).
    Its audit entries stay; one more records the values it had. Raises PurgeRefused when other
    rows still point at it; the database has the last word (IntegrityError)."""
    if obj.deleted_at is None:
        raise PurgeRefused("Only deleted rows can be purged.")
    members = purge_group(session, admin, obj)
    effects = purge_effects(session, members)
    if any(effect.refuses for effect in effects):
        raise PurgeRefused(refusal_message(label_of(admin, obj), effects))
    # Members first (a singer's songs before the singer), the root last.
    for member_admin, row in reversed(members):
        label = label_of(member_admin, row)
        values = member_admin.snapshot(row)
        audit.record(session, "record.purged", actor=user, target=row, target_label=label,
                     changes={key: [value, None] for key, value in values.items()})
        session.execute(delete(DeletedRow).where(
            DeletedRow.target_type == type(row).__tablename__, DeletedRow.target_id == row.id))
        drop_media_of(session, row)
        session.flush()  # the media rows go before the row they belong to
        model: type[Model] = type(row)
        session.execute(delete(model).where(model.id == row.id)
                        .execution_options(synchronize_session=False))
        session.expunge(row)
    session.flush()
    return len(members)
