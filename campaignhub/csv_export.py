"""CSV downloads streamed row by row: constant memory at any size, safe to open in a spreadsheet.

- UTF-8 with a byte order mark first, so Excel reads accents and non-Latin names right.
- Every cell that a spreadsheet could read as a formula is neutralised with a leading `'`:
  cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP, "CSV Injection").
  That includes E.164 phones (`'+14155550182`), which also keeps them text, not a number.
- Every cell is quoted (OWASP's advice too); rows end with CRLF (RFC 4180).
- Rows come from an iterator (a queryset's `.values_list(...).iterator(chunk_size=…)`) and
  leave in batches: nothing holds more than one batch, however many rows there are. Served by
  an ASGI server the batches are produced through `sync_to_async` one at a time, because Django
  collects a synchronous iterator whole before sending it over ASGI.
- A CSV already written to a file (an upload's error report) leaves the same way, 64 kB at a
  time (`stored_csv_response`).
"""

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per chunk sent (some 30-70 kB of text): small enough to stay light, large enough that
# the per-chunk cost (a thread hop under ASGI) does not count.
ROWS_PER_CHUNK = 200
# Rows per database fetch (`QuerySet.iterator(chunk_size=…)`), for callers: a fetch of rows is
# what an export holds in memory at most (about 1 kB a row as Python objects).
FETCH_SIZE = 1000


def cell(value) -> str:
    """One value as the text of a cell: None is empty, Decimal as written (`12.50`), datetimes
    as ISO 8601, the rest `str()`; neutralised when it could start a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object for `csv.writer` that hands back what was written."""

    def write(self, text):
        return text


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    convert: Callable[[Sequence], Sequence] | None = None,
    rows_per_chunk: int = ROWS_PER_CHUNK,
):
    """Yield the CSV as UTF-8 bytes: the BOM and header first, then `rows_per_chunk` rows at a
    time. `convert` turns one fetched row into its values (e.g. labels for codes, a time zone)
    before each value becomes a cell (`cell`)."""
    writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield (BOM + writer.writerow([cell(name) for name in header])).encode()
    batch = []
    for row in rows:
        values = convert(row) if convert is not None else row
        batch.append(writer.writerow([cell(value) for value in values]))
        if len(batch) >= rows_per_chunk:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


_DONE = object()


async def async_chunks(chunks):
    """The same chunks for an ASGI server, each produced in the request's own sync thread (the
    one holding the database cursor, or reading the file). `chunks` is a generator (closed when
    the response ends, however it ends)."""
    take = sync_to_async(next, thread_sensitive=True)
    try:
        while (chunk := await take(chunks, _DONE)) is not _DONE:
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=True)()


FILE_CHUNK_BYTES = 64 * 1024


def file_chunks(handle):
    with handle:
        while chunk := handle.read(FILE_CHUNK_BYTES):
            yield chunk


def stored_csv_response(request, handle, filename: str) -> StreamingHttpResponse:
    """A CSV file already written (`handle`, opened for reading in binary; closed when done)
    downloaded as `filename`, read `FILE_CHUNK_BYTES` at a time under WSGI and ASGI alike:
    Django's `FileResponse` gives a synchronous iterator, which an ASGI server collects whole
    before sending it."""
    chunks = file_chunks(handle)
    content = async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(
    request,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    convert: Callable[[Sequence], Sequence] | None = None,
) -> StreamingHttpResponse:
    """A `StreamingHttpResponse` downloading `rows` under `header` as `filename` (ASCII, e.g.
    `leads-2026-05-01.csv`), streamed in constant memory under WSGI and ASGI alike. Nothing is
    read from `rows` before the response is sent."""
    chunks = csv_chunks(header, rows, convert=convert)
    content = async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def bad_filter(request, form, *, back: str, back_to: str) -> HttpResponse:
    """The answer to a download link whose filters do not validate, for pages: a 400 page naming
    each filter and its errors, with a link to `back` (the page the link belongs to, unfiltered)
    named "Back to <back_to>" ("reports", "the leads"), so it says where it goes. The JSON API
    answers with its error envelope instead."""
    context = {"form": form, "back": back, "back_to": back_to}
    return render(request, "export_refused.html", context, status=400)
