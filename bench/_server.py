"""What the benchmarks share to serve the product: its app, its command line, gunicorn on
loopback, a database's version, a fresh PostgreSQL database, percentiles, progress lines."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "BENCHMARKS.md"
HOST = "127.0.0.1"  # loopback only, never anything else
SECRET_KEY = "bench-load-secret-key"


def _healthz(port):
    """The status of ``GET /healthz`` on ``port``, or None when nothing answers."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def venv_tool(name):
    tool = Path(sys.executable).parent / name
    return str(tool) if tool.exists() else name


def app_environment(url):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    env.pop("TEST_DATABASE_URL", None)
    return env


def flask_cli(url, *args):
    command = [venv_tool("flask"), "--app", "wsgi", *args]
    done = subprocess.run(command, cwd=REPO, env=app_environment(url), capture_output=True,
                          text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{done.stdout}\n{done.stderr}")


class Gunicorn:
    def __init__(self, url, workers, log_path):
        self.port, self.workers, self.log_path = free_port(), workers, log_path
        self.command = [venv_tool("gunicorn"), "--config", "gunicorn.conf.py",
                        "--workers", str(workers), "--bind", f"{HOST}:{self.port}", "wsgi:app"]
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=REPO, env=app_environment(url),
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def worker_pids(self):
        """The master's children: /proc/<pid>/task/*/children, else ``ps --ppid``."""
        pids = set()
        try:
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                pids.update(int(p) for p in (task / "children").read_text().split())
            return sorted(pids)
        except OSError:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                                 capture_output=True, text=True).stdout
            return sorted(int(p) for p in out.split())

    def wait_ready(self, limit=120.0):
        """Until /healthz answers 200 and every worker runs; bounded."""
        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            if _healthz(self.port) == 200 and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn not ready after {limit:.0f} s; see {self.log_path}")

    def log_size(self):
        self.log.flush()
        return self.log_path.stat().st_size

    def log_since(self, offset):
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def stop(self):
        if self.process.poll() is None:
            workers = self.worker_pids()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *workers]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.process.wait(timeout=10)
        self.log.close()


def make_app(url):
    from digilit import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})


def fresh_pg_database(url, name="digilit_load"):
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def database_version(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT sqlite_version()" if engine.dialect.name == "sqlite"
                else "SHOW server_version")).scalar_one()
    finally:
        engine.dispose()


def percentile(values, share):
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def pg_port(preferred):
    """The port ``preferred`` (a string), or a free port when something already listens there (say so)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, int(preferred)))
            return preferred
        except OSError:
            pass
    port = str(free_port())
    say(f"port {preferred} is taken on {HOST}: the PostgreSQL server goes on port {port}")
    return port
