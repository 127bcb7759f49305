"""Benchmark: a province's kick-off, simulated. A thousand citizens at 20 venues register or
sign in with the PIN of their login card, read every lesson of a course, take its quiz (some
fail first) and open their certificate, thinking a few seconds between pages.

    .venv/bin/python -m bench.kickoff [--database sqlite|postgresql|both] [--citizens 1000]
        [--venues 20] [--ramp 60] [--think 1,4] [--search-rates 8,16,24,28,32,36]
        [--search-seconds 45]
    make bench                       # with every other benchmark, these defaults (~30 min)

One box (SQLite): gunicorn (``--workers``) with ``TRUSTED_PROXIES=1`` on 127.0.0.1, each venue
one address in ``X-Forwarded-For``. First slow clients straight at gunicorn (8 connections
trickling a form's body: the normal requests wait), then a short search for the highest
arrival rate whose pages keep p95 < 500 ms and submissions p95 < 1 s (``--search-rates``, each
``--search-seconds``, stopping at the first rate that misses), then the kick-off itself:
``--citizens`` arriving over ``--ramp`` seconds. RSS of each worker idle and after.

Past one box (PostgreSQL, ``TEST_DATABASE_URL`` or a throw-away server on port 54335 through
``scripts/with-postgres.sh``): two gunicorn nodes (``--node-workers`` each, the same SECRET_KEY
and instance files) behind Debian's nginx with a copy of ``deploy/nginx.conf``; the slow
clients again, through nginx (they should not matter) and straight at a node; then the
kick-off, during which one node is killed (SIGKILL of its master and workers) after
``--kill-after`` seconds. A POST lost with it is sent again by the citizen, unchanged.

Required (else the exit status is 1): no 5xx and no connection error (on the two nodes: no
5xx to a GET and no connection error; a POST that was on the killed node may get a 502 and is
sent again; the site's own "busy, try again in a minute" page, a 503 with Retry-After, is
waited out and sent again, and counted apart), every visit ends with a certificate (search runs: or stopped at their end), every
acknowledged lesson completion and quiz attempt stored exactly once and nothing else stored
(``bench._load_data.check_database`` for the attempts), no traceback or "database is locked" in
gunicorn's log. The figures go to BENCHMARKS.md (section "Kick-off"), unless ``--no-write``.

Only loopback (127.0.0.1) is contacted; every loop is bounded in time and count.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from bench import _kickoff_report as report
from bench._common import WORKERS, report_breaches
from bench._kickoff_run import Crowd, run_citizens
from bench._kickoff_setup import (Nginx, check_lessons, create_teams, kill_node, start_node,
                                  worker_rss)
from bench._slow import slow_clients
from bench._learners import COURSE
from bench._load_data import check_database, right_answers
from bench._server import (BENCHMARKS, REPO, database_version, flask_cli, free_port,
                           fresh_pg_database, say)

PG_PORT = "54335"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.kickoff",
                                     description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--database", choices=("sqlite", "postgresql", "both"), default="both")
    add("--citizens", type=int, default=1000, help="citizens in the kick-off")
    add("--venues", type=int, default=20, help="venues (one address each)")
    add("--ramp", type=float, default=60.0, help="seconds over which the citizens arrive")
    add("--think", default="1,4", help="think time between pages: LOW,HIGH seconds")
    add("--member-share", type=float, default=0.5,
        help="share of citizens signing in with a team's PIN (the others register)")
    add("--fail-share", type=float, default=0.3, help="share failing the quiz first")
    add("--workers", type=int, default=WORKERS, help="gunicorn workers of the one box")
    add("--node-workers", type=int, default=3, help="gunicorn workers of each of two nodes")
    add("--search-rates", default="8,16,24,28,32,36",
        help="arrival rates (per second) to try on SQLite, up to the first that misses")
    add("--search-seconds", type=float, default=45.0, help="length of each search run")
    add("--kill-after", type=float, default=None,
        help="seconds into the two-node kick-off when a node is killed (default ramp/2)")
    add("--slow-seconds", type=float, default=10.0, help="length of the slow-client check")
    add("--output", type=Path, default=BENCHMARKS)
    add("--no-write", action="store_true", help="print only")
    add("--json", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.think = tuple(float(x) for x in args.think.split(","))
        args.search_rates = [float(x) for x in args.search_rates.split(",") if x.strip()]
    except ValueError:
        parser.error("--think and --search-rates take numbers separated by commas")
    if (len(args.think) != 2 or not 0 <= args.think[0] <= args.think[1] or args.citizens < 1
            or args.venues < 1 or args.ramp <= 0 or min(args.search_rates or [1]) <= 0):
        parser.error("positive sizes, --think LOW,HIGH with 0 <= LOW <= HIGH")
    if args.kill_after is None:
        args.kill_after = args.ramp / 2
    return args


def prepare(url, args, members):
    """A migrated database with the venues' teams and ``members`` people with PINs; what
    every run of citizens shares, and the crowd to draw them from."""
    say("migrating and importing the geography ...")
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "geo", "import")
    per_venue = -(-members // args.venues) + 5
    say(f"{args.venues} venues, teams and {per_venue * args.venues} members with PINs ...")
    areas, cards = create_teams(url, args.venues, per_venue)
    answers, _questions = right_answers()
    from digilit.content.loader import load_course

    course, _problems = load_course(REPO / "courses" / COURSE)
    context = {"answers": answers, "think": args.think,
               "lessons": [lesson.slug for lesson in course.lessons],
               "practices": [(item.slug, item.good_path()) for item in course.practices]}
    return context, Crowd(areas, cards, args.member_share, args.fail_share)


def check(url, runs, node_logs):
    """The database against every acknowledgement of ``runs``; gunicorn's logs."""
    quiz, lessons = {}, set()
    for run in runs:
        quiz.update(run.quiz_acks)
        lessons |= run.lesson_acks
    log = "".join(Path(path).read_text(errors="replace") for path in node_logs)
    return {"quiz": check_database(url, quiz, []), "lessons": check_lessons(url, lessons),
            "tracebacks": log.count("Traceback"), "locked": log.count("database is locked"),
            "worker_timeouts": log.count("WORKER TIMEOUT")}


def run_sqlite(args):
    with tempfile.TemporaryDirectory(prefix="digilit-kickoff-") as folder:
        url = f"sqlite:///{Path(folder) / 'kickoff.sqlite3'}"
        searched = sum(rate * args.search_seconds for rate in args.search_rates)
        context, crowd = prepare(url, args, int((args.citizens + searched) * args.member_share))
        log = Path(folder) / "gunicorn.log"
        node = start_node(url, args.workers, log)
        result = {"database": "SQLite", "version": database_version(url),
                  "workers": args.workers, "runs": [], "search": []}
        runs = []
        try:
            result["rss_idle"] = worker_rss(node)
            say("slow clients straight at gunicorn ...")
            result["slow_direct"] = slow_clients(node.port, seconds=args.slow_seconds)
            for rate in args.search_rates:
                people = crowd.people(int(rate * args.search_seconds), f"s{int(rate * 10)}")
                run, figures = run_citizens(f"search {rate:g}/s", node.port, people, rate,
                                            context, stop_after=args.search_seconds)
                runs.append(run)
                result["search"].append(figures)
                say(f"search {rate:g}/s: page p95 {figures['pages']['p95']:.0f} ms, "
                    f"submission p95 {figures['submissions']['p95']:.0f} ms")
                if not figures["within_limits"]:
                    break
            people = crowd.people(args.citizens, "k")
            run, figures = run_citizens("kick-off", node.port, people, args.citizens / args.ramp,
                                        context)
            runs.append(run)
            result["runs"].append(figures)
            result["rss_after"] = worker_rss(node)
        finally:
            node.stop()
        result["check"] = check(url, runs, [log])
        return result


def run_two_nodes(url, args, folder):
    context, crowd = prepare(url, args, int(args.citizens * args.member_share))
    logs = [Path(folder) / f"gunicorn-{name}.log" for name in "ab"]
    nodes, proxy = [], None
    result = {"database": "PostgreSQL", "version": database_version(url),
              "workers": args.node_workers, "runs": [], "search": []}
    try:
        nodes = [start_node(url, args.node_workers, log) for log in logs]
        proxy = Nginx(folder, free_port(), [node.port for node in nodes])
        result["rss_idle"] = worker_rss(nodes[0])
        say("slow clients through nginx, then straight at node A ...")
        result["slow_nginx"] = slow_clients(proxy.port, seconds=args.slow_seconds)
        result["slow_direct"] = slow_clients(nodes[0].port, seconds=args.slow_seconds)

        async def kill(_run):
            import asyncio

            await asyncio.sleep(args.kill_after)
            say("SIGKILL: node B, master and workers")
            return kill_node(nodes[1])

        run, figures = run_citizens("kick-off, node B killed", proxy.port,
                                    crowd.people(args.citizens, "p"),
                                    args.citizens / args.ramp, context, during=[kill])
        figures["killed_processes"] = figures["extras"][0]
        result["runs"].append(figures)
        result["rss_after"] = worker_rss(nodes[0])
        result["nginx_errors"] = proxy.error_log().count("[error]")
    finally:
        if proxy:
            proxy.stop()
        for node in nodes:
            node.stop()
    result["check"] = check(url, [run], logs)
    return result


def run_postgres(args):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with tempfile.TemporaryDirectory(prefix="digilit-kickoff-pg-") as folder:
            return run_two_nodes(fresh_pg_database(url, "digilit_kickoff"), args, folder)
    with tempfile.TemporaryDirectory(prefix="digilit-kickoff-pg-") as folder:
        out = Path(folder) / "result.json"
        child = [sys.executable, "-m", "bench.kickoff", "--database", "postgresql",
                 "--no-write", "--json", str(out), *args.argv]
        env = {**os.environ, "PGTEST_PORT": PG_PORT}
        subprocess.run(["bash", "scripts/with-postgres.sh", *child], cwd=REPO, env=env,
                       timeout=3 * 3600)
        if not out.exists():
            raise RuntimeError("the PostgreSQL run left no figures")
        return json.loads(out.read_text())


def size_options(argv):
    """``argv`` less the options that say which database and where to write."""
    kept, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item in ("--database", "--output", "--json"):
            skip = True
        elif not item.startswith(("--database=", "--output=", "--json=", "--no-write")):
            kept.append(item)
    return kept


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    args.argv = size_options(argv)
    # Every node this process starts trusts one proxy: nginx, or the benchmark itself, whose
    # X-Forwarded-For carries the venue's address.
    os.environ["TRUSTED_PROXIES"] = "1"
    results, failed = [], False
    for name, run in (("sqlite", run_sqlite), ("postgresql", run_postgres)):
        if args.database in ("both", name):
            try:
                results.append(run(args))
            except Exception as error:  # noqa: BLE001 - keep the other database's figures
                import traceback

                traceback.print_exc()
                print(f"FAIL: {name}: {error!r}", file=sys.stderr, flush=True)
                failed = True
    for result in results:
        result["measured_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        result["load"] = os.getloadavg()
        result["breaches"] = report.breaches(result)
    if args.json:
        args.json.write_text(json.dumps(results[-1] if results else {}))
        return 1 if failed else 0
    command = " ".join([".venv/bin/python -m bench.kickoff", *map(shlex.quote, argv)])
    print(report.markdown(results, command, args))
    if results and not args.no_write:
        report.update_markdown(args.output, results, command, args)
        print(f"written to {args.output}")
    breached = [f"{r['database']}: {b}" for r in results for b in r["breaches"]]
    return report_breaches(breached, failed)


if __name__ == "__main__":
    sys.exit(main())
