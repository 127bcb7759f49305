"""Run the benchmarks: every module of this folder that has a ``main(argv)``, one after the
other, each with its default settings (``make bench``).

    .venv/bin/python -m bench              # all of them
    .venv/bin/python -m bench stats        # only bench/stats.py

Exits non-zero when a benchmark fails or misses its limits; the others still run.
"""
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path


def discover():
    """The names of the benchmark modules, in alphabetical order."""
    folder = Path(__file__).resolve().parent
    return sorted(info.name for info in pkgutil.iter_modules([str(folder)])
                  if not info.name.startswith("_"))


def run(name):
    """Run ``bench.<name>.main([])``; return its exit status (an error counts as 1)."""
    module = importlib.import_module(f"bench.{name}")
    if not callable(getattr(module, "main", None)):
        return None
    print(f"=== bench.{name}", flush=True)
    started = time.perf_counter()
    try:
        status = module.main([]) or 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    except Exception:  # noqa: BLE001 - report it and go on with the other benchmarks
        traceback.print_exc()
        status = 1
    print(f"=== bench.{name}: {'ok' if status == 0 else 'FAILED'} "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    return status


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    names = discover()
    unknown = [name for name in argv if name not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}",
              file=sys.stderr)
        return 2
    statuses = {name: run(name) for name in (argv or names)}
    failed = [name for name, status in statuses.items() if status not in (0, None)]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
