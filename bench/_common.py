"""Helpers shared by the benchmark scripts."""
import os
import platform
import sys
import textwrap
from pathlib import Path

# gunicorn's sync workers, as `make run` starts them: one per core. Measured on 2 cores
# (BENCHMARKS.md): two workers served every page and write at 1.1-1.6x the rate of four and a
# kick-off at 20 arrivals a second at a p95 of 98 ms instead of 408 ms; four processes taking
# turns on two cores spent up to twice the CPU per request (each evicting the others' caches).
WORKERS = os.cpu_count() or 1
HEADER = """# Benchmarks

Figures from the scripts in `bench/` (`make bench` runs them all). Ratios divide by the
baseline measured in the same run (`GET /healthz`: one `SELECT 1`), so that they can be
compared across machines and busy moments.
"""


def machine():
    """One line describing this machine, for the figures in BENCHMARKS.md."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except OSError:
        memory = 0
    return f"{os.cpu_count()} × {cpu}, {memory} GB RAM, Python {platform.python_version()}"


def put_block(text, key, body, before=None):
    """``text`` with the block between ``<!-- key: begin -->`` and ``<!-- key: end -->``
    replaced by ``body``; a new block goes just before the marker ``before`` or, without one,
    at the end. Each benchmark writes its own blocks of BENCHMARKS.md this way and keeps
    everything else."""
    start, stop = f"<!-- {key}: begin -->", f"<!-- {key}: end -->"
    block = f"{start}\n{body}{stop}"
    if start in text:
        head, rest = text.split(start, 1)
        return head + block + rest.split(stop, 1)[1]
    if before is not None:
        return text.replace(before, block + "\n" + before)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def put_sections(path, key, title, intro, sections):
    """Write the Markdown file ``path`` (BENCHMARKS.md) with the block ``<key> <database>`` of
    each ``sections`` item (``{database: text}``) replaced, inside the benchmark's block
    ``key`` (made, with ``title`` and the paragraph ``intro``, when missing); everything
    else is kept."""
    begin, end = f"<!-- {key}: begin -->", f"<!-- {key}: end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if begin not in text:
        text = text.rstrip("\n") + "\n\n" + "\n".join(
            [begin, title, "", textwrap.fill(intro, 96), "", end]) + "\n"
    for database, body in sections.items():
        text = put_block(text, f"{key} {database}", body, before=end)
    path.write_text(text, encoding="utf-8")


def report_breaches(breached, failed=False):
    """Print each breach (a required property that did not hold) to standard error, or "OK";
    the exit status of the benchmark: 1 when anything breached or failed."""
    for line in breached:
        print(f"BREACH: {line}", file=sys.stderr)
    if not breached and not failed:
        print("OK: no breach")
    return 1 if breached or failed else 0
