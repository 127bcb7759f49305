"""Helpers shared by the benchmark scripts."""
import os
import platform
from pathlib import Path


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
