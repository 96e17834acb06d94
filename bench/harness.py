"""What every benchmark shares: a fresh schema on the PostgreSQL named by DATABASE_URL, Django set up in the
benchmark process for fixtures, a gunicorn server in its own process whose peak memory is read from /proc,
and the final ``RESULT {json}`` line.

The benchmarks own their database: each run drops and recreates its ``public`` schema, then migrates.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "crowdplatform.settings.local",
    # DEBUG keeps every query in memory; a server never runs with it.
    "DJANGO_DEBUG": "0",
    "LOG_LEVEL": "WARNING",
    # Persistent database connections, as a production web process has them.
    "DATABASE_CONN_MAX_AGE": "600",
}


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database the benchmark may wipe, e.g. postgres://postgres@127.0.0.1:5432/cp_bench"
        )
    return url


def _ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    try:
        psycopg2.connect(url).close()
    except psycopg2.OperationalError:
        admin = psycopg2.connect(parts._replace(path="/postgres").geturl())
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.close()


def setup(*, fresh: bool = True) -> str:
    """Point Django at DATABASE_URL in this process, optionally wipe and migrate the schema."""
    url = database_url()
    os.environ.update(SERVER_ENV)
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    _ensure_database(url)
    if fresh:
        import psycopg2

        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        conn.close()
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return url


def raw_connection(url: str):
    import psycopg2

    return psycopg2.connect(url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving ``crowdplatform.wsgi`` on 127.0.0.1, started as a separate process."""

    def __init__(
        self, *, workers: int = 1, worker_class: str = "sync", threads: int = 1, timeout: int = 1800
    ):
        self.port = free_port()
        self.args = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "crowdplatform.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--timeout",
            str(timeout),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ]
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url()}
        # The server's own log goes to a file, so that a failing request does not flood the figures.
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            self.args, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log.name}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        break
                except OSError:
                    pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        # Warm every worker up (imports, URL resolver) so that start-up is not in the figures.
        import http.client

        for _ in range(self.workers * 2):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            # An unauthenticated list: loads the URL conf and the API stack without building the schema.
            conn.request("GET", "/api/v1/campaigns/")
            conn.getresponse().read()
            conn.close()
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    @staticmethod
    def _status_kb(pid: int, key: str) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def peak_rss_mb(self) -> float:
        """Sum of the workers' peak resident memory (VmHWM): the processes that handle requests."""
        return round(sum(self._status_kb(p, "VmHWM") for p in self.worker_pids()) / 1024, 1)

    def master_rss_mb(self) -> float:
        return round(self._status_kb(self.process.pid, "VmHWM") / 1024, 1)


class LeanHttpClient:
    """A minimal HTTP/1.1 client for load generators: the request is sent as prepared bytes and only the
    status line, ``Content-Length`` and ``Connection`` of the answer are read.

    The load generator shares the machine's cores with the server and the database, so its own CPU is taken
    from the side it measures; ``http.client`` parses every header with the ``email`` package and costs
    about twice as much per request. Keeps the connection when the server does (gthread), opens a new one
    when the server closes it (gunicorn's sync workers answer ``Connection: close``).
    """

    def __init__(self, port: int, headers: dict[str, str], timeout: float = 60):
        self.address = ("127.0.0.1", port)
        self.timeout = timeout
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"127.0.0.1:{port}", **headers}.items())
        self.sock: socket.socket | None = None
        self.buffer = b""

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request and return (status, body); raises ``OSError`` if the connection fails."""
        message = f"{method} {path} HTTP/1.1\r\n{self.headers}Content-Length: {len(body)}\r\n\r\n".encode()
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=self.timeout)
            self.buffer = b""
        try:
            self.sock.sendall(message + body)
            head = self._read_until(b"\r\n\r\n")
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
            data = self._read_exactly(length)
        except (OSError, ValueError):
            self.close()
            raise
        if close:
            self.close()
        return status, data

    def _read_until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._receive()
        head, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return head

    def _read_exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._receive()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _receive(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-answer")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def token_for(user) -> str:
    from accounts.services import api_token_create

    return api_token_create(user=user, name="bench")[1]


def insert_select_sql(model, columns: dict[str, str], source: str) -> tuple[str, list]:
    """``INSERT INTO <model table> (...) SELECT ... <source>`` with SQL expressions for ``columns`` and the
    model's Python defaults for every other NOT NULL column, so the statement survives new model fields."""
    from django.db import connection

    names, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in columns:
            names.append(column)
            exprs.append(columns[column])
        elif not field.null and not field.primary_key:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                names.append(column)
                exprs.append("now()")
            elif field.has_default():
                names.append(column)
                exprs.append("%s")
                params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(exprs)} {source}"
    return sql, params


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[index]


def result(figures: dict) -> None:
    # Other work on the machine skews every figure; the load average says how busy it was.
    figures = {**figures, "load_avg_1m_at_end": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    print("RESULT " + json.dumps(figures, sort_keys=True), flush=True)
