"""Bytes to records for every adapter: bounded in memory, tolerant of crash damage, gzip-aware.

Damage costs a line, never a file. A telephony system killed mid-write leaves a run of NUL bytes
where its record should have been, and after the restart the next record can follow on the same
line: the NUL run and the cut text before it are rejected rows, the text after it is read as the
record it is. A record is one physical line (a quote left open by a cut record does not swallow
the lines after it); only spreadsheet-style inputs opt in to quoted cells spanning lines.

Limits, each a rejected row with its reason (the gzip one a one-line file error), so no input can
exhaust memory or hold the ingest for minutes:
- a line over 64 KiB: the longest real record seen is a CUCM CDR of about 2 KiB and Asterisk
  drops records over 1 KiB itself, so this is 30 times the real need. Lines are read in 1 MiB
  blocks and an over-long line is measured and skipped, never held, whatever its size.
- a field over 8 KiB: real fields (caller names, dial strings, a 3CX `chain`) stay far below.
- a quoted cell spanning more than 20 lines (inputs that allow line breaks in cells).
- a gzip input unpacking to more than 100 times its packed size (64 MiB allowed for any file) or
  4 GiB in all: call logs pack 5 to 20 times, a "gzip bomb" of newlines a thousand times. Runs of
  blank lines are skipped at C speed, so even the allowance is read in seconds.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.formats.base import FormatError, ReadLimits

HEAD_BYTES = 64 * 1024
BLOCK_BYTES = 1024 * 1024
RAW_KEEP = 200
_GZIP_MAGIC = b"\x1f\x8b"
_NUL_RUN = re.compile(rb"\x00+")
_NOT_BLANK = re.compile(rb"[^\r\n]")
_BOM = b"\xef\xbb\xbf"


def decode(raw: bytes, encoding: str | None = None) -> str:
    if encoding is not None:
        return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 maps every byte.
            return raw.decode("latin-1")


def read_head(path: Path, size: int = HEAD_BYTES) -> str:
    """The first lines of a file as text (gzip unpacked, BOM stripped, a cut final line dropped).

    Of a line with crash debris only the text after the last NUL run is kept: what came before it
    was cut off by the crash, and must not decide the format of the file.
    """
    stream = _Budget(path, DEFAULT_LIMITS)
    try:
        data = stream.read(size)
    finally:
        stream.close()
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if len(data) == size and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]
    return "\n".join(decode(line.rsplit(b"\x00", 1)[-1]) for line in data.splitlines())


class Record(NamedTuple):
    """One record as read. A named tuple, not a dataclass: it is built once per line of every file,
    and a tuple costs half as much to build."""

    line_no: int
    raw: str
    fields: list[str]
    # Set when the reader itself rejects the record (crash debris, a line or field over the limit).
    issue: str | None = None


DEFAULT_LIMITS = ReadLimits()


class _Budget:
    """A binary stream that fails with one line once a gzip input unpacks past its limit."""

    def __init__(self, path: Path, limits: ReadLimits) -> None:
        self.path = path
        try:
            raw = path.open("rb")
        except OSError as exc:
            raise FormatError(f"cannot read {path}: {exc.strerror}") from None
        magic = raw.read(2)
        raw.seek(0)
        self.compressed = magic == _GZIP_MAGIC
        self.limit: int | None = None
        if self.compressed:
            size = path.stat().st_size
            self.limit = min(
                limits.decompressed_bytes, max(limits.gzip_floor_bytes, limits.gzip_ratio * size)
            )
            self._fh: io.BufferedIOBase = gzip.GzipFile(fileobj=raw, mode="rb")
            self._raw: io.BufferedIOBase | None = raw
        else:
            self._fh, self._raw = raw, None
        self.read_bytes = 0

    def read(self, size: int) -> bytes:
        try:
            data = self._fh.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise FormatError(
                f"{self.path.name}: damaged gzip data after {self.read_bytes} bytes ({exc})"
            ) from None
        self.read_bytes += len(data)
        if self.limit is not None and self.read_bytes > self.limit:
            raise FormatError(
                f"{self.path.name}: unpacks to more than {self.limit:,} bytes".replace(",", " ")
                + " (the limit for a gzip input of this size); unpack it and check the content first"
            )
        return data

    def close(self) -> None:
        self._fh.close()
        if self._raw is not None:
            self._raw.close()


# (line_no, data, length, too_long): one physical line without its terminator; a line over the
# limit keeps only its first bytes. Tuples, not objects: this runs once per line of every file.
_Physical = tuple[int, bytes, int, bool]

# Switched off only by the tests that compare the clean-run path with the line-by-line one.
CLEAN_RUNS = True


def _physical_lines(
    stream: _Budget, limits: ReadLimits, *, clean_runs: bool = False
) -> Iterator[_Physical | list[_Segment]]:
    """Split a stream into lines in bounded blocks: a line over the limit is measured, not kept.

    Lines end in LF (CRLF included); a file whose first block has CRs and no LF at all is a classic
    Mac save ("CSV (Macintosh)" in Excel) and ends its lines in CR.

    With `clean_runs`, the whole lines of a block after the first line come as one list of decoded
    segments when nothing in them needs a line's own care (see _clean_run); otherwise, and for
    every other block, line by line.
    """
    buf = stream.read(BLOCK_BYTES)
    eof = not buf
    newline = b"\r" if b"\n" not in buf and b"\r" in buf else b"\n"
    clean_runs = clean_runs and CLEAN_RUNS and newline == b"\n"
    pos = 0
    line_no = 1
    tried = 0  # where in buf a clean run was last tried: the lines before it go line by line
    while True:
        if clean_runs and line_no > 1 and pos >= tried:
            last = buf.rfind(b"\n", pos)
            if last > pos and buf[last + 1 : last + 2] != b"\r":
                run = _clean_run(buf[pos:last], line_no, limits.line_bytes)
                if run is not None:
                    yield run
                    line_no += buf.count(b"\n", pos, last) + 1
                    pos = last + 1
                tried = last + 1
        nl = buf.find(newline, pos)
        if nl == -1:
            rest = len(buf) - pos
            if rest > limits.line_bytes:
                # Too long: keep the start for the reason, count and drop the rest up to the newline.
                head, length = buf[pos : pos + RAW_KEEP], rest
                buf, pos = b"", 0
                while True:
                    block = stream.read(BLOCK_BYTES)
                    if not block:
                        yield (line_no, head, length, True)
                        return
                    end = block.find(newline)
                    if end == -1:
                        length += len(block)
                        continue
                    length += end
                    buf, pos, tried = block[end + 1 :], 0, 0
                    yield (line_no, head, length, True)
                    line_no += 1
                    break
                continue
            if eof:
                if rest:
                    yield (line_no, buf[pos:], rest, False)
                return
            block = stream.read(BLOCK_BYTES)
            if not block:
                eof = True
            buf, pos, tried = buf[pos:] + block, 0, 0
            continue
        if nl == pos or (nl == pos + 1 and buf[pos : pos + 1] == b"\r"):
            # A run of blank lines (a padded or hostile file) is skipped at C speed.
            found = _NOT_BLANK.search(buf, pos)
            end = found.start() if found else len(buf)
            if end == len(buf) and newline == b"\n" and buf.endswith(b"\r"):
                end -= 1  # keep a lone \r: it may be the first half of a CRLF split between blocks
            line_no += buf.count(newline, pos, end)
            pos = end
            continue
        length = nl - pos
        if length > limits.line_bytes:
            yield (line_no, buf[pos : pos + RAW_KEEP], length, True)
        else:
            yield (line_no, buf[pos:nl], length, False)
        line_no += 1
        pos = nl + 1


def _clean_run(region: bytes, line_no: int, line_bytes: int) -> list[_Segment] | None:
    """The segments of whole lines (`region` without its last newline, starting at `line_no`) when
    every line is read alike: UTF-8 throughout, no NUL byte, no CR but in CRLF, none over the limit;
    else None. Then decoding the run at once gives each line's text, and a blank line is "" or "\\r"
    (the line-by-line path skips exactly those, counting them).
    """
    # The last line's CR is the first half of the CRLF whose LF ends the region.
    if b"\x00" in region or region.count(b"\r") != region.count(b"\r\n") + region.endswith(b"\r"):
        return None
    try:
        text = region.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    # A character is one to four bytes: only a line of more than a quarter of the limit is measured.
    if max(map(len, lines)) * 4 > line_bytes and max(map(len, region.split(b"\n"))) > line_bytes:
        return None
    run: list[_Segment] = []
    for line in lines:
        if line and line != "\r":
            run.append((line_no, line[:-1] if line[-1] == "\r" else line, None))
        line_no += 1
    return run


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


# (line_no, text, issue): the decoded text of one physical line, or of the part of one that crash
# debris left readable; `issue` is set when the reader itself rejects it.
_Segment = tuple[int, str, str | None]


def _segments(path: Path, encoding: str | None, limits: ReadLimits) -> Iterator[_Segment]:
    stream = _Budget(path, limits)
    try:
        yield from _line_segments(
            _physical_lines(stream, limits, clean_runs=encoding is None), encoding, limits
        )
    finally:
        stream.close()


def _line_segments(
    lines: Iterable[_Physical | list[_Segment]], encoding: str | None, limits: ReadLimits
) -> Iterator[_Segment]:
    for line in lines:
        if isinstance(line, list):  # a clean run, decoded already
            yield from line
            continue
        line_no, data, length, too_long = line
        if line_no == 1 and data.startswith(_BOM):
            data = data[len(_BOM) :]
        if too_long:
            reason = f"line of {_count(length)} bytes is longer than the limit of {_count(limits.line_bytes)} bytes"
            yield (line_no, _trim(decode(data, encoding)), reason)
            continue
        if data.endswith(b"\r"):
            data = data.rstrip(b"\r")
        if b"\x00" not in data:
            yield (line_no, decode(data, encoding), None)
            continue
        # A writer killed mid-write leaves NUL bytes where its record should be; the next record
        # after the restart can follow on the same line. Text before a NUL run is a cut record.
        pos = 0
        for run in _NUL_RUN.finditer(data):
            before = data[pos : run.start()]
            if before.strip():
                cut = "record cut short by crash debris (NUL bytes)"
                yield (line_no, _trim(decode(before, encoding)), cut)
            size = _count(run.end() - run.start())
            debris = f"crash debris: {size} NUL bytes (a write cut off by a crash or power loss)"
            yield (line_no, f"<{size} NUL bytes>", debris)
            pos = run.end()
        after = data[pos:]
        if after.strip():
            yield (line_no, decode(after, encoding), None)


def _trim(text: str) -> str:
    return text if len(text) <= RAW_KEEP else text[:RAW_KEEP] + "…"


class _Feeder:
    """Lines for csv.reader that end a record after `max_lines` lines or at a rejected segment.

    csv.reader asks for another line only to continue a quoted field, so `used` holds exactly the
    lines of the record it returns; `cut` says the quote was still open when the feeder stopped.
    """

    def __init__(
        self, segments: Iterator[_Segment], max_lines: int, repair: Callable[[str], str] | None = None
    ) -> None:
        self.source = segments
        self.max_lines = max_lines
        self.repair = repair
        self.pending: deque[_Segment] = deque()
        self.used: list[_Segment] = []
        self.issue: _Segment | None = None
        self.cut = False
        self.done = False

    def __iter__(self) -> _Feeder:
        return self

    def __next__(self) -> str:
        if self.used and len(self.used) >= self.max_lines:
            self.cut = True
            raise StopIteration
        if self.pending:
            seg = self.pending.popleft()
        else:
            nxt = next(self.source, None)
            if nxt is None:
                self.done = True
                raise StopIteration
            seg = nxt
        if seg[2] is not None:
            if self.used:
                self.pending.appendleft(seg)
                self.cut = True
            else:
                self.issue = seg
            raise StopIteration
        self.used.append(seg)
        return (self.repair(seg[1]) if self.repair else seg[1]) + "\n"

    def reset(self) -> None:
        self.used = []
        self.issue = None
        self.cut = False


def _csv_reason(exc: csv.Error) -> str:
    if "new-line character" in str(exc):
        return "unreadable record: a carriage return inside an unquoted field"
    return f"unreadable record: {exc}"


def iter_records(
    path: Path,
    *,
    delimiter: str = ",",
    quotechar: str | None = '"',
    encoding: str | None = None,
    skipinitialspace: bool = False,
    multiline: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
    repair: Callable[[str], str] | None = None,
) -> Iterator[Record]:
    """Every non-blank record with its first physical line number and raw text.

    A record is one physical line, so a line cut by a crash costs that line and no more (a quote it
    leaves open ends with the line). With `multiline` (spreadsheet exports with line breaks inside
    quoted cells) a quoted field may run on for up to `limits.record_lines` lines; a quote still
    open after that rejects its first line alone, and reading resumes on the next line. `repair`
    rewrites a line's text before it is tokenised (a layout's known quoting fault); `raw` keeps
    the line as read.
    """
    return _records(
        _segments(path, encoding, limits),
        delimiter=delimiter,
        quotechar=quotechar,
        skipinitialspace=skipinitialspace,
        multiline=multiline,
        limits=limits,
        repair=repair,
    )


def line_records(
    lines: Iterable[tuple[int, bytes, int, bool]],
    *,
    delimiter: str = ",",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[Record]:
    """The records of chosen physical lines, read exactly as iter_records reads them in a file.

    Each line is (line_no, bytes without the newline, its length, over the line limit); a line over
    the limit may hold only its first bytes. For readers that take most lines another way and hand
    over only the ones that need this reader's care (crash debris, legacy bytes, odd quoting).
    """
    return _records(_line_segments(lines, None, limits), delimiter=delimiter, limits=limits)


# Lines handed to one csv.reader at a time: enough to pay its setup once per thousand records.
# A batch that the feeder has to take over reads its lines again, so after one the batch starts at
# a line and doubles with every clean batch: a file of damaged lines costs a bounded re-read each.
# 0 reads every record through the feeder (the tests compare the two).
BATCH_LINES = 1024


def _records(
    segments: Iterator[_Segment],
    *,
    delimiter: str = ",",
    quotechar: str | None = '"',
    skipinitialspace: bool = False,
    multiline: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
    repair: Callable[[str], str] | None = None,
) -> Iterator[Record]:
    """Records from segments: a batch of lines at a time through one csv.reader over a list (the
    csv module's C loop), and through the feeder one record at a time wherever a batch cannot be
    trusted: a record that runs past its line (an open quote), a line the csv module rejects, and
    in multiline mode a batch's last line that leaves a quote open (its record may go on after the
    batch). Both read every line the same way; the batch only skips a Python call per line."""
    if quotechar is None:
        dialect: dict[str, Any] = {"delimiter": delimiter, "quoting": csv.QUOTE_NONE}
    else:
        dialect = {"delimiter": delimiter, "quotechar": quotechar, "skipinitialspace": skipinitialspace}
    feeder = _Feeder(segments, limits.record_lines if multiline else 1, repair)
    field_chars = limits.field_chars
    blank_chars = f"{delimiter}{quotechar or ''} \t"
    pending, source = feeder.pending, feeder.source
    exhausted = False
    size = BATCH_LINES or 1
    while not exhausted or pending:
        batch: list[_Segment] = []
        while len(batch) < size:
            if pending:
                seg = pending.popleft()
            else:
                nxt = next(source, None)
                if nxt is None:
                    exhausted = True
                    break
                seg = nxt
            if seg[2] is not None:  # rejected by the reader: ends the batch, read after it
                if batch:
                    pending.appendleft(seg)
                    break
                yield Record(*seg[:2], [], seg[2])
                continue
            batch.append(seg)
        if not batch:
            continue
        if not BATCH_LINES:
            pending.appendleft(batch[0])
            yield from _csv_record(feeder, dialect, multiline, blank_chars, field_chars)
            continue
        lines = [repair(seg[1]) + "\n" for seg in batch] if repair else [seg[1] + "\n" for seg in batch]
        reader = csv.reader(lines, **dialect)
        last = len(batch)
        done = 0  # lines read into whole records
        try:
            for fields in reader:
                if reader.line_num != done + 1 or (
                    multiline and done + 1 == last and fields and fields[-1].endswith("\n")
                ):
                    break
                line_no, raw, _ = batch[done]
                done += 1
                if not raw.strip(blank_chars):  # only delimiters, quotes and spaces
                    continue
                if len(raw) > field_chars:
                    yield _checked(line_no, raw, fields, field_chars)
                else:  # no field can be over the limit
                    yield Record(line_no, raw, fields)
            else:
                size = min(2 * size, BATCH_LINES)
                continue  # every line of the batch read
        except csv.Error:
            pass
        size = 1
        # The record at batch[done] needs the feeder; the lines after it are read next.
        pending.extendleft(reversed(batch[done:]))
        yield from _csv_record(feeder, dialect, multiline, blank_chars, field_chars)


def _checked(line_no: int, raw: str, fields: list[str], field_chars: int) -> Record:
    """The record, or its rejection when a field is over the limit."""
    if len(raw) > field_chars and max(map(len, fields)) > field_chars:
        longest = max(range(len(fields)), key=lambda i: len(fields[i]))
        reason = (
            f"field {longest + 1} has {_count(len(fields[longest]))} characters, more than the "
            f"limit of {_count(field_chars)}"
        )
        return Record(line_no, _trim(raw), [], reason)
    return Record(line_no, raw, fields)


def _csv_record(
    feeder: _Feeder, dialect: dict[str, Any], multiline: bool, blank_chars: str, field_chars: int
) -> Iterator[Record]:
    """The csv module's reading of the record that starts at the feeder's next line (at most one).

    The lines a record does not use go back to the feeder's pending lines, to be read next.
    """
    feeder.reset()
    reader = csv.reader(feeder, **dialect)
    try:
        fields = next(reader)
    except StopIteration:
        fields = None
    except csv.Error as exc:
        # The record is unreadable (a bare carriage return, say): it alone is rejected, and reading
        # goes on with the lines after its first.
        used = feeder.used
        feeder.pending.extendleft(reversed(used[1:]))
        feeder.reset()
        if used:
            yield Record(used[0][0], _trim(used[0][1]), [], _csv_reason(exc))
        return
    used = feeder.used
    cut = feeder.cut
    feeder.reset()
    if fields is None or not used:
        return
    line_no = used[0][0]
    if cut and multiline:
        feeder.pending.extendleft(reversed(used[1:]))
        yield Record(line_no, _trim(used[0][1]), [], "unterminated quote: the quoted field never ends")
        return
    raw = used[0][1] if len(used) == 1 else "\n".join(seg[1] for seg in used)
    if not raw.strip(blank_chars):  # only delimiters, quotes and spaces
        return
    yield _checked(line_no, raw, fields, field_chars)


# Where a layout can tell a record's start (queue_log's epoch, 3CX's `Call NNN`): the offset of a
# record that begins inside the line and its fields, or None when the record is whole.
NextRecord = Callable[[Record], tuple[int, list[str]] | None]
GLUED_REASON = "record cut short: the next record starts on the same line (a restart mid-write)"


def split_glued(records: Iterable[Record], next_record: NextRecord) -> Iterator[Record]:
    """Split a line where a restart wrote the next record after a cut one: the cut part is rejected,
    the record after it read, both under the line's number."""
    for rec in records:
        found = None if rec.issue is not None else next_record(rec)
        if found is None:
            yield rec
            continue
        offset, fields = found
        yield Record(rec.line_no, _trim(rec.raw[:offset]), [], GLUED_REASON)
        yield Record(rec.line_no, rec.raw[offset:], fields)
