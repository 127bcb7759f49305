"""One run of simulated citizens (``bench/kickoff.py``): the crowd, the asyncio loop that
carries it, and the figures it leaves (per kind of request p50/p95/p99, errors, outcomes)."""
import asyncio
import random
import time
from collections import Counter

from bench._citizen import Person, Run, arrive
from bench._kickoff_setup import venue_address
from bench._learners import Recorder
from bench._server import percentile, say

PAGE_P95_LIMIT = 500.0  # ms, for pages (GET)
SUBMISSION_P95_LIMIT = 1000.0  # ms, for submissions (POST)
REPORT_EVERY = 30.0  # seconds between two progress lines


class Crowd:
    """Who comes to the venues: team members with the PINs of their login cards (while the
    venue has cards left) or people who register; some fail the quiz first."""

    def __init__(self, areas, cards, member_share, fail_share, seed=2026):
        self.areas, self.cards = areas, [list(venue) for venue in cards]
        self.member_share, self.fail_share = member_share, fail_share
        self.rng, self.number, self.gatherings = random.Random(seed), 0, 0

    def people(self, count, tag):
        """``count`` people spread over the venues in turn; ``tag`` makes usernames unique.
        Each call is a gathering of its own (``venue_address``)."""
        crowd, self.gatherings = [], self.gatherings + 1
        for i in range(count):
            venue = i % len(self.areas)
            self.number += 1
            member = self.rng.random() < self.member_share and self.cards[venue]
            username, pin = self.cards[venue].pop() if member else (f"kc{tag}n{i:05d}", None)
            crowd.append(Person(number=self.number, username=username, pin=pin,
                                address=venue_address(venue, self.gatherings),
                                area=self.areas[venue],
                                fails_first=self.rng.random() < self.fail_share))
        return crowd


async def _report(run, label, started):
    while True:
        await asyncio.sleep(REPORT_EVERY)
        recorder = run.recorder
        say(f"{label}: {time.monotonic() - started:.0f} s, {run.active} citizens on the site "
            f"(peak {run.peak}), {recorder.total():,} requests, "
            f"{recorder.total(status=lambda s: not isinstance(s, str) and s >= 500)} 5xx, "
            f"{recorder.total(status=lambda s: s in ('error', 'timeout'))} connection errors/"
            f"timeouts, {recorder.total(status=lambda s: s == 'busy')} busy pages, "
            f"{sum(run.outcomes.values())} visits ended")


def run_citizens(label, port, people, rate, context, stop_after=None, during=()):
    """Let ``people`` arrive at ``rate`` per second on ``port`` and finish their visits (or,
    with ``stop_after``, stop between two pages after that many seconds); ``during`` are
    coroutine functions run alongside, given the ``Run`` (a node kill). Returns the ``Run``
    and its figures."""
    run = Run(port=port, recorder=Recorder(), **context)

    cpu = time.process_time()

    async def main():
        started = time.monotonic()
        if stop_after:
            run.stop_at = started + stop_after
        reporter = asyncio.create_task(_report(run, label, started))
        extra = [asyncio.create_task(task(run)) for task in during]
        await arrive(run, people, rate)
        reporter.cancel()
        extras = [await task for task in extra]
        return time.monotonic() - started, extras

    elapsed, extras = asyncio.run(main())
    result = figures(run, elapsed)
    result.update(label=label, rate=rate, citizens=len(people), extras=extras,
                  client_cpu=time.process_time() - cpu)
    return run, result


def _latency(values):
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99)}


def figures(run, elapsed):
    """What a run measured."""
    recorder = run.recorder
    kinds = {}
    for (kind, status), n in recorder.counts.items():
        row = kinds.setdefault(kind, Counter())
        if isinstance(status, str):
            row[status] += n
        elif status >= 500:
            row["5xx"] += n
        row["sent"] += n
    for kind, row in kinds.items():
        row.update({k: v for k, v in _latency(recorder.latencies.get(kind, [])).items()
                    if v is not None})
    pages = [ms for kind, values in recorder.latencies.items() if kind.startswith("GET")
             for ms in values]
    posts = [ms for kind, values in recorder.latencies.items() if kind.startswith("POST")
             for ms in values]
    page, post = _latency(pages), _latency(posts)
    status = {"5xx": lambda s: not isinstance(s, str) and s >= 500,
              "error": lambda s: s == "error", "timeout": lambda s: s == "timeout"}
    return {
        "seconds": round(elapsed, 1), "peak": run.peak, "requests": recorder.total(),
        "rps": recorder.total() / elapsed if elapsed else 0.0,
        "kinds": {kind: dict(row) for kind, row in sorted(kinds.items())},
        "pages": page, "submissions": post,
        "within_limits": bool(not recorder.total(status=lambda s: s == "busy")
                              and page["p95"] is not None and page["p95"] < PAGE_P95_LIMIT
                              and post["p95"] is not None
                              and post["p95"] < SUBMISSION_P95_LIMIT),
        "errors_5xx": recorder.total(status=status["5xx"]),
        "errors_5xx_get": recorder.total(status=status["5xx"],
                                         kinds=[k for k in kinds if k.startswith("GET")]),
        "connection_errors": recorder.total(status=status["error"]),
        "timeouts": recorder.total(status=status["timeout"]),
        "busy": recorder.total(status=lambda s: s == "busy"),
        "outcomes": dict(run.outcomes), "resent": sum(
            n for note, n in recorder.notes.items() if note.endswith("sent again")),
        "notes": {note: n for note, n in recorder.notes.items()
                  if not note.endswith(("sent again", "after the busy page"))},
        "given_up": len(run.given_up),
    }
