"""CSV downloads that spreadsheet programs open safely and with Vietnamese intact.

``csv_rows(header, rows)`` yields encoded chunks for a streamed response::

    Response(stream_with_context(csv_rows(header, rows)), mimetype="text/csv",
             headers={"Content-Disposition": attachment("progress.csv")})

- UTF-8 with a byte-order mark first: Excel then reads the file as UTF-8, not in the
  Windows code page, and "Nguyễn Thị Lan" stays "Nguyễn Thị Lan".
- CRLF line endings (RFC 4180).
- Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return would be run as a formula by a spreadsheet; it is prefixed with a single quote (OWASP
  "CSV injection"). Numbers are written as numbers, dates as ISO 8601, ``None`` as empty.

Generic on purpose: any export (team progress, administrators' statistics) uses it.
"""
import csv
import io
from datetime import date, datetime
from urllib.parse import quote

BOM = "\ufeff"
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 200


def neutralise(value):
    """The text of one cell, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def csv_rows(header, rows, chunk_rows=CHUNK_ROWS):
    """Yield the CSV file (header, then ``rows``, each an iterable of cells) as UTF-8 bytes,
    a chunk of ``chunk_rows`` rows at a time; ``rows`` may be a generator."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush():
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data.encode("utf-8")

    buffer.write(BOM)
    writer.writerow([neutralise(cell) for cell in header])
    pending = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        pending += 1
        if pending >= chunk_rows:
            yield flush()
            pending = 0
    yield flush()


def attachment(filename):
    """A ``Content-Disposition`` value that downloads as ``filename`` (any characters; an ASCII
    fallback for old clients, the exact name in RFC 5987 form)."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_"
                         for ch in filename) or "export.csv"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
