"""Which lines of a headerless CSV DuckDB's reader may take as they are, found at C speed.

DuckDB reads a plain CSV line ten times faster than Python's csv module, but the dirty files users
have need reader.py's care on some lines: crash debris (NUL runs, a record cut short, the next
record run on after a restart), legacy 8-bit bytes in a caller name, a line or field over the
limits, a quote left open (DuckDB would read on into the next lines), a quote inside an unquoted
field or text after a closing quote (the two readers split those differently), a bare carriage
return, a line of nothing but delimiters and quotes (no record for reader.py, an empty row for
DuckDB). Such lines are *odd*.

`scan` reads the file once in 1 MiB blocks (gzip limits included, through reader.py) with regular
expressions over whole blocks, never a Python loop per line, and hands each odd line to a callback
as reader.py's physical line tuple, so reader.line_records reads it exactly as iter_records would.
It also notes the runs of empty lines, which DuckDB skips without a trace: with those and the lines
DuckDB rejects, the physical line number of every row DuckDB returns can be restored.

`write_plain_copy` writes the file with its odd lines emptied, for DuckDB to read when there are any.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.formats.base import ReadLimits
from pipeline.formats.reader import BLOCK_BYTES, RAW_KEEP, _Budget

# (line_no, bytes without the newline, length, over the line limit): reader.py's physical line.
Physical = tuple[int, bytes, int, bool]

_BOM = b"\xef\xbb\xbf"
_ODD_QUOTES = re.compile(rb'^(?:[^"\n]*"[^"\n]*")*[^"\n]*"[^"\n]*$', re.M)
_STRAY_QUOTE = re.compile(rb'[^,"\n]"[^,"\r\n]')
_BARE_CR = re.compile(rb"\r(?!\n)")
_BLANKISH = re.compile(rb'^[ \t,"]*[ \t,"][ \t,"]*\r?$', re.M)
_NUL = re.compile(rb"\x00")
_EMPTY_RUN = re.compile(rb"(?:^\r?\n)+", re.M)


class NotLineBased(Exception):
    """The file ends its lines in CR alone (a classic Mac save): read it with reader.py instead."""


@dataclass
class Scan:
    """What one pass over the file found."""

    lines: int = 0  # physical lines, empty ones included
    odd: int = 0  # odd lines handed to the callback
    empty_runs: list[tuple[int, int]] = field(default_factory=list)  # (first line, lines)
    compressed: bool = False


def _long_line(limits: ReadLimits) -> re.Pattern[bytes]:
    # A line that may hold a field over the limit: reader.py measures it.
    return re.compile(rb"[^\n]{%d,}" % (limits.field_chars + 1))


def _odd_spans(part: bytes, at_file_start: bool, long_line: re.Pattern[bytes]) -> list[int]:
    """Start offsets of the odd lines in `part` (whole lines), in order."""
    starts: set[int] = set()

    def line_start(pos: int) -> int:
        return part.rfind(b"\n", 0, pos) + 1

    if at_file_start and part.startswith(_BOM):
        starts.add(0)
    for pattern in (_NUL, _BARE_CR, _STRAY_QUOTE, long_line):
        starts.update(line_start(m.start()) for m in pattern.finditer(part))
    for pattern in (_ODD_QUOTES, _BLANKISH):
        starts.update(m.start() for m in pattern.finditer(part))
    pos = 0
    while True:
        try:
            part[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            starts.add(line_start(bad))
            end = part.find(b"\n", bad)
            if end == -1:
                break
            pos = end + 1
    return sorted(starts)


def _parts(stream: _Budget, limits: ReadLimits) -> Iterator[tuple[int, bytes] | Physical]:
    """Whole lines in blocks: (first line number, bytes ending in a newline or at the end of the
    file), or a line too long to hold as reader.py's physical tuple (its first bytes only)."""
    carry = b""
    line_no = 1
    first = True
    while True:
        block = stream.read(BLOCK_BYTES)
        if first and block and b"\n" not in block and b"\r" in block:
            raise NotLineBased
        first = False
        if not block:
            if carry:
                yield (line_no, carry)
            return
        buf = carry + block
        cut = buf.rfind(b"\n") + 1
        if cut:
            yield (line_no, buf[:cut])
            line_no += buf.count(b"\n", 0, cut)
            carry = buf[cut:]
        else:
            carry = buf
        if len(carry) > limits.line_bytes:
            # Too long: keep the start for the reason, measure and drop the rest up to the newline.
            head, length = carry[:RAW_KEEP], len(carry)
            while True:
                block = stream.read(BLOCK_BYTES)
                if not block:
                    yield (line_no, head, length, True)
                    return
                end = block.find(b"\n")
                if end == -1:
                    length += len(block)
                    continue
                yield (line_no, head, length + end, True)
                line_no += 1
                carry = block[end + 1 :]
                break


def _physical(line_no: int, data: bytes, limits: ReadLimits) -> Physical:
    too_long = len(data) > limits.line_bytes
    return (line_no, data[:RAW_KEEP] if too_long else data, len(data), too_long)


def scan(path: Path, limits: ReadLimits, odd_line: Callable[[Physical], None]) -> Scan:
    """One pass: odd lines to `odd_line`, empty-line runs and line count into the result."""
    stream = _Budget(path, limits)
    result = Scan(compressed=stream.compressed)
    long_line = _long_line(limits)
    try:
        for item in _parts(stream, limits):
            if len(item) == 4:
                odd_line(item)
                result.odd += 1
                result.lines = item[0]
                continue
            line_no, part = item
            for start in _odd_spans(part, line_no == 1, long_line):
                end = part.find(b"\n", start)
                data = part[start : len(part) if end == -1 else end]
                odd_line(_physical(line_no + part.count(b"\n", 0, start), data, limits))
                result.odd += 1
            for m in _EMPTY_RUN.finditer(part):
                first = line_no + part.count(b"\n", 0, m.start())
                n = m.group().count(b"\n")
                runs = result.empty_runs
                if runs and runs[-1][0] + runs[-1][1] == first:
                    runs[-1] = (runs[-1][0], runs[-1][1] + n)
                else:
                    runs.append((first, n))
            result.lines = line_no + part.count(b"\n") - (1 if part.endswith(b"\n") else 0)
    finally:
        stream.close()
    return result


def write_plain_copy(path: Path, limits: ReadLimits, out: BinaryIO) -> None:
    """The file (unpacked) with every odd line emptied: its line numbers stay where they were."""
    stream = _Budget(path, limits)
    long_line = _long_line(limits)
    try:
        for item in _parts(stream, limits):
            if len(item) == 4:
                out.write(b"\n")
                continue
            line_no, part = item
            pos = 0
            for start in _odd_spans(part, line_no == 1, long_line):
                out.write(part[pos:start])
                end = part.find(b"\n", start)
                pos = len(part) if end == -1 else end
            out.write(part[pos:])
    finally:
        stream.close()
