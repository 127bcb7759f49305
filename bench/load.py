"""Benchmark: learners taking the quiz under load, then while gunicorn workers are killed.

    .venv/bin/python -m bench.load [--database sqlite|postgresql|both] [--seconds 300]
                                   [--clients 200] [--workers CORES] [--kill-every 10]
    make bench-load                 # the same, full size

For each database: a fresh database (SQLite: a file in a temporary folder; PostgreSQL: a new
database ``digilit_load`` on the ``TEST_DATABASE_URL`` server, or, without it, this module runs
itself again under ``scripts/with-postgres.sh`` on port 54341, or on a free port if that one is
taken), migrated with ``flask --app wsgi db upgrade`` and ``geo import``; ``--clients``
learners created through the services (one real password hash, reused) with every lesson of
course ``e-id`` done; gunicorn with ``--workers`` workers on 127.0.0.1 and a free port. Then two phases of ``--seconds``
each, every client a thread that signs in (before the clock starts) and loops: GET the quiz,
POST the right answers (from the course files; every third attempt one answer wrong), GET the
result. An attempt counts as acknowledged only on a 302 to ``/courses/e-id/attempts/<id>``;
on a connection error or a 5xx the *same* form (same ``attempt_token``) is sent again, up to
``MAX_TRIES`` times. Phase 2 also kills one gunicorn worker with SIGKILL every
``--kill-every`` seconds (the master starts a new one).

After each phase: the stored attempts must be exactly the acknowledged ones (same ids, tokens
and scores; no duplicate token), the national ``attempts`` counter must equal them, and on
SQLite ``PRAGMA integrity_check`` must say ``ok``; no 5xx, no "database is locked" (nor any
traceback) in gunicorn's error log, no attempt left unacknowledged, no unexpected response.
Prints a table per database and phase, with the p50 of ``GET /healthz`` measured in the same
run (idle, before the phase, and under load) as the baseline; writes it to BENCHMARKS.md
(section "Load and faults", one block per database; the rest of the file is kept); exits
non-zero on any breach.

Only loopback (127.0.0.1) is ever contacted; every loop is bounded in time.

``python -m bench`` (``make bench``) discovers this module too: run that way (it calls
``main([])`` from ``bench.__main__``), it takes a modest profile, ``QUICK_ARGS`` (30 s per
phase, 50 clients, both databases), checks the same invariants, prints its figures and leaves
BENCHMARKS.md alone, so that ``make bench`` stays short and the full-size figures recorded by
``make bench-load`` are not replaced by a smaller run's.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bench._common import WORKERS, report_breaches
from bench._learners import (SIGN_IN_LIMIT, Client, Killer, Prober, Recorder, Shared,
                             run_client)
from bench._load_data import check_database, create_learners, right_answers
from bench._load_report import breaches, details, table, update_markdown
from bench._server import (BENCHMARKS, HOST, REPO, Gunicorn, database_version, flask_cli,
                           fresh_pg_database, percentile, pg_port, say)

PG_PORT = "54341"
GRACE = 420.0  # seconds past the deadline for the last clients to finish their attempt
IDLE_HEALTHZ = 50  # sequential GET /healthz before each phase (after WARM_UP): the baseline
WARM_UP = 10
QUICK_ARGS = ["--seconds", "30", "--clients", "50"]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=200, help="concurrent learners")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--kill-every", type=float, default=10.0,
                        help="seconds between worker kills in phase 2 (0: no phase 2)")
    parser.add_argument("--output", type=Path, default=BENCHMARKS,
                        help="the Markdown file to update (default BENCHMARKS.md)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.workers < 1 or args.kill_every < 0:
        parser.error("--clients, --seconds and --workers must be positive, --kill-every >= 0")
    return args


def idle_healthz(port):
    recorder = Recorder()
    client = Client(port, recorder)
    for _ in range(WARM_UP):
        client.request("warm-up", "GET", "/healthz")
    for _ in range(IDLE_HEALTHZ):
        client.request("GET /healthz (idle)", "GET", "/healthz")
    return percentile(recorder.latencies.get("GET /healthz (idle)", []), 50)


def run_phase(name, server, usernames, answers, seconds, kill_every, total_acked,
              url):
    """One phase; returns its figures (``total_acked``, every acknowledgement of the run on
    this database, is updated)."""
    baseline = idle_healthz(server.port)
    recorder = Recorder()
    shared = Shared(port=server.port, recorder=recorder, answers=answers)
    log_offset = server.log_size()
    threads = [threading.Thread(target=run_client, args=(shared, u), daemon=True)
               for u in usernames]
    say(f"{name}: {len(threads)} clients signing in ...")
    for thread in threads:
        thread.start()
    sign_in_started = time.monotonic()
    stop = sign_in_started + SIGN_IN_LIMIT
    while shared.signed_in + shared.sign_in_failed < len(threads) and time.monotonic() < stop:
        time.sleep(0.2)
    sign_in_seconds = time.monotonic() - sign_in_started
    sign_in_counts = Counter({k: n for k, n in recorder.counts.items()})
    say(f"{name}: {shared.signed_in} signed in, {shared.sign_in_failed} failed; "
        f"load for {seconds:.0f} s" + (f", a worker killed every {kill_every:g} s"
                                       if kill_every else ""))
    started = time.monotonic()
    shared.deadline = started + seconds
    prober, killer = Prober(server.port, recorder), None
    prober.start()
    if kill_every:
        killer = Killer(server, kill_every)
        killer.start()
    shared.go.set()
    next_report = started + 30
    while time.monotonic() < shared.deadline:
        time.sleep(0.5)
        if time.monotonic() >= next_report:
            next_report += 30
            say(f"{name}: {time.monotonic() - started:.0f} s, "
                f"{recorder.total() - sum(sign_in_counts.values())} requests, "
                f"{len(shared.acknowledged)} attempts acknowledged, "
                f"{recorder.total(status=lambda s: s == 'error')} connection errors, "
                f"{recorder.total(status=lambda s: s == 'timeout')} timeouts, "
                f"{recorder.total(status=lambda s: not isinstance(s, str) and s >= 500)} 5xx"
                + (f", {len(killer.kills)} workers killed" if killer else ""))
    if killer:
        killer.stopped.set()
        killer.join()
    finish_by = time.monotonic() + GRACE
    for thread in threads:
        thread.join(max(0.0, finish_by - time.monotonic()))
    elapsed = time.monotonic() - started
    prober.stopped.set()
    prober.join()
    still_running = sum(1 for thread in threads if thread.is_alive())
    try:
        server.wait_ready(60)  # the master has replaced every killed worker
        respawned = True
    except RuntimeError:
        respawned = False
    time.sleep(0.5)
    log = server.log_since(log_offset)

    with shared.lock:
        acknowledged = dict(shared.acknowledged)
        abandoned = list(shared.abandoned)
    for token, value in acknowledged.items():
        total_acked.setdefault(token, value)
    check = check_database(url, total_acked, abandoned)

    loop_counts = recorder.counts - sign_in_counts
    timed_requests = sum(n for (kind, _s), n in loop_counts.items()
                         if not kind.startswith("GET /healthz"))
    errors_5xx = sum(n for (_k, s), n in recorder.counts.items()
                     if not isinstance(s, str) and s >= 500)
    connection_errors = sum(n for (_k, s), n in recorder.counts.items() if s == "error")
    timeouts = sum(n for (_k, s), n in recorder.counts.items() if s == "timeout")
    posts = recorder.latencies.get("POST quiz", [])
    under_load = recorder.latencies.get("GET /healthz (under load)", [])
    result = {
        "phase": name, "seconds": round(elapsed, 1), "clients": len(usernames),
        "kill_every": kill_every, "kills": len(killer.kills) if killer else 0,
        "signed_in": shared.signed_in, "sign_in_failed": shared.sign_in_failed,
        "sign_in_seconds": round(sign_in_seconds, 1),
        "requests": timed_requests, "rps": timed_requests / elapsed if elapsed else 0.0,
        "post_p50": percentile(posts, 50), "post_p95": percentile(posts, 95),
        "posts": len(posts), "attempts_sent": shared.attempts_sent,
        "errors_5xx": errors_5xx, "connection_errors": connection_errors,
        "timeouts": timeouts,
        "locked": log.count("database is locked"), "tracebacks": log.count("Traceback"),
        "worker_timeouts": log.count("WORKER TIMEOUT"),
        "acknowledged_phase": len(acknowledged), "abandoned": len(abandoned),
        "still_running": still_running, "respawned": respawned,
        "healthz_idle_p50": baseline, "healthz_load_p50": percentile(under_load, 50),
        "statuses": {f"{kind} {status}": n for (kind, status), n in
                     sorted(recorder.counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))},
        "notes": dict(recorder.notes),
        **check,
    }
    result["breaches"] = breaches(result)
    return result


def run_database(url, label, args, folder):
    say(f"{label}: migrating and importing the geography ...")
    started = time.perf_counter()
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "geo", "import")
    say(f"{label}: {time.perf_counter() - started:.0f} s; creating {args.clients} learners ...")
    started = time.perf_counter()
    usernames = create_learners(url, args.clients)
    setup_seconds = time.perf_counter() - started
    say(f"{label}: learners ready in {setup_seconds:.0f} s; starting gunicorn ...")
    answers, _questions = right_answers()
    server = Gunicorn(url, args.workers, Path(folder) / f"gunicorn-{label}.log")
    phases, total_acked = [], {}
    try:
        server.wait_ready()
        say(f"{label}: gunicorn on {HOST}:{server.port}, {args.workers} workers "
            f"(error log {server.log_path})")
        plan = [("1 plain", 0.0)]
        if args.kill_every:
            plan.append((f"2 kill -9 every {args.kill_every:g} s", args.kill_every))
        for name, kill_every in plan:
            result = run_phase(name, server, usernames, answers, args.seconds,
                               kill_every, total_acked, url)
            phases.append(result)
            say(f"{label}: phase {name}: " + ("ok" if not result["breaches"] else
                                               "BREACH: " + "; ".join(result["breaches"])))
    finally:
        server.stop()
    return {"database": label, "version": database_version(url), "url_kind": url.split(":")[0],
            "clients": args.clients, "workers": args.workers, "seconds": args.seconds,
            "learners_seconds": setup_seconds, "phases": phases,
            "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": os.getloadavg()}


def run_sqlite(args):
    with tempfile.TemporaryDirectory(prefix="digilit-load-") as folder:
        url = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        return run_database(url, "SQLite", args, folder)


def run_postgres(args):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with tempfile.TemporaryDirectory(prefix="digilit-load-") as folder:
            result = run_database(fresh_pg_database(url), "PostgreSQL", args, folder)
        result.setdefault("pg_server", "the `TEST_DATABASE_URL` server")
        return result
    port = pg_port(PG_PORT)
    with tempfile.TemporaryDirectory(prefix="digilit-load-pg-") as folder:
        out = Path(folder) / "result.json"
        child = [sys.executable, "-m", "bench.load", "--database", "postgresql", "--no-write",
                 "--seconds", str(args.seconds), "--clients", str(args.clients),
                 "--workers", str(args.workers), "--kill-every", str(args.kill_every),
                 "--json", str(out)]
        env = {**os.environ, "PGTEST_PORT": port}
        env.pop("TEST_DATABASE_URL", None)
        # The child's exit status also reflects breaches: its figures are judged here.
        subprocess.run(["bash", "scripts/with-postgres.sh", *child], cwd=REPO, env=env,
                       timeout=6 * 3600)
        if not out.exists():
            raise RuntimeError("the PostgreSQL run left no figures")
        result = json.loads(out.read_text())
    result["pg_server"] = (f"a throw-away server from `PGTEST_PORT={port} bash "
                           "scripts/with-postgres.sh`, started by this command")
    return result


def _run_by_bench_runner():
    main_module = sys.modules.get("__main__")
    spec = getattr(main_module, "__spec__", None)
    return spec is not None and spec.name in ("bench.__main__", "bench")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    quick = not argv and _run_by_bench_runner()
    if quick:
        argv = [*QUICK_ARGS, "--no-write"]
        print(f"(run by `python -m bench`: modest profile {' '.join(QUICK_ARGS)}; "
              "`make bench-load` runs the full size)", flush=True)
    args = parse_args(argv)
    command = args.command or " ".join(
        [".venv/bin/python -m bench.load", *map(shlex.quote, argv)]).strip()
    results, failed = [], False
    for name, run in (("sqlite", run_sqlite), ("postgresql", run_postgres)):
        if args.database not in ("both", name):
            continue
        try:
            results.append(run(args))
        except Exception as error:  # noqa: BLE001 - keep the other database's figures
            import traceback

            traceback.print_exc()
            print(f"FAIL: {name}: {error!r}", file=sys.stderr, flush=True)
            failed = True
    if args.json and results:
        args.json.write_text(json.dumps(results[-1]))
    if results and not args.json:  # a child run's figures are printed by its parent
        print()
        print(table(results))
        for result in results:
            for line in details(result):
                print(line)
        print(flush=True)
    if not args.no_write and results:
        update_markdown(args.output, results, command)
        print(f"written to {args.output}")
    breached = [f"{r['database']} phase {p['phase']}: {b}" for r in results
                for p in r["phases"] for b in p["breaches"]]
    return report_breaches(breached, failed)


if __name__ == "__main__":
    sys.exit(main())
