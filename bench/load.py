"""The songs list under real load, side by side with a floor, in one run (issue 11).

    .venv/bin/python bench/load.py --songs 1000000 [--duration 10] [--rounds 2] [--write]

Creates and fills its own PostgreSQL database (``--database webadmin_bench``, through
bench/generate.py: ``--songs`` songs, 5,000 singers, 60 genres, deterministic) when it holds fewer
songs, then starts two servers on free 127.0.0.1 ports, each gunicorn with 2 sync workers:

* **webadmin** (``wsgi:app``, production settings), signed in as the benchmark superadmin (and as
  the busiest singer for the singer's own list);
* **the floor** (``bench/floor.py``): a plain WSGI function running the same keyset query on its
  own psycopg connection and joining an HTML string.

Load comes from ``wrk`` (Debian package; a separate process, one thread, ``--connections``
keep-alive connections, each run bounded by ``--duration``), A/B interleaved: for every scenario
and every round the app and the floor run back to back (the order flips each round), after a
1-second warm-up each. Scenarios: first page, a page 500,000 rows deep, search "love", a genre
filter, a singer's own list, the edit form, a save (every save a different song with a real
change, checked in the database afterwards). 50 rows a page.

Besides requests/s and p50/p95/p99 latency it reports, from the same app in-process, the SQL
statements and HTML bytes of one request, and each worker's RSS after the run. ``--write``
replaces the "Load" section of BENCHMARKS.md with the table, the machine and the command.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402

from bench.generate import BENCH_PASSWORD, in_process_app  # noqa: E402
from tests.helpers import csrf_token_from, free_port  # noqa: E402
from webadmin.admin.query import encode_cursor  # noqa: E402

PER_PAGE = 50
SAVE_SUFFIX = " ·"  # appended to a song's title by a save: a real change, once per song
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
VENV_BIN = Path(sys.executable).parent


@dataclass
class Scenario:
    label: str
    app: list[str]  # request lines: METHOD \t PATH [\t body]
    floor: list[str]
    cookie: str = "admin"  # which session the app side uses
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"app": [],
                                                                           "floor": []})
    unique: bool = False  # every request its own URL: the list cache never answers
    statements: int | None = None
    html_bytes: int | None = None
    floor_bytes: int | None = None


# --- the database -------------------------------------------------------------------------------
def ensure_database(name: str, songs: int) -> str:
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')  # name from our own command line
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}") as conn:
        exists = conn.execute("SELECT to_regclass('song') IS NOT NULL").fetchone()[0]
        have = conn.execute("SELECT count(*) FROM song").fetchone()[0] if exists else 0
    if have < songs:
        print(f"filling {name}: {have:,} songs, {songs:,} wanted", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--songs",
                        str(songs - have), "--singers", "5000", "--genres", "60"],
                       env={**os.environ, "DATABASE_URL": url}, check=True, timeout=3600)
    else:
        # Migrations only (a database filled by an older revision gets the new indexes).
        from tests.helpers import alembic_config, run_alembic
        run_alembic(alembic_config(url), "upgrade", "head")
    return url


def save_body(song: Any, csrf: str | None) -> str:
    duration = f"{song.duration_seconds // 60}:{song.duration_seconds % 60:02d}"
    fields = {"version_id": song.version_id, "title": song.title + SAVE_SUFFIX,
              "artist": str(song.artist_public_id), "genre": str(song.genre_public_id),
              "duration_seconds": duration,
              "release_date": song.release_date.isoformat() if song.release_date else "",
              "isrc": song.isrc or "", "status": song.status, "lyrics": song.lyrics or ""}
    if song.is_explicit:
        fields["is_explicit"] = "y"
    if csrf is not None:
        fields["csrf_token"] = csrf
    return urllib.parse.urlencode(fields)


def fixtures(url: str, rounds: int, save_pool: int) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(text("SELECT count(*) FROM song WHERE deleted_at IS NULL"))
        deep = conn.execute(text(
            "SELECT created_at, id FROM song WHERE deleted_at IS NULL "
            "ORDER BY created_at DESC, id DESC OFFSET :n LIMIT 1"),
            {"n": min(500_000, total - PER_PAGE - 1)}).one()
        genre = conn.execute(text("SELECT public_id FROM genre WHERE slug = 'rock'")).one()
        singer = conn.execute(text(
            "SELECT u.email, u.id, count(*) AS songs FROM song s JOIN user_account u "
            "ON u.id = s.artist_user_id WHERE s.deleted_at IS NULL AND u.email LIKE "
            "'bench-singer-%' GROUP BY u.email, u.id ORDER BY count(*) DESC, u.id LIMIT 1")).one()
        edit_ids = conn.scalars(text(
            "SELECT public_id FROM song WHERE deleted_at IS NULL ORDER BY id LIMIT 500")).all()
        # Songs never saved by an earlier run, one disjoint slice per side and round.
        pool = conn.execute(text(
            "SELECT s.public_id, s.title, s.duration_seconds, s.release_date, s.isrc, "
            "s.status, s.is_explicit, s.lyrics, s.version_id, a.public_id AS artist_public_id, "
            "g.public_id AS genre_public_id FROM song s "
            "JOIN user_account a ON a.id = s.artist_user_id JOIN genre g ON g.id = s.genre_id "
            "WHERE s.deleted_at IS NULL AND s.title NOT LIKE :saved "
            "ORDER BY s.id DESC LIMIT :n"),
            {"saved": "%" + SAVE_SUFFIX, "n": save_pool * 2 * rounds + 1}).all()
        love = conn.scalar(text(
            "SELECT count(*) FROM song WHERE deleted_at IS NULL AND title ILIKE '%love%'"))
    engine.dispose()
    return {"total": total, "deep": deep, "genre": genre.public_id, "singer": singer,
            "edit_ids": edit_ids, "pool": pool, "love": love}


# --- servers ----------------------------------------------------------------------------------
class Server:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int) -> None:
        self.name, self.port = name, port
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log",
                                               delete=False)
        self.process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env},
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{name} exited; log: {self.log.name}")
            try:
                urllib.request.urlopen(f"{self.base}/healthz" if name == "app" else
                                       f"{self.base}/songs/?per_page=1", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"{name} did not answer within 60 s; log: {self.log.name}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers_rss_mb(self) -> list[float]:
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                                  capture_output=True, text=True, timeout=10).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def gunicorn(app_spec: str, port: int) -> list[str]:
    return [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
            "--threads", "1", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
            "--access-logfile", "/dev/null", app_spec]


def sign_in(base: str, email: str) -> tuple[str, str]:
    """(Cookie header, a CSRF token of that session) after signing in over HTTP."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    body = urllib.parse.urlencode({"email": email, "password": BENCH_PASSWORD,
                                   "csrf_token": csrf_token_from(page)}).encode()
    opener.open(f"{base}/login", data=body, timeout=10).read()
    home = opener.open(f"{base}/account/password", timeout=10).read().decode()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, csrf_token_from(home)


# --- the load -----------------------------------------------------------------------------------
def wrk(base: str, lines: list[str], cookie: str, duration: float, connections: int,
        workdir: Path, unique: bool = False) -> dict[str, Any]:
    requests_file = workdir / "requests.txt"
    requests_file.write_text("\n".join(lines) + "\n")
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "10s", "-s",
            str(ROOT / "bench" / "wrk_requests.lua"), base, "--", str(requests_file),
            cookie or "-"] + (["unique"] if unique else [])
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    match = re.search(r"^RESULT (.*)$", out, re.M)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def in_process_figures(url: str, scenarios: list[Scenario], emails: dict[str, str],
                       save_song: Any) -> None:
    """SQL statements and HTML bytes of one request per scenario, from the app in-process."""
    from tests.helpers import Browser
    from webadmin.db import get_db

    app = in_process_app(url)
    browsers = {}
    for role, email in emails.items():
        browsers[role] = Browser(app.test_client())
        assert browsers[role].login(email, BENCH_PASSWORD).status_code == 302
    statements: list[str] = []
    event.listen(get_db(app).engine, "before_cursor_execute",
                 lambda _c, _cu, statement, *_a: statements.append(statement))
    for scenario in scenarios:
        browser = browsers[scenario.cookie]
        method, path, *rest = scenario.app[0].split("\t")
        if method == "POST":
            csrf = browser.token_for(path)
            body = urllib.parse.parse_qs(save_body(save_song, csrf))
            browser.client.get(path)
            statements.clear()
            response = browser.client.post(path, data={k: v[0] for k, v in body.items()})
            assert response.status_code == 302, (path, response.status_code)
        else:
            browser.get(path)
            statements.clear()
            # the same URL again: a cache hit; with ``unique``, a URL of its own: a miss
            response = browser.get(path + ("&_n=in-process" if scenario.unique else ""))
            assert response.status_code == 200, (path, response.status_code)
        scenario.statements = len(statements)
        scenario.html_bytes = len(response.get_data())
    get_db(app).engine.dispose()


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres") as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.split()[1]
    return (f"{os.cpu_count()} vCPU ({cpu}), {memory / 1024 / 1024:.0f} GB RAM, "
            f"PostgreSQL {version} on the same host, Python {platform.python_version()}, "
            f"wrk {wrk_version}")


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def report(scenarios: list[Scenario], meta: dict[str, Any]) -> str:
    lines = [
        f"Run {meta['when']}: {meta['total']:,} live songs, {PER_PAGE} rows a page, "
        f"{meta['rounds']} interleaved rounds × {meta['duration']:g} s per side and scenario, "
        f"wrk with {meta['connections']} connections. Machine: {meta['machine']}.",
        "",
        "Command: `" + meta["command"] + "`",
        "",
        "| scenario | webadmin req/s | p50 / p95 / p99 ms | floor req/s | floor p50 / p95 / p99 ms "
        "| ÷ floor | SQL statements | HTML bytes (floor) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scenarios:
        cells = []
        for side in ("app", "floor"):
            runs = s.runs[side]
            rps = sum(r["requests"] for r in runs) / (sum(r["duration_us"] for r in runs) / 1e6)
            lat = " / ".join(ms(statistics.median(r[k] for r in runs))
                             for k in ("p50_us", "p95_us", "p99_us"))
            cells.append((rps, lat))
        (app_rps, app_lat), (floor_rps, floor_lat) = cells
        lines.append(f"| {s.label} | {app_rps:,.0f} | {app_lat} | {floor_rps:,.0f} | {floor_lat} "
                     f"| {app_rps / floor_rps:.2f} | {s.statements} | "
                     f"{s.html_bytes:,} ({s.floor_bytes:,}) |")
    lines += ["", f"Worker RSS after the run: webadmin {meta['app_rss']}, floor "
              f"{meta['floor_rss']}."]
    if meta["problems"]:
        lines += ["", "Problems seen in this run: " + "; ".join(meta["problems"]) + "."]
    return "\n".join(lines)


def write_benchmarks(table: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    content = path.read_text()
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        content = head + block + rest.split(END, 1)[1]
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=1_000_000)
    parser.add_argument("--database", default="webadmin_bench")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--save-pool", type=int, default=20_000,
                        help="distinct songs per side and round for the save scenario")
    parser.add_argument("--only", default="", help="comma-separated scenario label prefixes")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--limit-store", default="redis://127.0.0.1:6379/13",
                        help="the app's shared sign-in limit store (production refuses a "
                             "per-worker one with 2 workers)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: apt-get install wrk")

    url = ensure_database(args.database, args.songs)
    data = fixtures(url, args.rounds, args.save_pool)
    pool, deep = data["pool"], data["deep"]
    in_process_song, pool = pool[0], pool[1:]
    after = encode_cursor("-created", deep.created_at, deep.id)
    page = f"per_page={PER_PAGE}"
    singer = data["singer"]

    def get(path: str) -> list[str]:
        return [f"GET\t{path}"]

    edits = [f"GET\t/songs/{public_id}/edit" for public_id in data["edit_ids"]]
    lists = [
        Scenario("first page", get(f"/songs/?{page}"), get(f"/songs/?{page}")),
        Scenario("page 500,000 rows deep", get(f"/songs/?{page}&after={after}"),
                 get(f"/songs/?{page}&after={after}")),
        Scenario(f"search “love” ({data['love']:,} hits)", get(f"/songs/?{page}&q=love"),
                 get(f"/songs/?{page}&q=love")),
        Scenario("genre filter (Rock)", get(f"/songs/?{page}&genre={data['genre']}"),
                 get(f"/songs/?{page}&genre={data['genre']}")),
        Scenario(f"a singer's own list ({singer.songs:,} songs)", get(f"/songs/?{page}"),
                 get(f"/songs/?{page}&artist={singer.id}"), cookie="singer"),
    ]
    # The same lists again with every request a URL of its own (an ignored parameter): the
    # app's list cache (webadmin/admin/listcache.py) answers none of them, so these rows are
    # what a page costs when it is read and drawn from scratch.
    scenarios = [
        *lists,
        *(Scenario(f"{s.label}, no cache hit", s.app, s.floor, cookie=s.cookie, unique=True)
          for s in lists),
        Scenario("edit form", edits, edits),
        Scenario("save", [f"POST\t/songs/{in_process_song.public_id}/edit"], []),
    ]
    if args.only:
        wanted = tuple(p.strip() for p in args.only.split(","))
        scenarios = [s for s in scenarios if s.label.startswith(wanted)]

    emails = {"admin": "bench-admin@example.com", "singer": singer.email}
    app_port, floor_port = free_port(), free_port()
    secret = os.urandom(32).hex()
    app = Server("app", gunicorn("wsgi:app", app_port), {
        "DATABASE_URL": url, "SECRET_KEY": secret, "WEBADMIN_ENV": "production",
        "SESSION_COOKIE_SECURE": "0", "LOG_LEVEL": "warning", "GUNICORN_ACCESS_LOG": "",
        "RATELIMIT_STORAGE_URI": args.limit_store}, app_port)
    floor = None
    problems: list[str] = []
    try:
        floor = Server("floor", gunicorn("bench.floor:app", floor_port), {
            "FLOOR_DATABASE_URL": url.replace("+psycopg", ""), "LOG_LEVEL": "warning",
            "RATELIMIT_STORAGE_URI": args.limit_store},  # gunicorn.conf.py checks it for any app
            floor_port)
        cookies = {role: sign_in(app.base, email) for role, email in emails.items()}
        saves: dict[str, list[str]] = {"app": [], "floor": []}
        per_side = len(pool) // 2
        for scenario in scenarios:
            if scenario.label == "save":
                csrf = cookies["admin"][1]
                for song in pool[:per_side]:
                    saves["app"].append(
                        f"POST\t/songs/{song.public_id}/edit\t{save_body(song, csrf)}")
                for song in pool[per_side:]:
                    saves["floor"].append(
                        f"POST\t/songs/{song.public_id}/edit\t{save_body(song, None)}")
        with tempfile.TemporaryDirectory() as workdir:
            for round_no in range(args.rounds):
                sides = ("app", "floor") if round_no % 2 == 0 else ("floor", "app")
                for scenario in scenarios:
                    for side in sides:
                        server = app if side == "app" else floor
                        if scenario.label == "save":
                            share = len(saves[side]) // args.rounds
                            lines = saves[side][round_no * share:(round_no + 1) * share]
                            warm = saves[side][-1:]  # a 1-line warm-up: one real save, then 409s
                        else:
                            lines = scenario.app if side == "app" else scenario.floor
                            warm = lines
                        cookie = cookies[scenario.cookie][0] if side == "app" else ""
                        wrk(server.base, warm, cookie, 1, args.connections, Path(workdir),
                            scenario.unique)
                        result = wrk(server.base, lines, cookie, args.duration,
                                     args.connections, Path(workdir), scenario.unique)
                        if scenario.label == "save" and result["requests"] > len(lines):
                            problems.append(f"save ({side}) ran out of distinct songs")
                        if result["non_2xx_3xx"] or result["socket_errors"]:
                            problems.append(f"{scenario.label} ({side}, round {round_no + 1}): "
                                            f"{result['non_2xx_3xx']} bad statuses, "
                                            f"{result['socket_errors']} socket errors")
                        scenario.runs[side].append(result)
                        print(f"round {round_no + 1} {scenario.label:<34} {side:<5} "
                              f"{result['rps']:8,.0f} req/s  p50 {ms(result['p50_us'])} ms  "
                              f"p99 {ms(result['p99_us'])} ms", flush=True)
        app_rss, floor_rss = app.workers_rss_mb(), floor.workers_rss_mb()
        for scenario in scenarios:
            if scenario.label != "save":
                method, path = scenario.floor[0].split("\t")[:2]
                scenario.floor_bytes = len(urllib.request.urlopen(
                    floor.base + path, timeout=10).read())
            else:
                scenario.floor_bytes = 0
    finally:
        app.stop()
        if floor is not None:
            floor.stop()
    # Statements and bytes in-process (after the load: a save there changes one more song).
    in_process_figures(url, scenarios, emails, in_process_song)
    if any(s.label == "save" for s in scenarios):
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            saved = conn.execute("SELECT count(*) FROM song WHERE title LIKE %s",
                                 ("%" + SAVE_SUFFIX,)).fetchone()[0]
        print(f"songs saved by this and earlier runs (title ends with “{SAVE_SUFFIX}”): {saved:,}")
    meta = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "total": data["total"],
            "rounds": args.rounds, "duration": args.duration, "connections": args.connections,
            "machine": machine(), "problems": problems,
            "command": ".venv/bin/python bench/load.py " + " ".join(sys.argv[1:]),
            "app_rss": " and ".join(f"{mb:.0f} MB" for mb in app_rss),
            "floor_rss": " and ".join(f"{mb:.0f} MB" for mb in floor_rss)}
    table = report(scenarios, meta)
    print()
    print(table)
    if args.write:
        write_benchmarks(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
