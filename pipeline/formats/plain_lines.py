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
# A quote with something other than a delimiter or a quote on both sides: inside an unquoted field,
# or text after a closing quote. The literal first character lets the engine skip to each quote.
_STRAY_QUOTE = re.compile(rb'"(?<=[^,"\n]")(?=[^,"\r\n])')
_BARE_CR = re.compile(rb"\r(?!\n)")
_BLANK = b' \t,"\r'
# Every byte but the quote and the newline: what is left of a line is its quotes.
_NOT_QUOTES = bytes(b for b in range(256) if b not in b'"\n')


class NotLineBased(Exception):
    """The file ends its lines in CR alone (a classic Mac save): read it with reader.py instead."""


@dataclass
class Scan:
    """What one pass over the file found."""

    lines: int = 0  # physical lines, empty ones included
    odd: int = 0  # odd lines handed to the callback
    empty_runs: list[tuple[int, int]] = field(default_factory=list)  # (first line, lines)
    compressed: bool = False
    newlines: int = 0
    crlf: int = 0  # of the newlines, those after a carriage return

    @property
    def mixed_endings(self) -> bool:
        """Some lines end in CRLF and others in LF alone: DuckDB's reader, which settles on one line
        ending per file, can give up on such a file in strict mode."""
        return 0 < self.crlf < self.newlines


def _classify(
    part: bytes, at_file_start: bool, limits: ReadLimits
) -> tuple[list[bytes], list[int], list[int]]:
    """The lines of `part` (whole lines), the indexes of the odd ones and of the empty ones.

    Whole-block checks first (C speed); the per-line ones are list comprehensions over the lines.
    """
    lines = part.split(b"\n")
    if part.endswith(b"\n"):
        lines.pop()
    odd: set[int] = set()
    if at_file_start and part.startswith(_BOM):
        odd.add(0)
    odd.update(i for i, line in enumerate(lines) if len(line) > limits.field_chars)
    quotes = part.translate(None, _NOT_QUOTES).split(b"\n")
    odd.update(i for i, q in enumerate(quotes[: len(lines)]) if len(q) % 2)
    if b"\x00" in part:
        odd.update(i for i, line in enumerate(lines) if b"\x00" in line)
    if _BARE_CR.search(part):
        odd.update(i for i, line in enumerate(lines) if _BARE_CR.search(line + b"\n"))
    if _STRAY_QUOTE.search(part):
        odd.update(i for i, line in enumerate(lines) if _STRAY_QUOTE.search(line))
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        for i, line in enumerate(lines):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                odd.add(i)
    empty: list[int] = []
    for i in [i for i, line in enumerate(lines) if not line.strip(_BLANK)]:
        if lines[i] in (b"", b"\r"):
            empty.append(i)
        else:
            odd.add(i)  # only delimiters, quotes and spaces: no record for reader.py
    return lines, sorted(odd), empty


def _only_empty_lines(part: bytes) -> bool:
    return part.endswith(b"\n") and not part.replace(b"\r\n", b"\n").strip(b"\n")


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
    try:
        for item in _parts(stream, limits):
            if len(item) == 4:
                odd_line(item)
                result.odd += 1
                result.lines = item[0]
                continue
            line_no, part = item
            result.newlines += part.count(b"\n")
            result.crlf += part.count(b"\r\n")
            if _only_empty_lines(part):
                # A padded or hostile file (a gzip bomb of newlines): counted at C speed.
                n = part.count(b"\n")
                runs = result.empty_runs
                if runs and runs[-1][0] + runs[-1][1] == line_no:
                    runs[-1] = (runs[-1][0], runs[-1][1] + n)
                else:
                    runs.append((line_no, n))
                result.lines = line_no + n - 1
                continue
            lines, odd, empty = _classify(part, line_no == 1, limits)
            for i in odd:
                odd_line(_physical(line_no + i, lines[i], limits))
            result.odd += len(odd)
            runs = result.empty_runs
            for i in empty:
                if runs and runs[-1][0] + runs[-1][1] == line_no + i:
                    runs[-1] = (runs[-1][0], runs[-1][1] + 1)
                else:
                    runs.append((line_no + i, 1))
            result.lines = line_no + len(lines) - 1
    finally:
        stream.close()
    return result


def write_plain_copy(path: Path, limits: ReadLimits, out: BinaryIO) -> None:
    """The file (unpacked) with every odd line emptied: its line numbers stay where they were."""
    stream = _Budget(path, limits)
    try:
        for item in _parts(stream, limits):
            if len(item) == 4:
                out.write(b"\n")
                continue
            line_no, part = item
            if _only_empty_lines(part):
                out.write(part)
                continue
            lines, odd, _ = _classify(part, line_no == 1, limits)
            if not odd:
                out.write(part)
                continue
            for i in odd:
                lines[i] = b""
            out.write(b"\n".join(lines))
            if part.endswith(b"\n"):
                out.write(b"\n")
    finally:
        stream.close()
