"""GET/POST /<section>/<public_id>/do/<action>: a declared ``Action`` behind a confirmation page.

GET shows what will change (old → new) and a form carrying the row's version; POST applies the
same change if the row has not changed since (else 409 with the new preview), through one flush
that checks ``version_id``, with its audit entry in the same transaction, then redirects.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import HiddenField

from ..db import session as db_session
from ..services import audit
from .options import ModelAdmin
from .text import display, json_safe
from .types import Action, FieldError
from .views import get_object, user
from .writes import WriteRefused, committed_write


class ActionForm(FlaskForm):
    version_id = HiddenField()


def action_view(admin: ModelAdmin, public_id: str, action: str) -> Any:
    declared = admin.action(action)
    if declared is None:
        abort(404)
    me, session = user(), db_session()
    obj = get_object(admin, public_id)
    form, status, problem = ActionForm(), 200, None
    try:
        new_values = dict(declared.values(obj))
    except (FieldError, ValueError) as error:
        new_values, problem, status = {}, str(error), 409
    if request.method == "POST" and problem is None:
        if not form.validate():
            status = 400
        elif form.version_id.data != str(obj.version_id):
            problem, status = (f"This {admin.singular} changed while you were looking; "
                               "check the new values and confirm again."), 409
        else:
            try:
                with committed_write(admin, obj):
                    apply_action(session, admin, obj, declared, new_values, me)
            except WriteRefused as refused:
                if refused.status == 422:
                    problem, status = refused.error.message, 422
                else:
                    flash(f"Someone else changed this {admin.singular} at the same moment; "
                          "nothing was done. Check it and try again.", "error")
                    return redirect(url_for(f"{admin.name}.edit", public_id=public_id))
            else:
                flash(f"{declared.done.capitalize()} {admin.singular} "
                      f"“{admin.row_label(obj)}”.", "success")
                return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id))
    form.version_id.data = str(obj.version_id)
    rows = [(key.replace("_", " ").capitalize(), display(getattr(obj, key)), display(value))
            for key, value in new_values.items()]
    return render_template("admin/confirm_action.html", admin=admin, obj=obj, form=form,
                           action=declared, rows=rows, problem=problem,
                           page_title=f"{declared.label}: {admin.row_label(obj)}"), status


def apply_action(session: Session, admin: ModelAdmin, obj: Any, declared: Action,
                 new_values: dict[str, Any], me: Any) -> None:
    """Set the action's values on ``obj`` and record them (one flush, checking the row's
    version); the caller commits."""
    changes = {key: [json_safe(getattr(obj, key)), json_safe(value)]
               for key, value in new_values.items()}
    for key, value in new_values.items():
        setattr(obj, key, value)
    session.flush()
    audit.record(session, f"record.{declared.done}", actor=me, target=obj,
                 target_label=admin.row_label(obj), changes=changes)
