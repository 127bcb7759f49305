"""What ``bench/kickoff.py`` requires of its figures, and how it writes them (BENCHMARKS.md,
section "Kick-off", one block per database between marker comments)."""
from bench._common import machine, put_sections

DONE = "certificate"
STOPPED = "stopped at the end of the run"


def _run_breaches(run, two_nodes, search):
    found = []
    errors = run["errors_5xx_get"] if two_nodes else run["errors_5xx"]
    if errors:
        found.append(f"{errors} responses 5xx" + (" to a GET" if two_nodes else ""))
    if run["connection_errors"] or run["timeouts"]:
        found.append(f"{run['connection_errors']} connection errors, {run['timeouts']} "
                     "timeouts")
    allowed = {DONE, STOPPED} if search else {DONE}
    for outcome, n in run["outcomes"].items():
        if outcome not in allowed:
            found.append(f"{n} visits ended: {outcome}")
    if run["given_up"]:
        found.append(f"{run['given_up']} submissions given up unacknowledged")
    for note, n in run["notes"].items():
        found.append(f"unexpected: {note} ({n})")
    return [f"{run['label']}: {b}" for b in found]


def breaches(result):
    """What went wrong in one database's runs; [] when all is well."""
    two_nodes = result["database"] == "PostgreSQL"
    found = [b for run in result["runs"] for b in _run_breaches(run, two_nodes, False)]
    found += [b for run in result["search"] for b in _run_breaches(run, two_nodes, True)]
    checked = result["check"]
    quiz, lessons = checked["quiz"], checked["lessons"]
    if quiz["stored"] != quiz["acknowledged"]:
        found.append(f"{quiz['stored']} quiz attempts stored, {quiz['acknowledged']} "
                     "acknowledged")
    for key in ("missing", "unacknowledged_stored", "mismatched", "duplicate_tokens"):
        if quiz[key]:
            found.append(f"quiz attempts: {quiz[key]} {key.replace('_', ' ')}")
    if quiz["counter"] != quiz["stored"]:
        found.append(f"attempts counter {quiz['counter']} != {quiz['stored']} stored")
    if quiz["integrity"] not in ("ok", "n/a"):
        found.append(f"integrity check: {quiz['integrity']}")
    for key in ("missing", "unacknowledged_stored", "duplicates"):
        if lessons[key]:
            found.append(f"lesson completions: {lessons[key]} {key.replace('_', ' ')}")
    for key, what in (("tracebacks", "tracebacks"), ("locked", '"database is locked"')):
        if checked[key]:
            found.append(f"{checked[key]} {what} in gunicorn's log")
    return found


def _ms(value):
    return "—" if value is None else f"{value:.0f}"


def _triple(latency):
    return f"{_ms(latency['p50'])} / {_ms(latency['p95'])} / {_ms(latency['p99'])}"


def runs_table(result):
    lines = ["| run | citizens | arrivals/s | s | peak on site | requests | req/s | "
             "pages p50/p95/p99 ms | submissions p50/p95/p99 ms | 5xx | conn. errors / "
             "timeouts | busy pages (503) | resent | certificates | p95 within limits | "
             "client CPU s |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for run in [*result["search"], *result["runs"]]:
        lines.append(
            f"| {run['label']} | {run['citizens']:,} | {run['rate']:.1f} | {run['seconds']:.0f} "
            f"| {run['peak']:,} | {run['requests']:,} | {run['rps']:.1f} | "
            f"{_triple(run['pages'])} | {_triple(run['submissions'])} | {run['errors_5xx']} | "
            f"{run['connection_errors']} / {run['timeouts']} | {run.get('busy', 0)} | "
            f"{run['resent']} | "
            f"{run['outcomes'].get(DONE, 0):,} | {'yes' if run['within_limits'] else 'no'} | "
            f"{run.get('client_cpu', 0):.0f} |")
    return lines


def kinds_table(run):
    lines = ["| request | sent | p50 ms | p95 ms | p99 ms | 5xx | busy (503) | conn. errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, row in run["kinds"].items():
        lines.append(f"| {kind} | {row['sent']:,} | {_ms(row.get('p50'))} | "
                     f"{_ms(row.get('p95'))} | {_ms(row.get('p99'))} | {row.get('5xx', 0)} | "
                     f"{row.get('busy', 0)} | "
                     f"{row.get('error', 0) + row.get('timeout', 0)} |")
    return lines


def _rss(sizes):
    values = sorted(sizes.values())
    return ", ".join(f"{v:.0f}" for v in values) + " MB" if values else "—"


def _slow(figures, where):
    if not figures:
        return []
    return [f"- Slow clients {where}: {figures['connections']} connections sending a form's "
            f"body a byte every 0.5 s for {figures['seconds']:.0f} s; meanwhile "
            f"{figures['requests']} normal `GET /` answered in p50 {_ms(figures['p50'])} ms, "
            f"slowest {_ms(figures['max'])} ms ({figures['failed']} failed; before: p50 "
            f"{_ms(figures['before_p50'])} ms)."]


def _search_line(result):
    if not result["search"]:
        return []
    passed = [run["rate"] for run in result["search"] if run["within_limits"]]
    best = f"**{max(passed):g} citizens arriving per second**" if passed else "none of them"
    tried = ", ".join(f"{run['rate']:g}/s" for run in result["search"])
    return [f"- Highest arrival rate held with pages p95 < 500 ms and submissions p95 < 1 s: "
            f"{best} (tried {tried}, each run {result['search'][0]['seconds']:.0f} s "
            "of arrivals and visits, cut at its end)."]


def section(result, command, args):
    kickoff = result["runs"][-1] if result["runs"] else None
    quiz, lessons = result["check"]["quiz"], result["check"]["lessons"]
    nodes = ("two gunicorn nodes behind nginx (`deploy/nginx.conf`), "
             f"`--workers {result['workers']}` each" if result["database"] == "PostgreSQL"
             else f"one gunicorn, `--workers {result['workers']}` (sync)")
    lines = [
        f"### {result['database']} {result['version']}: {nodes}", "",
        f"- Command: `{command}`; measured {result['measured_at']} on {machine()}; load "
        f"average after {', '.join(f'{v:.1f}' for v in result['load'])}.",
        f"- {args.venues} venues, {args.member_share:.0%} of citizens with a team's PIN (the "
        f"others register), {args.fail_share:.0%} failing the quiz first, think time "
        f"{args.think[0]:g}–{args.think[1]:g} s between pages.",
        *_search_line(result),
    ]
    if kickoff and "killed_processes" in kickoff:
        lines.append(f"- Node B ({kickoff['killed_processes']} processes) killed with SIGKILL "
                     f"{args.kill_after:.0f} s into the kick-off; POSTs sent again by the "
                     f"citizens: {kickoff['resent']}; 5xx to POSTs (lost with the node): "
                     f"{kickoff['errors_5xx'] - kickoff['errors_5xx_get']}; nginx "
                     f"`[error]` lines: {result.get('nginx_errors', 0)}.")
    lines += [
        f"- Stored: {quiz['stored']:,} quiz attempts for {quiz['acknowledged']:,} "
        f"acknowledged ({quiz['duplicate_tokens']} duplicate tokens, attempts counter "
        f"{quiz['counter']:,}, integrity {quiz['integrity']}); {lessons['stored']:,} lesson "
        f"completions for {lessons['acknowledged']:,} acknowledged ({lessons['missing']} "
        f"missing, {lessons['duplicates']} twice); {result['check']['tracebacks']} tracebacks, "
        f"{result['check']['locked']} \"database is locked\".",
        f"- RSS per worker (node A): idle {_rss(result.get('rss_idle', {}))}; after "
        f"{_rss(result.get('rss_after', {}))}.",
        *_slow(result.get("slow_direct"), "straight at gunicorn"),
        *_slow(result.get("slow_nginx"), "through nginx"),
        "", *runs_table(result), "",
    ]
    if kickoff:
        lines += ["Kick-off, per kind of request:", "", *kinds_table(kickoff), ""]
    if result["breaches"]:
        lines += ["Breaches: " + "; ".join(result["breaches"]), ""]
    return "\n".join(lines)


def markdown(results, command, args):
    return "\n".join(section(result, command, args) for result in results)


INTRO = ("A province's kick-off: citizens arrive at venues (one address each, in "
         "X-Forwarded-For; each run in halls of its own, since the venue limits count per "
         "address over 15 minutes), register or sign in with the PIN of a login card and choose a "
         "password, read every lesson of `e-id` (GET, POST done), take the quiz (some fail "
         "first), open the certificate, thinking a few seconds between pages. Clients: asyncio "
         "on raw streams, one process. Latencies per HTTP request, queueing included. Pages "
         "are GETs, submissions POSTs; \"busy pages\" are the site's own 503 \"try again in a "
         "minute\" (with Retry-After), which a citizen waits out and sends again; they are not "
         "counted as errors, any other 5xx is. \"client CPU\" is the benchmark process's own. "
         "Written "
         "by `bench/kickoff.py`; see its docstring.")


def update_markdown(path, results, command, args):
    """Replace this benchmark's block of each database measured; keep everything else."""
    put_sections(path, "bench.kickoff", "## Kick-off (`bench/kickoff.py`)", INTRO,
                 {result["database"]: section(result, command, args) for result in results})
