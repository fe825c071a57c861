"""ModelAdmin: a section of the back office declared as data.

Options are class attributes, checked when the class is defined (``__init_subclass__``), so a
typo in a column, a sort key or a filter fails at import, not at the first click. Each option has
a ``get_*`` hook taking the signed-in user for what depends on who asks.

Every read goes through ``base_query(user)`` (soft-delete filter + row scope); every write goes
through ``save`` / ``soft_delete`` / ``restore`` / ``purge``, which record the audit entry. Views
commit.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ..media.fields import thumbnail_cell
from ..models import AuditEvent, Model, User, UserRole, live
from ..models.media import COVER_RELATIONSHIP
from ..services import audit
from . import deletions
from .errors import check_live_duplicates
from .filters import Filter, RelatedFilter, bind_filters
from .forms import RelatedField
from .query import related_path, related_search
from .text import display, escape_like, json_safe
from .types import (
    BULK_ACTIONS,
    BULK_LABELS,
    HIDDEN_COLUMNS,
    MAX_BULK_ROWS,
    PER_PAGE_CHOICES,
    SECTION_NAME,
    UNTRACKED_COLUMNS,
    Action,
    BulkAction,
    Column,
    DefinitionError,
    FieldError,
    Impact,
    Owner,
    RelatedList,
    as_columns,
)


class ModelAdmin:
    # --- declared by each section ---------------------------------------------------------
    model: ClassVar[type[Model] | None] = None
    name: ClassVar[str] = ""  # URL section and blueprint name, e.g. "songs"
    label: ClassVar[str] = ""  # "Songs"
    singular: ClassVar[str] = ""  # "song"
    plural: ClassVar[str] = ""  # "songs" in captions ("42 songs"); default: singular + "s"
    roles: ClassVar[frozenset[UserRole] | set[UserRole]] = frozenset({UserRole.superadmin})
    nav_order: ClassVar[int] = 100
    list_display: ClassVar[Sequence[str | Column]] = ()
    sortable: ClassVar[Mapping[str, str]] = {}  # sort key → column name on the model
    ordering: ClassVar[str] = "-created"  # a sort key, "-" for descending
    search_fields: ClassVar[Sequence[str]] = ()
    search_hint: ClassVar[str] = ""
    list_filters: ClassVar[Sequence[Filter]] = ()
    per_page: ClassVar[int] = 25
    form: ClassVar[type[FlaskForm] | None] = None
    # Relationships loaded with a list page beyond those its columns read (those are derived).
    eager_loads: ClassVar[Sequence[str]] = ()
    constraint_messages: ClassVar[Mapping[str, tuple[str | None, str]]] = {}
    csv_columns: ClassVar[Sequence[str | Column]] = ()  # default: list_display
    # "delete", "export" (and "restore", on the deleted view) or a section's BulkAction
    bulk_actions: ClassVar[Sequence[str | BulkAction]] = ("delete", "export")
    max_bulk_rows: ClassVar[int] = MAX_BULK_ROWS  # "select all N matching" up to this many
    can_create: ClassVar[bool] = True
    can_delete: ClassVar[bool] = True
    can_restore: ClassVar[bool] = True
    dashboard_card: ClassVar[bool] = True
    history_fields_hidden: ClassVar[frozenset[str]] = frozenset()
    # Relationships (one-to-many) whose live rows are soft-deleted with a row, as one deletion,
    # and come back when it is restored, e.g. ``("songs",)`` on the users section.
    soft_delete_cascade: ClassVar[Sequence[str]] = ()
    # How a stored value of a field reads in history and the audit log, when the form shows
    # it differently from the column (cents as a price, seconds as a duration).
    change_formats: ClassVar[Mapping[str, Callable[[Any], str]]] = {}
    owner: ClassVar[Owner | None] = None  # e.g. Owner("artist", role=UserRole.singer)
    unmapped_fields: ClassVar[frozenset[str] | set[str]] = frozenset()  # form-only fields
    related_lists: ClassVar[Sequence[RelatedList]] = ()
    actions: ClassVar[Sequence[Action]] = ()
    # The edit form: (legend, field names) groups (fields not named go last, unlegended);
    # read-only facts shown beside it; whether "Save as new" copies the row.
    fieldsets: ClassVar[Sequence[tuple[str | None, Sequence[str]]]] = ()
    readonly_fields: ClassVar[Sequence[str]] = ("public_id", "created_at", "updated_at")
    save_as_new: ClassVar[bool] = False

    # filled in by __init_subclass__
    _columns: ClassVar[tuple[Column, ...]] = ()
    _csv_columns: ClassVar[tuple[Column, ...]] = ()
    _eager: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.model is None:  # an abstract intermediate class
            return
        cls._check_options()

    # --- definition-time checks -----------------------------------------------------------
    _problems: ClassVar[list[str] | None] = None

    @classmethod
    def _fail(cls, message: str) -> None:
        """Note a problem; ``_check_options`` raises them all at the end."""
        if cls._problems is None:
            raise DefinitionError(cls.__name__, [message])
        cls._problems.append(message)

    @classmethod
    def _check_options(cls) -> None:
        cls._problems = []
        try:
            cls._check_each_option()
        finally:
            problems, cls._problems = cls._problems, None
        if problems:
            raise DefinitionError(cls.__name__, problems)

    @classmethod
    def _check_each_option(cls) -> None:
        model = cls.model
        assert model is not None
        if not SECTION_NAME.match(cls.name or ""):
            cls._fail(f"name must match {SECTION_NAME.pattern}, got {cls.name!r}")
        cls.label = cls.label or cls.name.replace("_", " ").capitalize()
        cls.singular = cls.singular or cls.label.lower().rstrip("s")
        cls.plural = cls.plural or cls.singular + "s"
        cls.roles = frozenset(cls.roles)
        cls.unmapped_fields = frozenset(cls.unmapped_fields)
        if not cls.roles or not all(isinstance(r, UserRole) for r in cls.roles):
            cls._fail("roles must be a non-empty set of UserRole")
        table_columns = model.__table__.c
        for key, column in cls.sortable.items():
            if "." in column:
                cls._check_related_sort(key, column)
            elif column not in table_columns:
                cls._fail(f"sortable[{key!r}]: {model.__name__} has no column {column!r}")
            if column.split(".")[-1] in HIDDEN_COLUMNS:
                cls._fail(f"sortable[{key!r}]: {column!r} may not be exposed")
        if cls.ordering.lstrip("-") not in cls.sortable:
            cls._fail(f"ordering {cls.ordering!r} is not a key of sortable")
        for field in cls.search_fields:
            if field.split(".")[-1] in HIDDEN_COLUMNS:
                cls._fail(f"search_fields: {field!r} may not be searched")
            elif "." in field:
                try:
                    related_path(model, field)
                except ValueError as exc:
                    cls._fail(f"search_fields: {exc}")
            elif field not in table_columns:
                cls._fail(f"search_fields: {model.__name__} has no column {field!r}")
        cls._check_owner()
        cls._check_form_fields()
        for related in cls.related_lists:
            if not isinstance(related, RelatedList):
                cls._fail(f"related_lists entries must be RelatedList objects, got {related!r}")
        for action in cls.actions:
            if not isinstance(action, Action) or not SECTION_NAME.match(action.name):
                cls._fail(f"actions: {action!r} is not an Action with a URL-safe name")
        if cls.per_page not in PER_PAGE_CHOICES:
            cls._fail(f"per_page must be one of {PER_PAGE_CHOICES}")
        for rel in cls.eager_loads:
            if rel not in model.__mapper__.relationships:
                cls._fail(f"eager_loads: {model.__name__} has no relationship {rel!r}")
        if cls.form is not None and not (isinstance(cls.form, type)
                                         and issubclass(cls.form, FlaskForm)):
            cls._fail("form must be a FlaskForm subclass")
        try:
            bind_filters(model, cls.list_filters)
        except TypeError as exc:
            cls._fail(str(exc))
        cls._columns = as_columns(cls.list_display or ("id",))
        cls._csv_columns = as_columns(cls.csv_columns or cls.list_display or ("id",))
        for column in dict.fromkeys((*cls._columns, *cls._csv_columns)):
            cls._check_path(column)
        cls._eager = cls._loads_for((*cls._columns, *cls._csv_columns, *cls.related_sorts()))
        known = {c.name for c in model.__table__.constraints if c.name}
        known |= {i.name for i in model.__table__.indexes if i.name}
        for name, (field, _message) in cls.constraint_messages.items():
            if name not in known:
                cls._fail(f"constraint_messages: no constraint or index named {name!r}")
            if field is not None and cls.form is not None and not hasattr(cls.form, field):
                cls._fail(f"constraint_messages[{name!r}]: the form has no field {field!r}")
        for name in cls.soft_delete_cascade:
            rel = model.__mapper__.relationships.get(name)
            if rel is None or not rel.uselist:
                cls._fail(f"soft_delete_cascade: {model.__name__} has no one-to-many "
                          f"relationship {name!r}")
            elif "deleted_at" not in rel.mapper.class_.__table__.c:
                cls._fail(f"soft_delete_cascade: {name!r} rows cannot be soft-deleted")
        for action in cls.bulk_actions:
            if isinstance(action, BulkAction):
                if not SECTION_NAME.match(action.name) or action.name in BULK_ACTIONS or \
                        (action.values is None) == (action.apply is None):
                    cls._fail(f"bulk_actions: {action.name!r} needs a URL-safe new name and "
                              "exactly one of values or apply")
            elif action not in BULK_ACTIONS:
                cls._fail(f"bulk_actions: unknown action {action!r} (known: {BULK_ACTIONS})")
        cls._check_form_layout()

    @classmethod
    def _check_related_sort(cls, key: str, path: str) -> None:
        """A related sort key ("artist.display_name"): a NOT NULL many-to-one (every row has
        one, so the join drops none), a NOT NULL column (the cursor never holds NULL), and the
        relationship loaded with every list page (``_eager`` and ``list_load_options`` add the
        related sort paths: the cursor reads the value from the row)."""
        try:
            related = related_path(cls.model, path)
        except ValueError as exc:
            cls._fail(f"sortable[{key!r}]: {exc}")
            return
        if related.nullable or related.column.nullable:
            cls._fail(f"sortable[{key!r}]: {path!r} may be NULL; sort by a required one")

    @classmethod
    def _check_form_layout(cls) -> None:
        named = [name for _legend, names in cls.fieldsets for name in names]
        for name in named:
            if cls.form is None or not hasattr(cls.form, name):
                cls._fail(f"fieldsets: the form has no field {name!r}")
        if len(named) != len(set(named)):
            cls._fail("fieldsets: a field is named twice")
        for name in cls.readonly_fields:
            if name not in cls.model.__mapper__.column_attrs or name in HIDDEN_COLUMNS:  # type: ignore[union-attr]
                cls._fail(f"readonly_fields: {name!r} is not a shown column")
        if cls.save_as_new and cls.form is None:
            cls._fail("save_as_new needs a form")

    @classmethod
    def _check_owner(cls) -> None:
        owner, mapper = cls.owner, cls.model.__mapper__  # type: ignore[union-attr]
        if owner is None:
            return
        relationship = mapper.relationships.get(owner.relationship)
        if relationship is None or relationship.uselist or relationship.mapper.class_ is not User:
            cls._fail(f"owner: {mapper.class_.__name__}.{owner.relationship} is not a "
                      "many-to-one relationship to User")
        if owner.role not in cls.roles:
            cls._fail(f"owner: role {owner.role.value!r} is not one of the section's roles")

    @classmethod
    def form_field_names(cls) -> list[str]:
        """The data fields the form declares (not the CSRF token or version_id)."""
        unbound = getattr(cls.form, "_unbound_fields", None) or [
            (name, value) for name in dir(cls.form or object)
            if hasattr(value := getattr(cls.form, name, None), "field_class")]
        return [name for name, _field in unbound if name not in {"csrf_token", "version_id"}]

    @classmethod
    def _check_form_fields(cls) -> None:
        """Every form field is saved somewhere: a model attribute, or declared unmapped."""
        if cls.form is None or not isinstance(cls.form, type):
            return
        mapper = cls.model.__mapper__  # type: ignore[union-attr]
        names = cls.form_field_names()
        for name in names:
            if name in cls.unmapped_fields:
                continue
            if name in HIDDEN_COLUMNS or not (name in mapper.attrs or isinstance(
                    getattr(mapper.class_, name, None), property)):
                cls._fail(f"form field {name!r}: {mapper.class_.__name__} has no attribute "
                          f"{name!r} (rename it, or list it in unmapped_fields and save it "
                          "in populate)")
        for name in set(cls.unmapped_fields) - set(names):
            cls._fail(f"unmapped_fields: the form has no field {name!r}")

    @classmethod
    def column_problems(cls, column: Column) -> list[str]:
        """What is wrong with ``column`` as a column of this section (for other sections'
        declarations, e.g. a related list's columns)."""
        cls._problems = []
        try:
            cls._check_path(column)
            return cls._problems
        finally:
            cls._problems = None

    @classmethod
    def related_sorts(cls) -> tuple[Column, ...]:
        """The related columns the list may be sorted by ("artist.display_name")."""
        return tuple(Column(path) for path in cls.sortable.values() if "." in path)

    @classmethod
    def _loads_for(cls, columns: Sequence[Column]) -> tuple[str, ...]:
        relationships = cls.model.__mapper__.relationships  # type: ignore[union-attr]
        heads = [COVER_RELATIONSHIP if column.path == "cover" else column.path.split(".")[0]
                 for column in columns]
        return tuple(dict.fromkeys([*cls.eager_loads,
                                    *(head for head in heads if head in relationships)]))

    @classmethod
    def _check_path(cls, column: Column) -> None:
        if column.sort is not None and column.sort not in cls.sortable:
            cls._fail(f"column {column.path!r}: sort key {column.sort!r} is not in sortable")
        head, *rest = column.path.split(".")
        if column.path == "cover" and COVER_RELATIONSHIP not in cls.model.__mapper__.relationships:  # type: ignore[union-attr]
            cls._fail("column 'cover': the model has no cover art (cover_media)")
        if not rest and callable(getattr(cls, head, None)):
            return
        mapper: Any = cls.model.__mapper__  # type: ignore[union-attr]
        for index, part in enumerate(column.path.split(".")):
            if part in HIDDEN_COLUMNS:
                cls._fail(f"column {column.path!r} may not be exposed")
                return
            if part in mapper.relationships:
                mapper = mapper.relationships[part].mapper
                continue
            if part in mapper.column_attrs or part in {"public_id"}:
                if index != len(column.path.split(".")) - 1:
                    cls._fail(f"column {column.path!r}: {part!r} is not a relationship")
                return
            if index == len(column.path.split(".")) - 1 and isinstance(
                    getattr(mapper.class_, part, None), property):
                return
            cls._fail(f"column {column.path!r}: {mapper.class_.__name__} has no "
                      f"attribute {part!r}")
            return

    # --- hooks on the request's user -------------------------------------------------------
    def __init__(self) -> None:
        self.model_cls: type[Model] = self.model  # type: ignore[assignment]
        # The sections named by related_lists, bound by the site once all are registered.
        self.related_admins: dict[str, ModelAdmin] = {}

    def owns(self, user: User) -> bool:
        """Whether ``user`` works only on their own rows (the ``owner`` role)."""
        return self.owner is not None and user.role is self.owner.role

    def scope(self, stmt: Select[Any], user: User) -> Select[Any]:
        """Row scope: which rows ``user`` may see at all. Rows outside it are 404.
        Default: the owner's rows for the owning role, everything for other section roles."""
        if self.owns(user):
            relationship = self.model_cls.__mapper__.relationships[self.owner.relationship]
            (fk,) = relationship.local_columns
            return stmt.where(getattr(self.model_cls, fk.key) == user.id)
        return stmt

    def unscoped_for(self, user: User) -> bool:
        """Whether ``scope`` leaves ``user`` every row (then a list or a card may count the
        whole table from the planner's estimate)."""
        base = select(self.model_cls)
        return self.scope(base, user) is base

    def _without_owner(self, columns: tuple[Column, ...], user: User) -> tuple[Column, ...]:
        if not self.owns(user):
            return columns
        name = self.owner.relationship  # type: ignore[union-attr]
        return tuple(c for c in columns if c.path.split(".")[0] != name)

    def base_query(self, user: User, *, deleted: bool = False) -> Select[Any]:
        """THE query every path reads through: live (or deleted) rows in the user's scope."""
        model = self.model_cls
        condition = ~live(model) if deleted else live(model)
        return self.scope(select(model).where(condition), user)

    def search_clause(self, term: str) -> Any:
        """The list's search: any ``search_fields`` column contains ``term`` (case-insensitive,
        wildcards escaped, bound parameter). Override to add exact-key shortcuts."""
        if not self.search_fields:
            return None
        pattern = f"%{escape_like(term)}%"
        return or_(*(related_search(self.model_cls, name, pattern) if "." in name
                     else getattr(self.model_cls, name).ilike(pattern, escape="\\")
                     for name in self.search_fields))

    def get_list_display(self, user: User) -> tuple[Column, ...]:
        return self._without_owner(self._columns, user)

    def get_csv_columns(self, user: User) -> tuple[Column, ...]:
        """The export keeps the owner's column: a file read elsewhere says whose rows."""
        return self._csv_columns

    def get_list_filters(self, user: User) -> Sequence[Filter]:
        if self.owns(user):
            return [f for f in self.list_filters if f.field != self.owner.relationship]
        return self.list_filters

    def lookup_fields(self, role: UserRole) -> set[str]:
        """Names the /lookup route answers for ``role``: related form fields and related
        filters that role has (the owner's picker and filter are not the owning role's)."""
        names = {f.param for f in self.list_filters if isinstance(f, RelatedFilter)}
        for name in self.form_field_names() if self.form is not None else ():
            field_class = getattr(getattr(self.form, name, None), "field_class", None)
            if isinstance(field_class, type) and issubclass(field_class, RelatedField):
                names.add(name)
        if self.owner is not None and role is self.owner.role:
            names.discard(self.owner.relationship)
        return names

    @property
    def lookup_roles(self) -> frozenset[UserRole]:
        """The roles that have a related field or filter (the only ones given /lookup)."""
        return frozenset(role for role in self.roles if self.lookup_fields(role))

    @property
    def has_related_lookups(self) -> bool:
        """Whether any role of the section picks related rows (and so needs /lookup)."""
        return bool(self.lookup_roles)

    def get_bulk_actions(self, user: User, *, deleted: bool = False) -> list[str]:
        actions = [a for a in self.bulk_actions if a == "export"]
        if deleted:
            return ["restore", *actions] if self.can_restore else actions
        own = [a.name for a in self.bulk_actions if isinstance(a, BulkAction)]
        return (["delete"] if self.can_delete and "delete" in self.bulk_actions else []) + \
            own + actions

    def bulk_action(self, name: str) -> BulkAction | None:
        """The section's own bulk action called ``name`` (None for delete/restore/export)."""
        return next((a for a in self.bulk_actions
                     if isinstance(a, BulkAction) and a.name == name), None)

    def bulk_label(self, name: str) -> str:
        declared = self.bulk_action(name)
        return declared.label if declared is not None else BULK_LABELS[name]

    def get_form_class(self, user: User, obj: Model | None) -> type[FlaskForm]:
        if self.form is None:
            raise LookupError(f"{type(self).__name__} declares no form")
        return self.form

    def get_form(self, user: User, obj: Model | None, formdata: Any = None) -> FlaskForm:
        form_cls = self.get_form_class(user, obj)
        # formdata=None explicitly: Flask-WTF would otherwise read request.form during a POST
        # and a form meant to show the row (the conflict page's "theirs") would show the input.
        form = form_cls(formdata=formdata, obj=obj)
        self.prepare_form(form, user, obj)
        return form

    def prepare_form(self, form: FlaskForm, user: User, obj: Model | None) -> None:
        """Adjust a form for the user (remove fields, fill choices). Default: the owning role
        gets no owner picker."""
        if self.owns(user) and self.owner.relationship in form:  # type: ignore[union-attr]
            del form[self.owner.relationship]  # type: ignore[union-attr]

    @property
    def eager_relationships(self) -> tuple[str, ...]:
        """The relationships loaded with a list page or an export: those its columns read
        ("artist.display_name" → artist; the cover column → cover_media) and ``eager_loads``."""
        return self._eager

    def eager_options(self) -> list[LoaderOption]:
        options: list[LoaderOption] = []
        for name in self._eager:
            relationship = self.model_cls.__mapper__.relationships[name]
            attribute = getattr(self.model_cls, name)
            options.append(selectinload(attribute) if relationship.uselist
                           else joinedload(attribute))
        return options

    def cell(self, obj: Any, column: Column) -> Any:
        """The raw value of ``column`` for ``obj`` (the template and CSV format it)."""
        return self.cell_reader(column)(obj)

    def cell_reader(self, column: Column) -> Callable[[Any], Any]:
        """A function giving ``column``'s raw value for a row (what ``cell`` returns), decided
        once per column — the list calls it for every row."""
        head = column.path.split(".")[0]
        method = getattr(self, head, None)
        if "." not in column.path and callable(method) and not hasattr(self.model_cls, head):
            return method  # type: ignore[no-any-return]
        if "." not in column.path:
            return operator.attrgetter(column.path)
        parts = column.path.split(".")

        def follow(obj: Any) -> Any:
            value = obj
            for part in parts:
                if value is None:
                    return None
                value = getattr(value, part)
            return value

        return follow

    def row_label(self, obj: Any) -> str:
        return str(obj)

    def cover(self, obj: Any) -> Any:
        """The ``Column("cover")`` cell: the row's cover art thumbnail (a section declaring
        ``media = (ImageField(),)``; the page loads ``cover_media`` with the rows)."""
        return thumbnail_cell(self, obj)

    cover.reads = thumbnail_cell.reads  # type: ignore[attr-defined]  # the list joins just these

    def count_caption(self, count: Any) -> str:
        """ "1 song", "42 songs", "1,000+ songs" (``count``: an int or a capped count)."""
        exact = getattr(count, "value", count) == 1 and not getattr(count, "capped", False)
        return f"{count} {self.singular if exact else self.plural}"

    # --- the edit page ---------------------------------------------------------------------
    def can_delete_object(self, user: User, obj: Any) -> bool:
        """Whether the edit page offers Delete for ``obj`` (the delete view still checks)."""
        return self.can_delete

    def get_fieldsets(self, form: FlaskForm) -> list[tuple[str | None, list[Any]]]:
        """The form's visible fields in their declared groups; undeclared fields last."""
        visible = {f.name: f for f in form if f.type not in ("HiddenField", "CSRFTokenField")}
        groups = [(legend, [visible.pop(n) for n in names if n in visible])
                  for legend, names in self.fieldsets]
        groups = [(legend, fields) for legend, fields in groups if fields]
        if visible:
            groups.append((None, list(visible.values())))
        return groups

    def readonly_details(self, session: Session, obj: Any) -> list[tuple[str, str]]:
        """Facts shown beside the edit form: the read-only columns, and who changed the row
        last (its newest audit entry)."""
        details = [(_column_title(name), display(getattr(obj, name)))
                   for name in self.readonly_fields]
        last = session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == self.model_cls.__tablename__,
                                     AuditEvent.target_public_id == str(obj.public_id))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(1)).first()
        if last is not None:
            details.append(("Last change", f"{display(last.occurred_at)} by "
                                           f"{last.actor_label or 'system'}"))
        return details

    # --- the write path --------------------------------------------------------------------
    def populate(self, obj: Any, form: FlaskForm, user: User) -> None:
        """Copy form fields onto the row (fields named like model attributes; the class check
        makes sure every other field is declared in ``unmapped_fields``). The owning role's
        rows always belong to them."""
        for field in form:
            if field.name in {"csrf_token", "version_id"} or field.name in HIDDEN_COLUMNS:
                continue
            if field.name not in self.unmapped_fields and hasattr(self.model_cls, field.name):
                setattr(obj, field.name, field.data)
        if self.owns(user):
            setattr(obj, self.owner.relationship, user)  # type: ignore[union-attr]

    def validate_object(self, session: Session, obj: Any, user: User) -> None:
        """Rules that need the database (cycles…); raise FieldError. Default: nothing."""

    def snapshot(self, obj: Any) -> dict[str, Any]:
        """JSON-safe values of the tracked columns; foreign keys as the related row's label."""
        values: dict[str, Any] = {}
        mapper = self.model_cls.__mapper__
        fk_to_rel = {}
        for rel in mapper.relationships:
            if not rel.uselist and len(rel.local_columns) == 1:
                (column,) = rel.local_columns
                fk_to_rel[column.key] = rel.key
        for attr in mapper.column_attrs:
            key = attr.key
            if key in UNTRACKED_COLUMNS or key in HIDDEN_COLUMNS:
                continue
            if key in fk_to_rel:
                related = getattr(obj, fk_to_rel[key])
                values[fk_to_rel[key]] = str(related) if related is not None else None
                continue
            values[key] = json_safe(getattr(obj, key))
        return values

    @staticmethod
    def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
        return {key: [before.get(key), after.get(key)] for key in after
                if before.get(key) != after.get(key)}

    def save(self, session: Session, obj: Any, form: FlaskForm, user: User, *,
             created: bool) -> dict[str, list[Any]]:
        """Apply a validated form to ``obj`` and record it; the caller commits.

        Raises FieldError (pre-checks), IntegrityError/StaleDataError/DataError (the flush).
        Returns the changes (empty: nothing changed, nothing written).
        """
        before = {} if created else self.snapshot(obj)
        self.populate(obj, form, user)
        if created:
            session.add(obj)
        with session.no_autoflush:
            self.validate_object(session, obj, user)
            check_live_duplicates(session, self, obj)
            after = self.snapshot(obj)
        changes = self.diff(before, after)
        if not created and not changes:
            return {}
        session.flush()
        audit.record(session, "record.created" if created else "record.updated",
                     actor=user, target=obj, target_label=self.row_label(obj), changes=changes)
        return changes

    def delete_impact(self, session: Session, obj: Any, user: User) -> list[Impact]:
        """What else deleting ``obj`` affects (counts). Default: the declared cascade, and the
        live rows of related lists that declare a ``delete_message`` block the delete. Sections
        that override it add ``self.cascade_impact(...)`` to theirs."""
        impacts = self.cascade_impact(session, obj)
        for related in self.related_lists:
            other = self.related_admins.get(related.section)
            if related.delete_message is None or other is None:
                continue
            model = other.model_cls
            count = session.scalar(select(func.count()).select_from(model).where(
                related.foreign_key(model) == obj.id, live(model))) or 0
            if count:
                rows = f"{count:,} {other.singular if count == 1 else other.label.lower()}"
                impacts.append(Impact(related.label, count, blocks=True,
                                      message=related.delete_message.format(rows=rows)))
        return impacts

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)

    def cascade_impact(self, session: Session, obj: Any) -> list[Impact]:
        return [Impact(f"{label} deleted with this {self.singular} (restoring it brings them "
                       "back)", count)
                for label, count in deletions.cascade_counts(session, self, obj).items()]

    # Soft delete, restore and purge all go through webadmin/admin/deletions.py: one deletion
    # per press (with the declared cascade), tracked for /audit/, one audit entry per row.
    def soft_delete(self, session: Session, obj: Any, user: User) -> None:
        deletions.soft_delete(session, self, obj, user)

    def restore(self, session: Session, obj: Any, user: User) -> None:
        """Bring a soft-deleted row back (with the rest of its deletion); a live row holding
        its natural key raises FieldError naming the field and that row; nothing changes."""
        try:
            deletions.restore(session, self, obj, user)
        except deletions.RestoreConflict as conflict:
            raise FieldError(conflict.field, conflict.message) from conflict

    def purge(self, session: Session, obj: Any, user: User) -> None:
        """Hard-delete a soft-deleted row; its audit entries stay. Raises FieldError when the
        database would refuse (other rows point at it)."""
        try:
            deletions.purge(session, self, obj, user)
        except deletions.PurgeRefused as refused:
            raise FieldError(None, refused.message) from refused

    # --- extension points --------------------------------------------------------------------
    def register_views(self, bp: Any) -> None:
        """Add section-specific routes to the section's blueprint (declare each with @allow)."""

    def extra_links(self, user: User) -> Iterable[tuple[str, str]]:
        """(label, url) links shown in the list page header, e.g. "Missing translations"."""
        return ()

    def object_links(self, user: User, obj: Any) -> Iterable[tuple[str, str]]:
        """(label, url) links shown in the edit page header next to History, e.g. a user's
        "Set a new password". Default: the declared actions."""
        return [(a.label, url_for(f"{self.name}.action", public_id=obj.public_id, action=a.name))
                for a in self.actions]


READONLY_TITLES = {"public_id": "Public id", "created_at": "Created", "updated_at": "Updated"}


def _column_title(name: str) -> str:
    return READONLY_TITLES.get(name) or Column(name).title


def format_cell(value: Any) -> str:
    return display(value)


Hook = Callable[..., Any]
