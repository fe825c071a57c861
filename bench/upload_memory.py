"""Memory of a gunicorn worker while it receives a large audio upload.

    .venv/bin/python bench/upload_memory.py [--mb 150] [--floor-mb 1]

Starts gunicorn (1 worker, 1 thread, as shipped: gunicorn.conf.py) on 127.0.0.1 with a scratch
SQLite database and local media storage, signs in as a singer, and uploads a valid WAV of
``--mb`` megabytes to one song through POST /songs/<id>/media/audio, streamed from disk. The
worker's peak RSS is reset before each upload (/proc/<pid>/clear_refs) and read after it
(VmHWM), and also sampled every 5 ms; the same is done for a ``--floor-mb`` upload in the same
run, so the figure reads as "the big file costs what a small one costs".
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import free_port  # noqa: E402

PASSWORD = "bench password 12345"  # noqa: S105 - a scratch account
EMAIL = "bench-singer@example.test"


def write_wav(path: Path, megabytes: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        chunk = b"\x01\x00\xff\xff" * 262144  # 1 MB of frames
        for _ in range(megabytes):
            wav.writeframesraw(chunk)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.005)


class Client:
    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body=None, headers=None, length=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.putrequest(method, path)
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            all_headers["Content-Length"] = str(length if length is not None else len(body))
        for name, value in all_headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        if isinstance(body, bytes):
            conn.send(body)
        elif body is not None:
            for chunk in body:
                conn.send(chunk)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), data.decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        _status, _headers, page = self.request("GET", path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def upload(client: Client, song_path: str, wav: Path) -> tuple[int, float]:
    token = client.csrf(song_path + "/edit")
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{wav.name}\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with open(wav, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk
        yield tail

    started = time.perf_counter()
    status, _headers, _page = client.request(
        "POST", song_path + "/media/audio", body(),
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        length=len(head) + wav.stat().st_size + len(tail))
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=150)
    parser.add_argument("--floor-mb", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="webadmin-upload-bench-"))
    env = {**os.environ, "WEBADMIN_ENV": "development", "SECRET_KEY": "x" * 48,
           "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
           "MEDIA_LOCAL_ROOT": str(work / "media"), "GUNICORN_WORKERS": "1",
           "GUNICORN_THREADS": "1", "GUNICORN_TIMEOUT": "300", "GUNICORN_ACCESS_LOG": "",
           "TMPDIR": str(work)}
    server = None
    try:
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=300)
        setup = (
            "from webadmin import create_app\n"
            "from webadmin.db import get_db\n"
            "from webadmin.models import Genre, Song, UserRole\n"
            "from webadmin.services.users import create_user\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    s = get_db(app).session()\n"
            f"    u = create_user(s, email='{EMAIL}', display_name='Bench',"
            f" password='{PASSWORD}', role=UserRole.singer)\n"
            "    g = Genre(name='Bench genre', slug='bench-genre'); s.add(g)\n"
            "    song = Song(title='Bench song', artist=u, genre=g, duration_seconds=60,"
            " lyrics='')\n"
            "    s.add(song); s.commit(); print(song.public_id)\n")
        probe = subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        if probe.returncode:
            sys.exit(probe.stderr)
        public_id = probe.stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
             "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=open(work / "gunicorn.log", "w"))  # noqa: SIM115
        client = Client(port)
        for _ in range(200):
            try:
                client.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        worker = int(children[0])
        token = client.csrf("/login")
        body = f"csrf_token={token}&email={EMAIL}&password={PASSWORD.replace(' ', '+')}"
        status, _h, _p = client.request("POST", "/login", body.encode(), {
            "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, status
        song_path = f"/songs/{public_id}"
        client.request("GET", song_path + "/edit")  # warm the page and its templates
        rows = []
        for label, megabytes in (("floor", args.floor_mb), ("big", args.mb)):
            wav = work / f"{label}.wav"
            write_wav(wav, megabytes)
            client.csrf(song_path + "/edit")
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset VmHWM
            before = rss_kb(worker)
            sampler = Sampler(worker)
            sampler.start()
            status, seconds = upload(client, song_path, wav)
            sampler.running = False
            sampler.join()
            peak = max(rss_kb(worker, "VmHWM"), sampler.peak)
            rows.append((label, wav.stat().st_size, status, seconds, before, peak))
            wav.unlink()
        print("| upload | size | status | time | worker RSS before | peak during | increase |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, size, status, seconds, before, peak in rows:
            print(f"| {label} | {size / 1e6:.1f} MB | {status} | {seconds:.2f} s | "
                  f"{before / 1024:.1f} MiB | {peak / 1024:.1f} MiB | "
                  f"{(peak - before) / 1024:+.1f} MiB |")
        big, floor = rows[1], rows[0]
        print(f"\n{big[1] / floor[1]:.0f}× the bytes; increase {((big[5] - big[4]) / 1024):.1f} "
              f"MiB vs {((floor[5] - floor[4]) / 1024):.1f} MiB for the floor.")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
