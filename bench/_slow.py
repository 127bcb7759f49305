"""Slow clients (``bench/kickoff.py``): a few connections send a form's body a byte at a time
while a normal client keeps asking for a page. Straight at gunicorn, each slow body holds a
sync worker until it is complete, so the normal requests wait; behind nginx (which reads the
whole body before passing it on) they should not notice."""
import asyncio
import time

from bench._http import Browser
from bench._learners import Recorder
from bench._server import HOST, percentile

BODY_BYTES = 4096  # announced in Content-Length; only a trickle of it is ever sent
TRICKLE_EVERY = 0.5  # seconds between two bytes
PROBE_EVERY = 0.25  # seconds between two normal requests
PROBE_PATH = "/"  # the course catalogue, as a citizen opening the site


async def _trickle(port, seconds):
    """One slow client: headers, then one byte every ``TRICKLE_EVERY`` seconds, then gone."""
    writer = None
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write((f"POST /auth/login HTTP/1.0\r\nHost: {HOST}:{port}\r\n"
                      "X-Forwarded-For: 10.99.0.1\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      f"Content-Length: {BODY_BYTES}\r\n\r\n").encode("ascii"))
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            writer.write(b"a")
            await writer.drain()
            await asyncio.sleep(TRICKLE_EVERY)
    except OSError:
        pass
    finally:
        if writer is not None:
            writer.close()


async def _check(port, connections, seconds):
    recorder = Recorder()
    browser = Browser(port, recorder, "10.98.0.1")
    for _ in range(5):
        await browser.request("before", "GET", PROBE_PATH)
    trickles = [asyncio.create_task(_trickle(port, seconds)) for _ in range(connections)]
    await asyncio.sleep(1.0)  # let them all be accepted first
    stop = time.monotonic() + seconds - 1.5
    while time.monotonic() < stop:
        await browser.request("during", "GET", PROBE_PATH)
        await asyncio.sleep(PROBE_EVERY)
    await asyncio.gather(*trickles)
    during = recorder.latencies.get("during", [])
    failed = sum(n for (kind, status), n in recorder.counts.items()
                 if kind == "during" and (isinstance(status, str) or status >= 500))
    return {"connections": connections, "seconds": seconds,
            "before_p50": percentile(recorder.latencies.get("before", []), 50),
            "requests": len(during) + failed, "failed": failed,
            "p50": percentile(during, 50), "max": max(during) if during else None}


def slow_clients(port, connections=8, seconds=10.0):
    """Normal requests' latency while ``connections`` slow clients trickle their bodies to
    ``port`` for ``seconds``."""
    return asyncio.run(_check(port, connections, seconds))
