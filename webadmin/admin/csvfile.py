"""The one CSV streamer: the section lists' export, the audit log's, a locale's strings.

Rows are written as they come (a generator reading in keyset chunks keeps memory flat), every
cell through ``text.csv_cell`` (a value a spreadsheet would run as a formula is quoted), and
sent in pieces of about ``PIECE_BYTES``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Response, stream_with_context

from .text import csv_cell

PIECE_BYTES = 16 * 1024


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` (CRLF line ends), in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() > PIECE_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(header: Iterable[str], rows: Iterable[Iterable[Any]], stem: str) -> Response:
    """A streamed download ``<stem>-<UTC time>.csv`` (the request's context kept open)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(csv_lines(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{stem}-{stamp}.csv"'})
