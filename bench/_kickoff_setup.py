"""The kick-off benchmark's stage: venues, teams and members with PINs, app nodes, nginx, and
the database checks afterwards (``bench/kickoff.py``)."""
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from bench._learners import COURSE
from bench._server import HOST, REPO, Gunicorn, make_app

NGINX_CONF = REPO / "deploy" / "nginx.conf"
LEADER_PASSWORD = "kickoff-leader-passphrase-2026"


def venue_address(venue, gathering=0):
    """The network address a venue's citizens share at one ``gathering`` (in
    ``X-Forwarded-For`` only: every packet goes to 127.0.0.1). Each run of the benchmark is
    another gathering, in other halls: the venue limits count per address over 15 minutes,
    and one hall does not host the search runs and the kick-off within that time."""
    return f"10.{20 + gathering % 200}.{venue // 250}.{venue % 250 + 1}"


def create_teams(url, venues, members_per_venue):
    """One commune, team leader and team per venue (the first ``venues`` communes of province
    1), with ``members_per_venue`` members each enrolled in the course, through the product's
    services (``teams.add_members`` makes the one-time PINs). Returns the venues' commune codes
    and ``[[(username, PIN), ...] per venue]``."""
    from sqlmodel import Session, select

    from digilit.models import Commune, Role
    from digilit.services import accounts, teams

    app = make_app(url)
    engine = app.extensions["digilit.engine"]
    cards = []
    try:
        # A POST request context: services build translatable messages, and SQLite's write
        # lock is taken up front (BEGIN IMMEDIATE), as in a real request.
        with app.test_request_context("/", method="POST"):
            with Session(engine, expire_on_commit=False) as session:
                communes = session.exec(select(Commune).where(Commune.province_code == 1)
                                        .order_by(Commune.code).limit(venues)).all()
                for venue, commune in enumerate(communes):
                    leader = accounts.create_user(
                        session=session, username=f"kickoffleader{venue:02d}",
                        full_name=f"Tổ trưởng {venue}", password=LEADER_PASSWORD,
                        role=Role.team_leader, province_code=commune.province_code,
                        commune_code=commune.code)
                    team = teams.create_team(session=session, actor=leader,
                                             name=f"Tổ công nghệ số {venue}")
                    people = [teams.NewMember(full_name=f"Thành viên {venue} {i}")
                              for i in range(members_per_venue)]
                    added = teams.add_members(session=session, team=team, people=people,
                                              course_slugs=[COURSE])
                    cards.append([(user.username, pin) for user, pin in added])
                    session.commit()
    finally:
        engine.dispose()
    return [(c.province_code, c.code) for c in communes], cards


def check_lessons(url, acknowledged):
    """Lesson completions stored for the citizens of the runs against those acknowledged:
    ``{"stored", "acknowledged", "missing", "unacknowledged_stored", "duplicates"}``."""
    from sqlalchemy import bindparam, create_engine, text

    users = sorted({username for username, _lesson in acknowledged})
    engine = create_engine(url)
    stored = []
    try:
        with engine.connect() as connection:
            # "user" is a reserved word in PostgreSQL: quoted, it names the table on both.
            query = text('SELECT u.username, p.lesson_slug FROM lessonprogress p '
                         'JOIN "user" u ON u.id = p.user_id WHERE p.course_slug = :c '
                         'AND u.username IN :names').bindparams(
                bindparam("names", expanding=True))
            for start in range(0, len(users), 500):
                stored += connection.execute(query, {"c": COURSE,
                                                     "names": users[start:start + 500]}).all()
    finally:
        engine.dispose()
    pairs = [tuple(row) for row in stored]
    return {"stored": len(pairs), "acknowledged": len(acknowledged),
            "missing": len(set(acknowledged) - set(pairs)),
            "unacknowledged_stored": len(set(pairs) - set(acknowledged)),
            "duplicates": len(pairs) - len(set(pairs))}


# --- processes ----------------------------------------------------------------------------------

def worker_rss(server):
    """``{pid: resident MB}`` of a gunicorn node's workers (``VmRSS`` in /proc/<pid>/status)."""
    sizes = {}
    for pid in server.worker_pids():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if found:
            sizes[pid] = int(found.group(1)) / 1024
    return sizes


def start_node(url, workers, log_path):
    """A gunicorn node (``bench._server.Gunicorn``) behind which sits one trusted proxy: the
    benchmark's own requests, or nginx (``TRUSTED_PROXIES=1``, set in ``os.environ`` by the
    caller, which every node inherits)."""
    assert os.environ.get("TRUSTED_PROXIES") == "1"
    node = Gunicorn(url, workers, log_path)
    node.wait_ready()
    return node


def kill_node(node):
    """SIGKILL the node's master and every worker at once, as a crashed machine would."""
    pids = [node.process.pid, *node.worker_pids()]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    node.process.wait(timeout=10)
    return len(pids)


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def render_nginx(listen_port, node_ports, static_dir):
    """``deploy/nginx.conf`` with the benchmark's loopback ports and static folder, plus the
    lines that let it believe the venue address in the benchmark's ``X-Forwarded-For`` (the
    benchmark's citizens all come from 127.0.0.1). Fails loudly if the config changed shape."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    servers = re.findall(r"^\s*server 10\.0\.0\.\d+:8000 (.*);$", text, re.MULTILINE)
    if len(servers) != 2:
        raise RuntimeError("deploy/nginx.conf: expected two `server 10.0.0.x:8000` lines")
    options = servers[0]
    upstream = "\n".join(f"    server {HOST}:{port} {options};" for port in node_ports)
    text = re.sub(r"(^\s*server 10\.0\.0\.\d+:8000 .*;\n)+", upstream + "\n", text,
                  flags=re.MULTILINE)
    replacements = [
        (r"^(\s*)listen 80;$", rf"\1listen {HOST}:{listen_port};\n"
         rf"\1set_real_ip_from {HOST};\n\1real_ip_header X-Forwarded-For;"),
        (r"^(\s*)alias /srv/digilit/platform/digilit/static/;$", rf"\1alias {static_dir}/;"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if count != 1:
            raise RuntimeError(f"deploy/nginx.conf: no line matches {pattern!r}")
    return text


MAIN_CONF = """# The benchmark's nginx: deploy/nginx.conf included as Debian's nginx.conf would.
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 8192; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/digilit.conf;
}}
"""


class Nginx:
    """Debian's nginx on loopback with a copy of deploy/nginx.conf."""

    def __init__(self, folder, listen_port, node_ports):
        self.folder, self.port = Path(folder) / "nginx", listen_port
        self.folder.mkdir()
        # Its workers run as an unprivileged user when started as root: they must reach the
        # temporary folders and the static files.
        for path in (self.folder, self.folder.parent):
            path.chmod(0o755)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / name).mkdir(mode=0o777)
            (self.folder / name).chmod(0o777)
        static = REPO / "platform" / "digilit" / "static"
        (self.folder / "digilit.conf").write_text(render_nginx(listen_port, node_ports, static))
        (self.folder / "nginx.conf").write_text(MAIN_CONF.format(folder=self.folder))
        command = [nginx_binary(), "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                   "-c", str(self.folder / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.wait_ready()

    def wait_ready(self, limit=20.0):
        import socket

        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited; see {self.folder / 'error.log'}")
            with socket.socket() as probe:
                if probe.connect_ex((HOST, self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("nginx did not start listening")

    def error_log(self):
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
