"""The callstats CSV line by line: the careful second reading when DuckDB's reader lost lines.

DuckDB's reader is fast, but one unterminated quote at the start of a field makes it read on into
the following lines as one long quoted value: thousands of valid calls can vanish without being
counted. So after every fast reading the ingest compares the records DuckDB accounted for (good +
malformed) with the file's own count of non-empty physical lines (`count_records`, a byte scan).
When they differ the file is read again here, one physical line at a time: a line is a record, a
line whose quotes do not balance is rejected on its own ("unterminated quote") and cannot swallow
the next one, and every line ends as a row, a rejected row or an empty line that holds nothing.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import polars as pl

from pipeline.formats.base import CANONICAL_COLUMNS, FormatError, RowIssue

MAX_LINE_BYTES = 1 << 20  # as the fast reader's max_line_size
_BLOCK = 1 << 20
_EMPTY_LINE_END = re.compile(rb"(?<=\n)\r?\n")


class RecordsMismatch(Exception):
    """The fast reader accounted for a different number of records than the file has lines."""


def _open(path: Path) -> BinaryIO:
    handle: BinaryIO = gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")  # type: ignore[assignment]  # noqa: SIM115 - closed by the caller
    return handle


def count_records(path: Path) -> int:
    """Non-empty physical lines after the header (an empty line, or one of only `\\r`, holds no
    record: DuckDB skips it too). A scan of the bytes in blocks, no decoding."""
    lines = empty = 0
    tail = b""
    last = b""
    with _open(path) as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            lines += block.count(b"\n")
            data = tail + block
            if b"\n\n" in data or b"\n\r\n" in data:
                empty += sum(1 for m in _EMPTY_LINE_END.finditer(data) if m.end() > len(tail))
            tail = data[-2:]
            last = block[-1:]
    if last and last != b"\n":
        lines += 1  # a last line without a newline
        if tail in (b"\n\r",):
            empty += 1
    return max(lines - empty - 1, 0)


def _physical_lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the newline), or None for a line longer than MAX_LINE_BYTES
    (skipped to its end without holding it in memory)."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(_BLOCK)
            yield number, None
            continue
        yield number, line.rstrip(b"\n").rstrip(b"\r")


def read_lines(path: Path, header: list[str]) -> tuple[pl.DataFrame, list[RowIssue], int]:
    """The file's data lines as canonical text rows: (frame with line_no, rejected lines, records)."""
    columns: dict[str, list[str | None]] = {c: [] for c in CANONICAL_COLUMNS}
    line_numbers: list[int] = []
    rejected: list[RowIssue] = []
    records = 0
    try:
        with _open(path) as handle:
            for number, raw in _physical_lines(handle):
                if number == 1:
                    continue  # the header
                if raw is not None and not raw:
                    continue  # an empty line holds no record
                records += 1
                issue = _judge(number, raw, header)
                if isinstance(issue, RowIssue):
                    rejected.append(issue)
                    continue
                fields = dict(zip(header, issue, strict=True))
                for name in CANONICAL_COLUMNS:
                    columns[name].append(fields.get(name))
                line_numbers.append(number)
    except (OSError, EOFError) as exc:
        raise FormatError(f"cannot read {path.name}: {exc}") from exc
    frame = pl.DataFrame(
        {
            **{c: pl.Series(c, v, dtype=pl.String) for c, v in columns.items()},
            "line_no": pl.Series("line_no", line_numbers, dtype=pl.Int64),
        }
    )
    return frame, rejected, records


def _judge(number: int, raw: bytes | None, header: list[str]) -> RowIssue | list[str]:
    if raw is None:
        return RowIssue(number, "", f"malformed line: longer than {MAX_LINE_BYTES // 2**20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return RowIssue(number, raw.decode("utf-8", "replace"), "malformed line: not UTF-8")
    if "\x00" in text:
        return RowIssue(number, text.replace("\x00", "\\0"), "malformed line: a NUL byte")
    if text.count('"') % 2:
        return RowIssue(number, text, "malformed line: unterminated quote")
    try:
        fields = next(csv.reader([text], strict=True))
    except csv.Error as exc:
        return RowIssue(number, text, f"malformed line: {exc}")
    if len(fields) != len(header):
        return RowIssue(number, text, f"malformed line: {len(fields)} fields, the header has {len(header)}")
    return fields
