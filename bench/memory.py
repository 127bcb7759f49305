"""Benchmark: does a worker's memory grow with the requests it serves?

    .venv/bin/python -m bench.memory [--rounds 8] [--seconds 27] [--workers CORES] [--no-write]

The product (SQLite, gunicorn with ``--workers`` sync workers on 127.0.0.1) serves the
learner's pages of ``bench/pages.py`` (the same prepared learners and sessions): after a
warm-up, wrk drives every GET page, lesson completions and quiz submissions, in ``--rounds``
rounds of ``--seconds`` each, and the resident memory (``VmRSS``) of every worker is read
after each round. What a worker keeps for good (imported code, compiled templates, cached
fragments, the connection) is in the first reading; growth after it, per thousand requests,
is what must stay near zero. SQLite's page cache (2 MB per connection by default) fills as
the database grows, so the first rounds grow a little: the growth is taken over the second
half of the rounds. Exits non-zero when it is more than ``LIMIT_KB`` per thousand requests. Writes BENCHMARKS.md (section "Memory") unless
``--no-write``. Only loopback is contacted.
"""
import argparse
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench._common import WORKERS, machine, put_block
from bench._kickoff_setup import worker_rss
from bench._server import BENCHMARKS, Gunicorn, flask_cli
from bench.pages import prepare, wrk

LIMIT_KB = 50.0  # per worker and thousand requests, after the first round
GET_CASES = ("catalogue", "course page", "lesson page", "quiz form", "quiz result", "/me",
             "certificate")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.memory",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=27, help="per round (3 s a case)")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def one_round(port, files, seconds):
    """Every case in turn, ``seconds`` in all; the number of requests served."""
    cases = [files[name] for name in GET_CASES] + [files["lesson completion 0"],
                                                    files["quiz submission 0"]]
    each = max(1, round(seconds / len(cases)))  # wrk takes whole seconds
    return sum(wrk("memory", port, data, 10, each).requests for data in cases)


def measure(args, folder):
    """``[(requests served so far, {pid: MB})]``, the first after the warm-up."""
    url = f"sqlite:///{Path(folder) / 'memory.sqlite3'}"
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "geo", "import")
    files = prepare(url, folder)
    server = Gunicorn(url, args.workers, Path(folder) / "gunicorn.log")
    readings = []
    try:
        server.wait_ready()
        served = one_round(server.port, files, args.seconds)  # warm-up
        readings.append((served, worker_rss(server)))
        for _ in range(args.rounds):
            served += one_round(server.port, files, args.seconds)
            readings.append((served, worker_rss(server)))
    finally:
        server.stop()
    return readings


def growth_kb(readings):
    """Mean growth per worker, in KB per thousand requests, over the second half of the
    rounds."""
    (first_served, first), (last_served, last) = readings[len(readings) // 2], readings[-1]
    pids = set(first) & set(last)
    if not pids or last_served == first_served:
        return 0.0
    grown = sum(last[pid] - first[pid] for pid in pids) / len(pids) * 1024
    per_worker_requests = (last_served - first_served) / len(pids)
    return grown / per_worker_requests * 1000


def section(readings, growth, command, workers):
    lines = ["## Memory (`bench/memory.py`)", "",
             f"Resident memory of each gunicorn worker (SQLite, {workers} sync workers) while wrk "
             "drives the learner's pages, lesson completions and quiz submissions of "
             "`bench/pages.py`, read after a warm-up and after each round.", "",
             f"- Command: `{command}`.",
             f"- Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
             f"{machine()}.",
             f"- Growth over the second half of the rounds: {growth:+.1f} KB per worker and "
             f"thousand requests (limit {LIMIT_KB:.0f}). Part of it is SQLite's page cache "
             f"(up to 2 MB per connection) filling as the database grows.", "",
             "| requests served | RSS per worker, MB |", "|---:|---|"]
    for served, sizes in readings:
        lines.append(f"| {served:,} | {', '.join(f'{mb:.1f}' for mb in sizes.values())} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: `make bench` installs it", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="digilit-memory-") as folder:
        readings = measure(args, folder)
    growth = growth_kb(readings)
    command = " ".join([".venv/bin/python -m bench.memory", *map(shlex.quote, argv)]).strip()
    text = section(readings, growth, command, args.workers)
    print(text)
    if not args.no_write:
        current = BENCHMARKS.read_text(encoding="utf-8")
        BENCHMARKS.write_text(put_block(current, "bench.memory", text), encoding="utf-8")
    return 0 if growth <= LIMIT_KB else 1


if __name__ == "__main__":
    sys.exit(main())
