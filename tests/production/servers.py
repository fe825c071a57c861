"""Real servers for the production tests: gunicorn (the app as deployed) and Debian's nginx.

Each runs in its own process group with its output in files under the test's temp folder; the
fixtures stop what they start (SIGTERM to the group, SIGKILL after a grace period).
"""

from __future__ import annotations

import http.client
import os
import re
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.helpers import DEFAULT_PASSWORD, alembic_config, free_port, run_alembic
from webadmin import PROJECT_ROOT
from webadmin.models import UserRole
from webadmin.services.users import create_user

GUNICORN = Path(PROJECT_ROOT) / ".venv" / "bin" / "gunicorn"
NGINX = Path("/usr/sbin/nginx")
SECRET = "production-test-secret-0123456789-abcdefghijklmnop"
START_TIMEOUT = 30.0
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def stop_process_group(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM to the master (it stops its own workers); if it hangs, SIGKILL to its group —
    while the master is not yet reaped, so the group id is still ours."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
        return
    except subprocess.TimeoutExpired:
        pass
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=grace)


def children_of(pid: int) -> set[int]:
    """Live child processes of ``pid`` (gunicorn's workers), read from /proc."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.add(int(stat.parent.name))
    return children


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    access_log: Path
    error_log: Path

    @property
    def master_pid(self) -> int:
        return self.process.pid

    def workers(self) -> set[int]:
        return children_of(self.master_pid)

    def logs(self) -> str:
        return self.error_log.read_text(errors="replace") + self.access_log.read_text(
            errors="replace")

    def stop(self) -> None:
        stop_process_group(self.process)


def gunicorn_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PROXY_FIX_", "GUNICORN_", "TEST_", "PYTEST"))}
    env.update({
        "WEBADMIN_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        # Production with 2 workers must count sign-in attempts in a shared store (gunicorn
        # refuses memory:// then). Keys live under the database's name, so runs don't meet; with
        # no Redis answering each worker counts on its own.
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/11",
        "GUNICORN_BIND": "127.0.0.1:0",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


def start_gunicorn(workdir: Path, env: dict[str, str], name: str = "gunicorn") -> Gunicorn:
    workdir.mkdir(parents=True, exist_ok=True)
    access_log, error_log = workdir / f"{name}.access.log", workdir / f"{name}.error.log"
    with open(access_log, "wb") as out, open(error_log, "wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT, env=env,
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
    server = Gunicorn(process, 0, access_log, error_log)
    try:
        def listening() -> int | None:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{server.logs()}")
            match = LISTENING.search(error_log.read_text(errors="replace"))
            return int(match.group(1)) if match else None

        server.port = wait_for(listening, START_TIMEOUT, "gunicorn to listen")
        wait_for(lambda: len(server.workers()) == int(env["GUNICORN_WORKERS"]), START_TIMEOUT,
                 "gunicorn's workers")
        wait_for(lambda: _status(server.port, "/healthz") == 200, START_TIMEOUT,
                 "gunicorn to answer /healthz")
    except BaseException:
        server.stop()
        raise
    return server


def _status(port: int, path: str) -> int | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


# ---- nginx -------------------------------------------------------------------------------------

NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 64; }}
http {{
    log_format proxied '$remote_addr "$request" $status request_id=$request_id';
    access_log {root}/access.log proxied;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;

    upstream webadmin {{ server 127.0.0.1:{upstream_port}; keepalive 4; keepalive_timeout 4s; }}

    server {{
        listen 127.0.0.1:{https_port} ssl;
        listen 127.0.0.1:{http_port};
        server_name localhost;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        client_max_body_size 4m;

        location = /admin {{ return 301 $scheme://$http_host/admin/; }}
        location /admin/ {{
            include {root}/proxy_params.conf;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    process: subprocess.Popen
    root: Path
    http_port: int
    https_port: int
    ssl_context: ssl.SSLContext = field(repr=False)

    def access_log(self) -> str:
        path = self.root / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        stop_process_group(self.process)


def make_certificate(root: Path) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60)


def start_nginx(root: Path, upstream_port: int, proxy_params: Path) -> Nginx:
    """nginx in front of gunicorn with deploy/'s proxy settings, everything inside ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    make_certificate(root)
    # The location block uses deploy/nginx/proxy_params.conf, pointed at our upstream.
    (root / "proxy_params.conf").write_text(proxy_params.read_text())
    user = "user root root;" if os.geteuid() == 0 else ""
    context = ssl.create_default_context(cafile=str(root / "cert.pem"))
    last_error = ""
    for _attempt in range(5):  # a free port can be taken between picking and binding it
        http_port, https_port = free_port(), free_port()
        (root / "nginx.conf").write_text(NGINX_CONF.format(
            user=user, root=root, upstream_port=upstream_port, http_port=http_port,
            https_port=https_port))
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(NGINX), "-p", str(root), "-c", str(root / "nginx.conf"), "-e",
             str(root / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            start_new_session=True)
        server = Nginx(process, root, http_port, https_port, context)
        try:
            wait_for(lambda p=process, port=http_port: p.poll() is not None
                     or _status(port, "/") is not None, START_TIMEOUT, "nginx to listen")
        except BaseException:
            server.stop()
            raise
        if process.poll() is None:
            return server
        last_error = (root / "error.log").read_text(errors="replace")
        if "in use" not in last_error:
            break
    raise AssertionError(f"nginx did not start:\n{last_error}")


# ---- a database of the test's own, and a small HTTP client -------------------------------------

def terminate_backends(url: str, database: str | None = None) -> int:
    """Kill every connection to ``database`` (default: the one ``url`` names) but the one asking,
    through ``url``: how many there were."""
    database = database or make_url(url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).all())
    finally:
        engine.dispose()


@contextmanager
def dedicated_database(base_url: str, suffix: str, folder: Path) -> Iterator[str]:
    """A fresh database migrated to head: a SQLite file in ``folder``, or ``<db>_<suffix>`` on
    the test PostgreSQL server (so servers committing to it never touch the suite's database)."""
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        own = f"sqlite:///{folder / f'{suffix}.db'}"
        run_alembic(alembic_config(own), "upgrade", "head")
        yield own
        return
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    own = url.set(database=name).render_as_string(hide_password=False)
    try:
        run_alembic(alembic_config(own), "upgrade", "head")
        yield own
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def create_superadmin(url: str, email: str) -> None:
    engine = create_engine(url)
    try:
        with Session(engine) as db:
            create_user(db, email=email, display_name="Proxy Admin", password=DEFAULT_PASSWORD,
                        role=UserRole.superadmin)
            db.commit()
    finally:
        engine.dispose()


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class HttpClient:
    """Speaks to one origin like a browser that never follows redirects: keeps cookies (Secure
    ones only over https) and sends what it is told."""

    scheme: str
    port: int
    ssl_context: ssl.SSLContext | None = None
    cookies: dict[str, tuple[str, bool]] = field(default_factory=dict)
    timeout: float = 30.0

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Reply:
        if self.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=self.timeout, context=self.ssl_context)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = dict(headers or {})
        cookie = "; ".join(f"{name}={value}" for name, (value, secure) in self.cookies.items()
                           if self.scheme == "https" or not secure)
        if cookie:
            sent["Cookie"] = cookie
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers,
                          response.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                self.cookies[name] = (morsel.value, bool(morsel["secure"]))
        return reply

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict[str, str], **kwargs) -> Reply:
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   **kwargs.pop("headers", {})}
        return self.request("POST", path, headers=headers, body=urlencode(data).encode(),
                            **kwargs)


# ---- a TCP proxy the test can cut -------------------------------------------------------------

class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``stop()`` refuses new connections and cuts every
    open one (the database "goes away"), ``start()`` serves again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._spawn(self._accept_loop, self._listener)

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = [thread for thread in self._threads if thread.is_alive()]

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            self._spawn(self._relay, client, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy bytes both ways until either side closes, then close both."""
        peer = {client: upstream, upstream: client}
        try:
            with selectors.DefaultSelector() as selector:
                for sock in peer:
                    selector.register(sock, selectors.EVENT_READ)
                while client in self._sockets:  # stop() empties the set
                    for key, _ in selector.select(timeout=0.2):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peer[key.fileobj].sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._sockets.difference_update(peer)
            for sock in peer:
                sock.close()
