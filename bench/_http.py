"""A small asyncio HTTP client on raw streams, for the kick-off benchmark (``bench/kickoff.py``).

One connection per request (HTTP/1.0: the server closes it after the response, no chunked
bodies), cookies kept per simulated browser, no redirect followed, every request sent to
127.0.0.1 only. A thousand of these cost the machine little: no thread per citizen, no parser
beyond the status line and the headers.
"""
import asyncio
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from bench._server import HOST

HTTP_TIMEOUT = 300.0  # seconds for one request, queueing included: what a browser waits
CSRF = re.compile(rb'name="csrf_token"[^>]*?value="([^"]*)"|value="([^"]*)"[^>]*?name="csrf_token"')


@dataclass
class Reply:
    """What a request got back: status, the path of ``Location`` (or ""), the body."""

    status: int
    location: str
    body: bytes
    retry_after: float = None  # seconds, from a 503's Retry-After

    def csrf(self):
        """The page's CSRF token, or ""."""
        found = CSRF.search(self.body)
        return (found.group(1) or found.group(2)).decode() if found else ""


class Browser:
    """One citizen's phone: cookies, its venue's address (``X-Forwarded-For``), and every
    response recorded in ``recorder`` (``bench._learners.Recorder``) by kind of request."""

    def __init__(self, port, recorder, address):
        self.port, self.recorder, self.address, self.cookies = port, recorder, address, {}

    def _head(self, method, path, body):
        lines = [f"{method} {path} HTTP/1.0", f"Host: {HOST}:{self.port}",
                 f"X-Forwarded-For: {self.address}", "Accept-Language: vi",
                 "User-Agent: digilit-bench-kickoff"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def request(self, kind, method, path, fields=None):
        """Send one request; the ``Reply``, or None on a connection error or a timeout (both
        recorded as such)."""
        body = urlencode(fields).encode("ascii") if fields is not None else None
        started = time.perf_counter()
        writer = None
        try:
            async with asyncio.timeout(HTTP_TIMEOUT):
                reader, writer = await asyncio.open_connection(HOST, self.port)
                writer.write(self._head(method, path, body) + (body or b""))
                await writer.drain()
                raw = await reader.read()
        except TimeoutError:
            self.recorder.add(kind, "timeout", 0.0)
            return None
        except OSError:
            self.recorder.add(kind, "error", 0.0)
            return None
        finally:
            if writer is not None:
                writer.close()
        head, _sep, data = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():  # closed before answering
            self.recorder.add(kind, "error", 0.0)
            return None
        status = int(parts[1])
        location, retry_after = "", None
        for line in lines[1:]:
            name, _sep, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "location":
                location = urlsplit(value).path
            elif name == "set-cookie":
                self._keep_cookie(value)
            elif name == "retry-after" and value.isdigit():
                retry_after = float(value)
        # The site's own "busy, try again" page is counted apart from errors.
        busy = status == 503 and retry_after is not None
        self.recorder.add(kind, "busy" if busy else status, (time.perf_counter() - started) * 1000)
        return Reply(status, location, data, retry_after)

    def _keep_cookie(self, header):
        pair, *attributes = header.split(";")
        name, _sep, value = pair.strip().partition("=")
        if any(a.strip().lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt")
               for a in attributes):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
