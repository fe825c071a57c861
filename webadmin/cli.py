"""Command-line tasks: ``flask seed``, ``flask create-superadmin``, ``flask audit export``,
``flask import-songs``."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask

from .auth.passwords import password_problem
from .db import get_db


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def unconfigured_app(error: Exception) -> Flask:
    """A stand-in for ``flask --app wsgi`` when the settings are invalid (e.g. no SECRET_KEY):
    ``--help`` lists the same commands, and running any of them (or ``flask run``) prints what
    to set on one line and exits 1, instead of a traceback."""
    message = " ".join(str(error).split())
    context = click.get_current_context()
    if context.command.name != context.find_root().command.name:  # flask run/shell/routes
        raise click.ClickException(message)

    def refuse(**_kwargs: object) -> None:
        raise click.ClickException(message)

    app = Flask("webadmin")
    for command in COMMANDS:
        app.cli.add_command(click.Command(
            command.name, callback=refuse, help=command.help,
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True}))
    return app


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also load demo singers, songs and a listener.")
def seed_command(demo: bool) -> None:
    """Insert reference data (genres, plans, settings, strings). Safe to run again."""
    from .services.demo import DEMO_PASSWORD, SINGERS, load_demo_data
    from .services.seed import seed_reference_data

    session = get_db().session()
    added = seed_reference_data(session)
    if demo:
        added.update(load_demo_data(session))
    session.commit()
    click.echo("Seeded: " + ", ".join(f"{name} +{count}" for name, count in added.items()))
    if demo:
        click.echo(f"Demo singers ({', '.join(email for email, _ in SINGERS)}) "
                   f"use the password {DEMO_PASSWORD!r}.")


@click.command("create-superadmin")
@click.option("--email", prompt=True, help="Sign-in email of the superadmin.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Password (prompted without echo when omitted).")
@click.option("--name", "display_name", default="Administrator", show_default=True)
@click.option("--if-missing", is_flag=True,
              help="Leave an existing account with this email untouched (scripts/run.sh).")
def create_superadmin_command(email: str, password: str, display_name: str,
                              if_missing: bool) -> None:
    """Create a superadmin, or reset the password of an existing account to make it one."""
    from .services.users import ensure_superadmin, find_live_user_by_email

    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if "@" not in email or len(email) > 320:
        raise click.BadParameter("enter a valid email address", param_hint="--email")
    session = get_db().session()
    if if_missing and find_live_user_by_email(session, email) is not None:
        click.echo(f"Kept the existing account {email} (password unchanged).")
        return
    user, created = ensure_superadmin(session, email=email, password=password,
                                      display_name=display_name)
    session.commit()
    click.echo(f"{'Created' if created else 'Updated'} superadmin {user.email}.")


@click.group("audit")
def audit_group() -> None:
    """Archive audit entries (deleting them is the database owner's step, docs/AUDIT.md)."""


@audit_group.command("export")
@click.option("--before", "before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Export entries that occurred before this day (UTC), e.g. 2026-01-01.")
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="JSON-lines file to write (default: audit-before-DATE.jsonl).")
def audit_export_command(before: datetime, output: str | None) -> None:
    """Write audit entries older than --before to a JSON-lines file, oldest first."""
    from .audit.archive import export_entries

    cutoff = before.replace(tzinfo=UTC)
    path = output or f"audit-before-{cutoff.date().isoformat()}.jsonl"
    session = get_db().session()
    with open(path, "w", encoding="utf-8") as handle:
        count, last = export_entries(session, cutoff, handle)
    session.rollback()
    click.echo(f"Wrote {count:,} entries before {cutoff.date().isoformat()} to {path}"
               + (f" (last id {last})." if last is not None else "."))




@click.command("import-songs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--skip-bad", is_flag=True,
              help="Write the good rows and report the bad ones (default: all or nothing).")
@click.option("--as", "actor_email", default=None,
              help="Email of the superadmin the audit entry names (default: none, the CLI).")
def import_songs_command(file: str, skip_bad: bool, actor_email: str | None) -> None:
    """Import songs from a CSV file (title, artist, genre, duration, release_date, isrc, status,
    explicit, lyrics), checked like the song form. Streamed: any file size."""
    import os

    from sqlalchemy import select

    from .models import User, UserRole, live
    from .songs.importer import ImportFileError, import_file, text_stream

    session = get_db().session()
    actor = None
    if actor_email:
        actor = session.scalars(select(User).where(
            User.email == actor_email, User.role == UserRole.superadmin,
            live(User))).one_or_none()
        if actor is None:
            raise click.BadParameter("no live superadmin has this email", param_hint="--as")
    size = os.path.getsize(file)
    with open(file, "rb") as raw, click.progressbar(length=size, label="Importing",
                                                     show_pos=False) as bar:
        stream = text_stream(raw)
        done = 0

        def progress(_report: object) -> None:
            nonlocal done
            position = raw.tell()
            bar.update(position - done)
            done = position

        try:
            report = import_file(session, actor, stream, skip_bad=skip_bad,
                                 filename=os.path.basename(file), progress=progress)
        except ImportFileError as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        bar.update(size - done)
    for error in report.errors:
        click.echo(f"line {error.line}: {error.reason}", err=True)
    if report.error_count > len(report.errors):
        click.echo(f"… and {report.error_count - len(report.errors):,} more bad lines",
                   err=True)
    if report.error_count and not skip_bad:
        session.rollback()
        raise click.ClickException(
            f"{report.error_count:,} of {report.rows:,} rows are bad: nothing was imported "
            "(fix them, or run with --skip-bad to import the good rows).")
    session.commit()
    click.echo(f"Imported {report.inserted:,} songs ({report.error_count:,} bad rows skipped); "
               f"import id {report.import_id}.")


COMMANDS = (seed_command, create_superadmin_command, audit_group, import_songs_command)
