"""Command-line tasks: ``flask seed``, ``flask create-superadmin``, ``flask import-songs``."""

from __future__ import annotations

import click
from flask import Flask

from .auth.passwords import password_problem
from .db import get_db


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(create_superadmin_command)
    app.cli.add_command(import_songs_command)


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
def create_superadmin_command(email: str, password: str, display_name: str) -> None:
    """Create a superadmin, or reset the password of an existing account to make it one."""
    from .services.users import ensure_superadmin

    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if "@" not in email or len(email) > 320:
        raise click.BadParameter("enter a valid email address", param_hint="--email")
    session = get_db().session()
    user, created = ensure_superadmin(session, email=email, password=password,
                                      display_name=display_name)
    session.commit()
    click.echo(f"{'Created' if created else 'Updated'} superadmin {user.email}.")


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

    from .models import User, UserRole
    from .songs.importer import ImportFileError, import_file, text_stream

    session = get_db().session()
    actor = None
    if actor_email:
        actor = session.scalars(select(User).where(
            User.email == actor_email, User.role == UserRole.superadmin,
            User.deleted_at.is_(None))).one_or_none()
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
