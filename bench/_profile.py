"""Where one request's time goes: the requests of ``bench/pages.py``, in process, profiled.

    .venv/bin/python -m bench._profile [--requests 300] [--top 25] [--case "lesson page"]
    bash scripts/with-postgres.sh .venv/bin/python -m bench._profile --postgresql --timing

Prepares a SQLite database as ``bench.pages`` does (a learner with a long history, writers,
quizzers), then sends each case's requests through the product's WSGI app (Werkzeug's test
client: no server, no network) under ``cProfile``, and prints the milliseconds per request and
the functions that took the most time, with the number of SQL statements per request
(``--postgresql``: on the server ``TEST_DATABASE_URL`` names instead). Not a
benchmark: profiling slows everything down; compare its figures only with each other.
"""
import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench._server import HOST, flask_cli, make_app
from bench.pages import USER_AGENT, prepare, renew_cookies

CASES = ("catalogue", "course page", "lesson page", "quiz form", "quiz result", "/me",
         "certificate", "lesson completion 0", "quiz submission 0")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    parser.add_argument("--timing", action="store_true",
                        help="no profile: milliseconds per request beside the bare read's")
    parser.add_argument("--postgresql", action="store_true",
                        help="on the PostgreSQL server of TEST_DATABASE_URL, not SQLite")
    return parser.parse_args(argv)


def _requests(path, count):
    rows = [line.split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()]
    return [rows[i % len(rows)] for i in range(count)]


def _send(client, row):
    method, url, cookie, body = row
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
               "User-Agent": USER_AGENT}
    response = client.open(url, method=method, headers=headers, data=body.encode(),
                           environ_base={"REMOTE_ADDR": HOST})
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {url}: {response.status_code}")
    response.close()


def profile_case(app, name, path, count, top, show_sql=False, sort="tottime"):
    """Milliseconds and statements per request of one case, and its profile."""
    client = app.test_client(use_cookies=False)  # each request carries its own session cookie
    rows = _requests(path, count + 20)
    for row in rows[:20]:  # templates compiled, caches warm
        _send(client, row)
    statements = []
    event.listen(app.extensions["digilit.engine"], "before_cursor_execute",
                 lambda _conn, _cursor, sql, *args: statements.append(sql))
    if show_sql:
        _send(client, rows[0])
        print(f"\n--- {name}: the statements of one request")
        print("\n".join(" ".join(sql.split())[:220] for sql in statements))
        statements.clear()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for row in rows[20:]:
        _send(client, row)
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
    print(f"\n=== {name}: {elapsed / count * 1000:.2f} ms/request under the profiler, "
          f"{len(statements) / count:.1f} SQL statements/request")
    print(out.getvalue())


def time_case(app, path, count):
    """Milliseconds per request, without the profiler (the best of three rounds)."""
    client = app.test_client(use_cookies=False)
    rows = _requests(path, 3 * count + 20)
    for row in rows[:20]:
        _send(client, row)
    best = None
    for round_ in range(3):
        started = time.perf_counter()
        for row in rows[20 + round_ * count:20 + (round_ + 1) * count]:
            _send(client, row)
        elapsed = (time.perf_counter() - started) / count * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best


def bare_read_ms(folder, count, url=None):
    """The bare app's read by key, in process, as ``time_case`` measures (on ``url``, or a
    SQLite file in ``folder``)."""
    os.environ["BARE_DATABASE_URL"] = url or f"sqlite:///{folder}/bare.sqlite3"
    from bench import bare_app

    bare_app.create_schema()
    path = Path(folder) / "bare-read.tsv"
    path.write_text("".join(f"GET\t/items/{i}\t\t\n" for i in range(1, 2001, 7)))
    return time_case(bare_app.app, path, count)


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digilit-profile-") as folder:
        url = os.environ["TEST_DATABASE_URL"] if args.postgresql \
            else f"sqlite:///{folder}/profile.sqlite3"
        flask_cli(url, "db", "upgrade")
        flask_cli(url, "geo", "import")
        files = prepare(url, folder)
        app = make_app(url)
        if args.timing:
            bare = bare_read_ms(folder, args.requests, url if args.postgresql else None)
            print(f"bare read by key: {bare:.3f} ms/request")
            for name in args.case or CASES:
                renew_cookies(app, files[name])  # as bench.pages does before each run
                spent = time_case(app, files[name], args.requests)
                print(f"{name:<20} {spent:7.3f} ms/request  {bare / spent:5.2f}x the bare read")
            return
        for name in args.case or CASES:
            renew_cookies(app, files[name])
            profile_case(app, name, files[name], args.requests, args.top, args.sql, args.sort)


if __name__ == "__main__":
    main()
