"""The load benchmark's verdict and report (``bench/load.py``): what breaches a phase, its
table and lines, and its blocks of BENCHMARKS.md."""
from bench._common import machine, put_sections

INTRO = ("Learners sign in and take the quiz of `e-id` in a loop (GET the form, POST it, GET "
         "the result) against gunicorn on loopback; phase 1 plain, phase 2 while one worker is "
         "killed with SIGKILL every few seconds. A quiz form whose POST is lost (connection "
         "error or 5xx) is sent again unchanged (same one-time attempt token). Required after "
         "each phase: every acknowledged attempt (302 to its result page) stored exactly once "
         "and nothing else stored, the national attempts counter equal to them, no 5xx, no "
         "\"database is locked\", SQLite's `PRAGMA integrity_check` ok. Latencies are per HTTP "
         "request and include the wait in gunicorn's queue (each section gives its clients and workers); "
         "requests/s counts the timed loop only (not the sign-ins, not the /healthz probe).")


def breaches(r):
    found = []
    if r["errors_5xx"]:
        found.append(f"{r['errors_5xx']} responses 5xx")
    if r["locked"]:
        found.append(f'{r["locked"]} "database is locked" in the error log')
    if r["tracebacks"]:
        found.append(f"{r['tracebacks']} tracebacks in the error log")
    if r["stored"] != r["acknowledged"]:
        found.append(f"{r['stored']} attempts stored, {r['acknowledged']} acknowledged")
    for key, what in (("missing", "acknowledged attempts not stored"),
                      ("unacknowledged_stored", "stored attempts never acknowledged"),
                      ("mismatched", "stored attempts whose token or score differ"),
                      ("duplicate_tokens", "duplicate tokens"),
                      ("abandoned", "quiz forms given up unacknowledged"),
                      ("still_running", "clients still running after the grace time"),
                      ("sign_in_failed", "clients that could not sign in")):
        if r[key]:
            found.append(f"{r[key]} {what}")
    if r["acknowledged_ids"] != r["acknowledged"]:
        found.append("two tokens acknowledged with the same attempt id")
    if r["counter"] != r["stored"]:
        found.append(f"national attempts counter {r['counter']} != {r['stored']} stored")
    if r["integrity"] not in ("ok", "n/a"):
        found.append(f"integrity check: {r['integrity']}")
    if not r["acknowledged_phase"]:
        found.append("no attempt acknowledged")
    if not r["kill_every"] and r["connection_errors"]:
        found.append(f"{r['connection_errors']} connection errors without any fault injected")
    if r["kill_every"] and r["seconds"] > r["kill_every"] and not r["kills"]:
        found.append("no worker was killed")
    if not r["respawned"]:
        found.append("gunicorn did not get all its workers back")
    unexpected = {k: n for k, n in r["notes"].items() if "sent again" not in k}
    if unexpected:
        found.append("unexpected: " + ", ".join(f"{k} ({n})" for k, n in unexpected.items()))
    return found


def _ms(value):
    return "—" if value is None else f"{value:.0f}"


def table(results):
    lines = ["| database | phase | requests | req/s | quiz POST p50 ms | quiz POST p95 ms | "
             "5xx | conn. errors / timeouts | workers killed | \"database is locked\" | "
             "acknowledged so far | stored | attempts counter | integrity | "
             "/healthz p50 ms idle | /healthz p50 ms under load | |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for result in results:
        for p in result["phases"]:
            verdict = "ok" if not p["breaches"] else "**breach**"
            lines.append(
                f"| {result['database']} | {p['phase']} | {p['requests']:,} | {p['rps']:.1f} | "
                f"{_ms(p['post_p50'])} | {_ms(p['post_p95'])} | {p['errors_5xx']} | "
                f"{p['connection_errors']} / {p['timeouts']} | {p['kills']} | {p['locked']} | "
                f"{p['acknowledged']:,} | {p['stored']:,} | {p['counter']:,} | "
                f"{p['integrity']} | {_ms(p['healthz_idle_p50'])} | "
                f"{_ms(p['healthz_load_p50'])} | {verdict} |")
    return "\n".join(lines)


def details(result):
    lines = []
    for p in result["phases"]:
        resent = p["notes"].get("quiz POST sent again (same form)", 0)
        lines.append(
            f"- {result['database']}, phase {p['phase']}: {p['signed_in']} clients signed in "
            f"at once in {p.get('sign_in_seconds', 0):.0f} s (before the clock), then "
            f"{p['seconds']:.0f} s, "
            f"{p['attempts_sent']:,} quiz forms sent ({resent} sent again after a lost "
            f"connection or a 5xx), {p['acknowledged_phase']:,} acknowledged, "
            f"{p['abandoned']} given up; {p['tracebacks']} tracebacks and "
            f"{p['worker_timeouts']} worker timeouts in the error log"
            + (f"; breaches: {'; '.join(p['breaches'])}" if p["breaches"] else "") + ".")
    return lines


def section(result, command):
    load = ", ".join(f"{value:.1f}" for value in result["load"])
    pg = (f" (PostgreSQL: {result.get('pg_server', 'the TEST_DATABASE_URL server')}, "
          "database `digilit_load`)" if result["database"] == "PostgreSQL" else "")
    return "\n".join([
        f"### {result['database']} {result['version']}",
        "",
        f"- Command: `{command}`{pg}.",
        f"- Measured {result['measured_at']} on {machine()}; load average after the run "
        f"{load} (client threads, gunicorn and the database share the machine).",
        f"- {result['clients']} clients (threads, standard library HTTP), gunicorn "
        f"`--workers {result['workers']}` (sync) on 127.0.0.1; {result['seconds']:g} s per "
        f"phase; learners created in {result['learners_seconds']:.0f} s.",
        *details(result),
        "",
        table([result]),
        "",
    ])


def update_markdown(path, results, command):
    """Replace this benchmark's block of each database measured; keep everything else."""
    put_sections(path, "bench.load", "## Load and faults (`bench/load.py`)", INTRO,
                 {result["database"]: section(result, command) for result in results})
