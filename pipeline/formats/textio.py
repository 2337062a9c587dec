"""Reading the dirty files users really have, shared by every adapter.

Files arrive as UTF-8 with or without a BOM, as Windows-1252 from a Nordic spreadsheet, with CRLF or
no final newline, separated by `,` `;` tab or `|`. Caller names can be legacy 8-bit bytes inside an
otherwise UTF-8 file, so decoding falls back per line and never fails a whole file on one name.

Records are tokenised with Python's csv module (its quoting rules match the exports: doubled quotes,
bare numbers inside quoted rows, quoted fields with commas) and collected in chunks into polars
frames of text, so a large file never becomes millions of live Python objects.

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
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from pipeline.formats.base import FormatError, ParsedFile, ReadLimits, RowIssue, canonical_frame

T = TypeVar("T", bound=Hashable)
HEAD_BYTES = 64 * 1024
BLOCK_BYTES = 1024 * 1024
RAW_KEEP = 200
_GZIP_MAGIC = b"\x1f\x8b"
_NUL_RUN = re.compile(rb"\x00+")
_NOT_BLANK = re.compile(rb"[^\r\n]")
DELIMITERS = (",", ";", "\t", "|")
CHUNK_ROWS = 50_000
_BOM = b"\xef\xbb\xbf"
# Timestamps are normalised to this naive text form; the ingest parses it in the source zone.
NAIVE_FORMAT = "%Y-%m-%d %H:%M:%S"
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"
# Unambiguous layouts seen in exports: ISO, 3CX slashes, and the spreadsheet re-save that drops
# seconds and zero padding (`2020/2/10 22:41`). Day-first or month-first dates need an explicit format.
DEFAULT_TS_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
)
DATETIME_RE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
INT_RE = re.compile(r"^-?\d+$")


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


def head_lines(head: str, n: int = 10) -> list[str]:
    return [line for line in head.splitlines() if line.strip()][:n]


def shape_holds(lines: Sequence[str], looks_right: Callable[[str], bool]) -> bool:
    """True when the first lines of a file have a format's shape.

    The first line must fit (a header line never passes for a record), and so must the others but
    one in five: a damaged line (crash debris, a run-together or cut last line) in the head must not
    make a file unrecognisable. In a two-line head the damaged line may be the last.
    """
    if not lines or not looks_right(lines[0]):
        return False
    misses = [i for i, line in enumerate(lines) if i and not looks_right(line)]
    if len(lines) < 3:
        return not misses or misses == [len(lines) - 1]
    return len(misses) <= max(1, len(lines) // 5)


def usual(values: Iterable[T]) -> T | None:
    """The most common value (the first seen on a tie): a file's layout, not one damaged line's."""
    counts: dict[T, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: counts[v]) if counts else None


def split_line(line: str, delimiter: str = ",", *, skipinitialspace: bool = False) -> list[str]:
    rows = list(csv.reader([line], delimiter=delimiter, skipinitialspace=skipinitialspace))
    return rows[0] if rows else []


def sniff_delimiter(line: str) -> str:
    """The candidate delimiter that occurs most often outside quotes in a header or data line."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


@dataclass(frozen=True)
class Record:
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


def _physical_lines(stream: _Budget, limits: ReadLimits) -> Iterator[_Physical]:
    """Split a stream into lines in bounded blocks: a line over the limit is measured, not kept."""
    buf = b""
    pos = 0
    line_no = 1
    eof = False
    while True:
        nl = buf.find(b"\n", pos)
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
                    end = block.find(b"\n")
                    if end == -1:
                        length += len(block)
                        continue
                    length += end
                    buf, pos = block[end + 1 :], 0
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
            buf, pos = buf[pos:] + block, 0
            continue
        if nl == pos or (nl == pos + 1 and buf[pos : pos + 1] == b"\r"):
            # A run of blank lines (a padded or hostile file) is skipped at C speed.
            found = _NOT_BLANK.search(buf, pos)
            end = found.start() if found else len(buf)
            if end == len(buf) and buf.endswith(b"\r"):
                end -= 1  # keep a lone \r: it may be the first half of a CRLF split between blocks
            line_no += buf.count(b"\n", pos, end)
            pos = end
            continue
        length = nl - pos
        if length > limits.line_bytes:
            yield (line_no, buf[pos : pos + RAW_KEEP], length, True)
        else:
            yield (line_no, buf[pos:nl], length, False)
        line_no += 1
        pos = nl + 1


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


# (line_no, text, issue): the decoded text of one physical line, or of the part of one that crash
# debris left readable; `issue` is set when the reader itself rejects it.
_Segment = tuple[int, str, str | None]


def _segments(path: Path, encoding: str | None, limits: ReadLimits) -> Iterator[_Segment]:
    stream = _Budget(path, limits)
    try:
        first = True
        for line_no, data, length, too_long in _physical_lines(stream, limits):
            if first:
                first = False
                if data.startswith(_BOM):
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
    finally:
        stream.close()


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
        self._segments = segments
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
            nxt = next(self._segments, None)
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
    if quotechar is None:
        dialect: dict[str, Any] = {"delimiter": delimiter, "quoting": csv.QUOTE_NONE}
    else:
        dialect = {"delimiter": delimiter, "quotechar": quotechar, "skipinitialspace": skipinitialspace}
    feeder = _Feeder(_segments(path, encoding, limits), limits.record_lines if multiline else 1, repair)
    field_chars = limits.field_chars
    blank_chars = f"{delimiter}{quotechar or ''} \t"
    while not feeder.done or feeder.pending:
        reader = csv.reader(feeder, **dialect)
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # The record is unreadable (a bare carriage return, say): it alone is rejected, and a
                # fresh reader goes on with the lines after its first.
                used = feeder.used
                feeder.pending.extendleft(reversed(used[1:]))
                feeder.reset()
                if used:
                    yield Record(used[0][0], _trim(used[0][1]), [], _csv_reason(exc))
                break
            used = feeder.used
            line_no = used[0][0]
            if feeder.cut and multiline:
                feeder.pending.extendleft(reversed(used[1:]))
                feeder.reset()
                yield Record(
                    line_no, _trim(used[0][1]), [], "unterminated quote: the quoted field never ends"
                )
                break
            raw = used[0][1] if len(used) == 1 else "\n".join(seg[1] for seg in used)
            feeder.used = []
            if not raw.strip(blank_chars):  # only delimiters, quotes and spaces
                continue
            if len(raw) > field_chars and max(map(len, fields)) > field_chars:
                longest = max(range(len(fields)), key=lambda i: len(fields[i]))
                reason = (
                    f"field {longest + 1} has {_count(len(fields[longest]))} characters, more than the "
                    f"limit of {_count(field_chars)}"
                )
                yield Record(line_no, _trim(raw), [], reason)
                continue
            yield Record(line_no, raw, fields)
        if feeder.issue is not None:
            issue = feeder.issue
            feeder.reset()
            yield Record(issue[0], issue[1], [], issue[2])
        feeder.cut = False


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


@dataclass
class Table:
    """Records of one layout as text columns, plus `line_no` and `raw`."""

    frame: pl.DataFrame
    records: int
    rejected: list[RowIssue]


def records_to_table(
    records: Iterable[Record],
    columns: Sequence[str],
    *,
    allow_fewer: int = 0,
) -> Table:
    """Collect records into a frame; a record with another field count is rejected with a reason.

    `allow_fewer` accepts records short by up to that many trailing fields (filled with null), for
    spreadsheet re-saves that drop empty trailing cells.
    """
    width = len(columns)
    schema: dict[str, pl.DataType] = {c: pl.String() for c in columns}
    schema["line_no"] = pl.Int64()
    schema["raw"] = pl.String()
    chunks: list[pl.DataFrame] = []
    cols: list[list[str | None]] = [[] for _ in range(width)]
    line_nos: list[int] = []
    raws: list[str] = []
    rejected: list[RowIssue] = []
    count = 0

    def flush() -> None:
        if line_nos:
            data: dict[str, Sequence[object]] = {c: cols[i] for i, c in enumerate(columns)}
            data["line_no"] = line_nos
            data["raw"] = raws
            chunks.append(pl.DataFrame(data, schema=schema))
            for col in cols:
                col.clear()
            line_nos.clear()
            raws.clear()

    for rec in records:
        count += 1
        if rec.issue is not None:
            rejected.append(RowIssue(rec.line_no, rec.raw, rec.issue))
            continue
        n = len(rec.fields)
        if n != width and not (width - allow_fewer <= n < width):
            expected = f"{width - allow_fewer} to {width}" if allow_fewer else str(width)
            rejected.append(RowIssue(rec.line_no, rec.raw, f"expected {expected} fields, found {n}"))
            continue
        for i in range(width):
            value = rec.fields[i].strip() if i < n else ""
            cols[i].append(value if value else None)
        line_nos.append(rec.line_no)
        raws.append(rec.raw)
        if len(line_nos) >= CHUNK_ROWS:
            flush()
    flush()
    frame = pl.concat(chunks) if chunks else pl.DataFrame(schema=schema)
    return Table(frame, count, rejected)


def issues(frame: pl.DataFrame, reason: str | pl.Expr) -> list[RowIssue]:
    """RowIssues for every row of a frame that has `line_no` and `raw`."""
    if frame.height == 0:
        return []
    reasons = frame.select(
        pl.col("line_no"), pl.col("raw"), (pl.lit(reason) if isinstance(reason, str) else reason).alias("r")
    )
    return [RowIssue(int(n), str(r), str(why)) for n, r, why in reasons.iter_rows()]


# --- values ---------------------------------------------------------------------------------------


def parse_ts(col: str | pl.Expr, formats: Sequence[str] = DEFAULT_TS_FORMATS) -> pl.Expr:
    """Naive datetime from text in any of `formats` (null when none fits)."""
    expr = pl.col(col) if isinstance(col, str) else col
    text = expr.str.strip_chars()
    return pl.coalesce([text.str.strptime(pl.Datetime("us"), f, strict=False, exact=True) for f in formats])


def naive_text(dt: pl.Expr) -> pl.Expr:
    return dt.dt.strftime(NAIVE_FORMAT)


def utc_text(dt: pl.Expr) -> pl.Expr:
    return dt.dt.strftime(UTC_FORMAT)


def ts_text(col: str, *, utc: bool, formats: Sequence[str] = DEFAULT_TS_FORMATS) -> pl.Expr:
    """Normalised timestamp text; text that fits no format is passed through for the ingest to reject."""
    parsed = parse_ts(col, formats)
    out = utc_text(parsed) if utc else naive_text(parsed)
    return pl.coalesce([out, pl.col(col)])


def epoch_dt(col: str | pl.Expr) -> pl.Expr:
    expr = pl.col(col) if isinstance(col, str) else col
    return pl.from_epoch(expr.str.strip_chars().cast(pl.Int64, strict=False), time_unit="s")


def to_int(col: str | pl.Expr) -> pl.Expr:
    """Integer from text, accepting a decimal comma or point (rounded) and `HH:MM:SS` durations."""
    expr = pl.col(col) if isinstance(col, str) else col
    text = expr.str.strip_chars()
    hms = text.str.extract_groups(r"^(\d+):(\d{1,2}):(\d{1,2})$")
    from_hms = (
        hms.struct.field("1").cast(pl.Int64) * 3600
        + hms.struct.field("2").cast(pl.Int64) * 60
        + hms.struct.field("3").cast(pl.Int64)
    )
    number = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    return pl.coalesce([from_hms, number.round(0, mode="half_away_from_zero").cast(pl.Int64, strict=False)])


def seconds_text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Int64).cast(pl.String)


def seconds_between(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_seconds().cast(pl.Int64)


def wait_text(
    answered: pl.Expr, answered_at: pl.Expr, gave_up: pl.Expr, started: pl.Expr, ended: pl.Expr
) -> pl.Expr:
    """wait_s as the callstats CSV defines it: arrival to answer for a call answered by a person,
    arrival to hang-up for one that waited in vain (which outcomes count as waiting is the
    adapter's rule), otherwise empty."""
    return (
        pl.when(answered)
        .then(seconds_text(seconds_between(answered_at, started)))
        .when(gave_up)
        .then(seconds_text(seconds_between(ended, started)))
    )


def digits(number: str) -> str:
    """A phone number reduced for comparison: digits only, +46 / 0046 written as a leading 0."""
    d = re.sub(r"\D", "", number)
    if number.strip().startswith("+46") or d.startswith("0046"):
        d = "0" + d[4:] if d.startswith("0046") else "0" + d[2:]
    return d


def number_matches(expr: pl.Expr, numbers: Sequence[str]) -> pl.Expr:
    """True where the phone number text equals one of `numbers` after `digits()` normalisation."""
    wanted = sorted({digits(n) for n in numbers if digits(n)})
    norm = expr.str.replace_all(r"\D", "")
    norm = (
        pl.when(norm.str.starts_with("0046"))
        .then(pl.lit("0") + norm.str.slice(4))
        .when(expr.str.strip_chars().str.starts_with("+46"))
        .then(pl.lit("0") + norm.str.slice(2))
        .otherwise(norm)
    )
    return norm.is_in(wanted).fill_null(False)


def merged_result(
    calls: pl.DataFrame,
    table: Table,
    *,
    fmt: str,
    source_system: str,
    rejected: list[RowIssue],
    filtered: list[RowIssue],
    notices: list[str],
    direction_known: bool,
) -> ParsedFile:
    """An adapter's result from its merged calls: one row per call, `n` = the records merged into it.

    Every record is either a call's first record, merged into one, rejected or filtered, so the
    accounting identity holds by construction.
    """
    return ParsedFile(
        format=fmt,
        source_system=source_system,
        calls=canonical_frame(calls.sort("line_no")),
        records_read=table.records,
        merged=int(calls["n"].sum() or 0) - calls.height,
        rejected=rejected,
        filtered=filtered,
        direction_known=direction_known,
        notices=notices,
    )
