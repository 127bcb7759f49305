"""Helpers shared by the benchmark scripts."""
import os
import platform
import sys
from pathlib import Path

# gunicorn's sync workers, as `make run` starts them: one per core. Measured on 2 cores
# (BENCHMARKS.md): two workers served every page and write at 1.1-1.6x the rate of four and a
# kick-off at 20 arrivals a second at a p95 of 98 ms instead of 408 ms; four processes taking
# turns on two cores spent up to twice the CPU per request (each evicting the others' caches).
WORKERS = os.cpu_count() or 1


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


def report_breaches(breached, failed=False):
    """Print each breach (a required property that did not hold) to standard error, or "OK";
    the exit status of the benchmark: 1 when anything breached or failed."""
    for line in breached:
        print(f"BREACH: {line}", file=sys.stderr)
    if not breached and not failed:
        print("OK: no breach")
    return 1 if breached or failed else 0
