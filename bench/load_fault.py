"""Load and faults: does webadmin keep its promises while its database goes away?

    .venv/bin/python bench/load_fault.py [--seconds 60] [--clients 16] [--out bench/load_fault.md]

Not part of CI. It starts a PostgreSQL cluster of its own (initdb into a temp folder, a free
port, run as the ``postgres`` OS user when started as root — the shared server on 5432 is never
touched), migrates it, seeds accounts and genres, and runs gunicorn (2 workers × 4 threads) on
127.0.0.1. Then 16 client threads send a mix of reads and writes (create/edit/delete genres,
create/edit songs) for 60 s while the script terminates the app's backends twice and restarts
PostgreSQL once. Each client only deletes rows it created itself (no two clients race to delete
the same row). It reports requests, status counts, whether every 503 overlapped a window when
the database was down, recovery time after each fault, and checks every acknowledged write
(302 after the save) against the database afterwards.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.admin.support import UUID_RE, form_values  # noqa: E402
from tests.helpers import (  # noqa: E402
    DEFAULT_PASSWORD,
    alembic_config,
    csrf_token_from,
    free_port,
    run_alembic,
)
from tests.production.servers import (  # noqa: E402
    HttpClient,
    gunicorn_env,
    start_gunicorn,
    terminate_backends,
)
from webadmin.models import Genre, Song, UserRole  # noqa: E402
from webadmin.services.users import create_user  # noqa: E402

# One account per client (people do not share accounts). Several clients signing in to the
# same account at the same moment is a race of its own: see the RELIABILITY notes.
ADMINS = [f"load-admin-{n}@example.test" for n in range(16)]
SLACK = 1.0  # seconds: a request finishing this long after the database is back still counts


# ---- a PostgreSQL cluster of our own ----------------------------------------------------------
class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)  # noqa: S603

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                  "-c fsync=on -c max_connections=100", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


# ---- what the clients do ----------------------------------------------------------------------
@dataclass
class Record:
    started: float
    ended: float
    status: int  # 0: no answer (connection error)
    kind: str


@dataclass
class Ledger:
    """Acknowledged writes: what the database must show afterwards."""

    genres: dict[str, str] = field(default_factory=dict)  # name → description ("" if none)
    deleted_genres: set[str] = field(default_factory=set)
    songs: dict[str, str] = field(default_factory=dict)  # title → lyrics marker
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: int = 0


class Client:
    def __init__(self, number: int, port: int, start: float, records: list[Record],
                 ledger: Ledger) -> None:
        self.number, self.port, self.t0 = number, port, start
        self.http = HttpClient("http", port, timeout=30)
        self.records, self.ledger = records, ledger
        self.random = random.Random(number)
        self.my_genres: dict[str, str] = {}  # public_id → name (created by me, live)
        self.my_songs: dict[str, str] = {}
        self.sequence = 0

    def call(self, kind: str, method: str, path: str, data: dict | None = None):
        started = time.monotonic() - self.t0
        try:
            if method == "GET":
                reply = self.http.get(path)
            else:
                reply = self.http.post_form(path, data or {})
            status = reply.status
        except OSError:
            reply, status = None, 0
        self.records.append(Record(started, time.monotonic() - self.t0, status, kind))
        return reply

    def sign_in(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            page = self.call("sign-in", "GET", "/login")
            if page is not None and page.status == 200:
                reply = self.call("sign-in", "POST", "/login", {
                    "email": ADMINS[self.number % len(ADMINS)], "password": DEFAULT_PASSWORD,
                    "csrf_token": csrf_token_from(page.body)})
                if reply is not None and reply.status == 302:
                    return True
            time.sleep(0.5)
        return False

    def form(self, kind: str, path: str):
        page = self.call(kind, "GET", path)
        if page is None or page.status != 200:
            if page is not None and page.status in (302, 401):
                self.http.cookies.clear()
            return None, None
        return page, dict(form_values(page.body), csrf_token=csrf_token_from(page.body))

    def create_genre(self) -> None:
        self.sequence += 1
        name = f"load-{self.number}-{self.sequence}"
        page, data = self.form("write", "/genres/new")
        if data is None:
            return
        data.update(name=name, slug="", description="created")
        reply = self.call("write", "POST", "/genres/new", data)
        if reply is not None and reply.status == 302:
            with self.ledger.lock:
                self.ledger.genres[name] = "created"
                self.ledger.acknowledged += 1
            found = self.call("read", "GET", f"/genres/?q={name}")
            if found is not None and found.status == 200:
                ids = re.findall(rf"/genres/({UUID_RE})/edit", found.body)
                if ids:
                    self.my_genres[ids[0]] = name

    def edit_genre(self) -> None:
        if not self.my_genres:
            return self.create_genre()
        public_id, name = self.random.choice(sorted(self.my_genres.items()))
        self.sequence += 1
        marker = f"edited-{self.sequence}"
        page, data = self.form("write", f"/genres/{public_id}/edit")
        if data is None:
            return None
        data["description"] = marker
        reply = self.call("write", "POST", f"/genres/{public_id}/edit", data)
        if reply is not None and reply.status == 302:
            with self.ledger.lock:
                self.ledger.genres[name] = marker
                self.ledger.acknowledged += 1
        return None

    def delete_genre(self) -> None:
        if not self.my_genres:
            return self.create_genre()
        public_id, name = self.random.choice(sorted(self.my_genres.items()))
        page, data = self.form("write", f"/genres/{public_id}/delete")
        if data is None:
            return None
        reply = self.call("write", "POST", f"/genres/{public_id}/delete",
                          {"csrf_token": data["csrf_token"]})
        if reply is not None and reply.status == 302:
            self.my_genres.pop(public_id, None)
            with self.ledger.lock:
                self.ledger.deleted_genres.add(name)
                self.ledger.acknowledged += 1
        return None

    def create_song(self) -> None:
        self.sequence += 1
        title = f"load-song-{self.number}-{self.sequence}"
        page, data = self.form("write", "/songs/new")
        if data is None:
            return
        for select_name in ("artist", "genre"):
            block = re.search(rf'<select[^>]*name="{select_name}".*?</select>', page.body, re.S)
            options = re.findall(r'<option value="([^"]+)"', block.group(0)) if block else []
            if options:
                data[select_name] = options[0]
        data.update(title=title, duration_seconds="3:00", lyrics="la la", isrc="")
        reply = self.call("write", "POST", "/songs/new", data)
        if reply is not None and reply.status == 302:
            with self.ledger.lock:
                self.ledger.songs[title] = "la la"
                self.ledger.acknowledged += 1

    def read(self) -> None:
        path = self.random.choice(["/", "/songs/", "/genres/", "/songs/?sort=-created",
                                   "/genres/?q=load", "/users/", "/plans/"])
        reply = self.call("read", "GET", path)
        if reply is not None and reply.status == 302:  # signed out (session ended): sign in
            self.http.cookies.clear()

    def run(self, until: float) -> None:
        actions = [self.read] * 6 + [self.create_genre, self.edit_genre, self.delete_genre,
                                     self.create_song]
        while time.monotonic() < until:
            if "session" not in self.http.cookies and not self.sign_in(until):
                return
            self.random.choice(actions)()


# ---- the run ------------------------------------------------------------------------------------
def seed(url: str) -> None:
    engine = create_engine(url)
    with Session(engine) as db:
        for email in ADMINS:
            create_user(db, email=email, display_name=email.split("@")[0],
                        password=DEFAULT_PASSWORD, role=UserRole.superadmin)
        create_user(db, email="load-singer@example.test", display_name="Load Singer",
                    password=DEFAULT_PASSWORD, role=UserRole.singer)
        db.add(Genre(name="Seed genre", slug="seed-genre", description=""))
        db.commit()
    engine.dispose()


def faults(cluster: Cluster, url: str, database: str, t0: float, seconds: float,
           windows: list[tuple[str, float, float]]) -> None:
    plan = [(0.2, "terminate"), (0.45, "restart"), (0.75, "terminate")]
    for fraction, kind in plan:
        while time.monotonic() - t0 < seconds * fraction:
            time.sleep(0.05)
        begin = time.monotonic() - t0
        if kind == "terminate":
            count = terminate_backends(cluster.url(), database)
            windows.append((f"terminate ({count} backends)", begin, time.monotonic() - t0))
        else:
            cluster.stop()
            time.sleep(3)  # the database stays down for a few seconds
            cluster.start()
            windows.append(("restart", begin, time.monotonic() - t0))


def verify(url: str, ledger: Ledger) -> tuple[int, list[str]]:
    engine = create_engine(url)
    missing: list[str] = []
    with Session(engine) as db:
        genres = {g.name: g for g in db.scalars(select(Genre).where(Genre.name.like("load-%")))}
        songs = {s.title: s for s in db.scalars(select(Song).where(Song.title.like("load-%")))}
    engine.dispose()
    found = 0
    for name, description in ledger.genres.items():
        genre = genres.get(name)
        if genre is None:
            missing.append(f"genre {name} missing")
            continue
        if name in ledger.deleted_genres:
            if genre.deleted_at is None:
                missing.append(f"genre {name} not deleted")
                continue
        elif genre.deleted_at is not None or (genre.description or "") != description:
            missing.append(f"genre {name}: {genre.description!r} != {description!r}")
            continue
        found += 1
    for title in ledger.songs:
        if title in songs and songs[title].deleted_at is None:
            found += 1
        else:
            missing.append(f"song {title} missing")
    return found, missing


def summarize(records: list[Record], windows: list[tuple[str, float, float]],
              ledger: Ledger, found: int, missing: list[str], seconds: float,
              clients: int) -> str:
    statuses = collections.Counter(r.status for r in records)
    down = [(begin - SLACK, end + SLACK) for _k, begin, end in windows]
    outside = [r for r in records if r.status == 503
               and not any(r.started <= e and r.ended >= b for b, e in down)]
    lines = [f"- clients: {clients} threads for {seconds:.0f} s against gunicorn 2 workers × 4 "
             "threads, PostgreSQL of its own",
             f"- requests: {len(records):,} ({sum(r.kind == 'write' for r in records):,} in "
             "write flows)",
             "- status counts: " + ", ".join(f"{s or 'no answer'}: {n:,}"
                                            for s, n in sorted(statuses.items())),
             f"- 500s: {statuses.get(500, 0)}",
             f"- 503s: {statuses.get(503, 0)}, outside an outage window: {len(outside)}"]
    for kind, begin, end in windows:
        during = [r for r in records if r.status == 503 and r.started <= end + SLACK
                  and r.ended >= begin - SLACK]
        after = sorted(r.ended for r in records if r.started >= end and r.status
                       and r.status < 500)
        recovery = (after[0] - end) if after else float("nan")
        lines.append(f"- {kind}: database down {begin:.1f}–{end:.1f} s "
                     f"({end - begin:.1f} s); 503s overlapping it: {len(during)}; first "
                     f"success {recovery:.2f} s after it was back")
    lines.append(f"- acknowledged writes: {ledger.acknowledged:,}; rows checked: "
                 f"{len(ledger.genres) + len(ledger.songs):,}; found as acknowledged: {found:,};"
                 f" missing or different: {len(missing)}")
    lines.extend(f"  - {item}" for item in missing[:20])
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="webadmin-load-fault-"))
    cluster = Cluster(folder)
    gunicorn = None
    try:
        cluster.init()
        cluster.start()
        database = "webadmin_load"
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        url = cluster.url(database)
        run_alembic(alembic_config(url), "upgrade", "head")
        seed(url)
        env = gunicorn_env(url, SESSION_COOKIE_SECURE="false", GUNICORN_THREADS="4",
                           DB_CONNECT_TIMEOUT="3", DB_POOL_TIMEOUT="5")
        gunicorn = start_gunicorn(folder / "gunicorn", env)
        print(f"PostgreSQL on port {cluster.port}, gunicorn on port {gunicorn.port}",
              flush=True)

        records: list[Record] = []
        ledger = Ledger()
        windows: list[tuple[str, float, float]] = []
        t0 = time.monotonic()
        until = t0 + args.seconds
        threads = [threading.Thread(target=Client(n, gunicorn.port, t0, records, ledger).run,
                                    args=(until,), daemon=True) for n in range(args.clients)]
        fault_thread = threading.Thread(target=faults, args=(
            cluster, url, database, t0, args.seconds, windows), daemon=True)
        for thread in [*threads, fault_thread]:
            thread.start()
        for thread in [*threads, fault_thread]:
            thread.join(timeout=args.seconds + 120)

        found, missing = verify(url, ledger)
        report = summarize(records, windows, ledger, found, missing, args.seconds,
                           args.clients)
        logs = gunicorn.logs()
        report += (f"\n- gunicorn log: {logs.count('Traceback')} tracebacks, "
                   f"{logs.count('[CRITICAL] WORKER TIMEOUT')} worker timeouts")
        errors = collections.Counter(
            line.strip()[:160] for line in logs.splitlines()
            if re.match(r"^[a-z_.]+\.[A-Za-z]*(Error|Exception)\b", line.strip()))
        report += "".join(f"\n  - {count} × {line}" for line, count in errors.most_common(8))
        (folder.parent / "load_fault_gunicorn.log").write_text(logs)
        print(report)
        if args.out:
            args.out.write_text(report + "\n")
        ok = (not missing and all(r.status != 500 for r in records))
        return 0 if ok else 1
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        try:
            cluster.stop()
        except subprocess.SubprocessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
