"""Reading the dirty files users really have, shared by every adapter.

Files arrive as UTF-8 with or without a BOM, as Windows-1252 from a Nordic spreadsheet, with CRLF or
no final newline, separated by `,` `;` tab or `|`. Caller names can be legacy 8-bit bytes inside an
otherwise UTF-8 file, so decoding falls back per line and never fails a whole file on one name.

Records are tokenised with Python's csv module (its quoting rules match the exports: doubled quotes,
bare numbers inside quoted rows, quoted fields with commas) and collected in chunks into polars
frames of text, so a large file never becomes millions of live Python objects.

Bytes become records in reader.py (bounded, crash-tolerant, gzip-aware); this module re-exports
its API and turns records into frames and values.
"""

from __future__ import annotations

import csv
import gc
import operator
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from pipeline.formats.base import FormatError, ParsedFile, RowIssue, canonical_frame
from pipeline.formats.reader import DEFAULT_LIMITS as DEFAULT_LIMITS
from pipeline.formats.reader import GLUED_REASON as GLUED_REASON
from pipeline.formats.reader import RAW_KEEP as RAW_KEEP
from pipeline.formats.reader import NextRecord as NextRecord
from pipeline.formats.reader import Record as Record
from pipeline.formats.reader import decode as decode
from pipeline.formats.reader import iter_records as iter_records
from pipeline.formats.reader import read_head as read_head
from pipeline.formats.reader import split_glued as split_glued

T = TypeVar("T", bound=Hashable)
DELIMITERS = (",", ";", "\t", "|")
CHUNK_ROWS = 50_000
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


def head_lines(head: str, n: int = 10) -> list[str]:
    return [line for line in head.splitlines() if line.strip()][:n]


def file_head(path: Path, n: int) -> list[str]:
    """The first `n` non-blank lines of a file; a file with none is a one-line error."""
    lines = head_lines(read_head(path), n)
    if not lines:
        raise FormatError(f"{path.name}: empty file")
    return lines


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


def header_cells(head: str) -> list[str]:
    """The cells of a head's first non-blank line, split at the delimiter that line uses most
    ([] for an empty head): how the header-led formats tell their header apart."""
    lines = head_lines(head, 1)
    return split_line(lines[0], sniff_delimiter(lines[0])) if lines else []


@dataclass
class Table:
    """Records of one layout as text columns, plus `line_no` and `raw`."""

    frame: pl.DataFrame
    records: int
    rejected: list[RowIssue]

    def with_frame(self, frame: pl.DataFrame) -> Table:
        """The same records read into another shape (renamed, typed or completed columns)."""
        return Table(frame, self.records, self.rejected)


def with_missing(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Add each of `columns` the frame lacks as null text: a field a layout does not log reads as
    empty, so the merge has one shape for every layout."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in missing) if missing else frame


def null_words(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Cells that say `NULL` (any case) as empty: database tables exported to CSV write missing
    values so."""
    return frame.with_columns(
        pl.when(pl.col(c).str.to_uppercase() == "NULL").then(None).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


# What str.strip() removes (every character whose isspace() is true), so that polars strips a cell
# exactly as Python would: tabs, the ASCII separators \x1c-\x1f, no-break and ideographic spaces.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def records_to_table(
    records: Iterable[Record],
    columns: Sequence[str],
    *,
    allow_fewer: int = 0,
    only: Iterable[str] | None = None,
) -> Table:
    """Collect records into a frame; a record with another field count is rejected with a reason.

    `allow_fewer` accepts records short by up to that many trailing fields (filled with null), for
    spreadsheet re-saves that drop empty trailing cells. `only` names the columns to keep (the
    others are counted in the width, never collected): a CUCM record has 129 fields of which the
    merge reads 15.

    Cells are stripped and empty ones made null by polars a chunk at a time, not per cell in
    Python: the loop below only sorts records into accepted rows and rejects.
    """
    width = len(columns)
    wanted = None if only is None else set(only)
    kept = [i for i, c in enumerate(columns) if wanted is None or c in wanted]
    names = [columns[i] for i in kept]
    schema: dict[str, pl.DataType] = {c: pl.String() for c in names}
    schema["line_no"] = pl.Int64()
    schema["raw"] = pl.String()
    # Only the kept fields of a row stay alive until its chunk is built (tuples, or the one value).
    pick: Callable[[list[str]], Any] = operator.itemgetter(*kept) if kept else (lambda _fields: ())
    shortest = width - allow_fewer
    chunks: list[pl.DataFrame] = []
    rows: list[Any] = []
    line_nos: list[int] = []
    raws: list[str] = []
    rejected: list[RowIssue] = []
    count = 0  # records read, rejects included

    def flush() -> None:
        if not rows:
            return
        cells: list[Sequence[str]] = [rows] if len(kept) == 1 else list(zip(*rows, strict=True))
        data: dict[str, pl.Series] = {
            name: pl.Series(name, values, dtype=pl.String) for name, values in zip(names, cells, strict=True)
        }
        data["line_no"] = pl.Series("line_no", line_nos, dtype=pl.Int64)
        data["raw"] = pl.Series("raw", raws, dtype=pl.String)
        stripped = [pl.col(c).str.strip_chars(PY_WHITESPACE) for c in names]
        frame = pl.DataFrame(data).with_columns(
            pl.when(cell != "").then(cell).alias(name) for cell, name in zip(stripped, names, strict=True)
        )
        chunks.append(frame)
        rows.clear()
        line_nos.clear()
        raws.clear()

    # The loop makes millions of short-lived tuples and lists, none in a reference cycle; with the
    # cyclic collector on, each of its full passes walks every live object (a tenth of the time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        add_row, add_line_no, add_raw = rows.append, line_nos.append, raws.append
        for line_no, raw, fields, issue in records:
            count += 1
            if issue is not None:
                rejected.append(RowIssue(line_no, raw, issue))
                continue
            n = len(fields)
            if n != width:
                if not shortest <= n < width:
                    expected = f"{shortest} to {width}" if allow_fewer else str(width)
                    rejected.append(RowIssue(line_no, raw, f"expected {expected} fields, found {n}"))
                    continue
                fields = [*fields, *([""] * (width - n))]
            add_row(pick(fields))
            add_line_no(line_no)
            add_raw(raw)
            if len(rows) >= CHUNK_ROWS:
                flush()
    finally:
        if enabled:
            gc.enable()
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


# --- merging records into calls -------------------------------------------------------------------
#
# Every merging adapter reads as the same steps: type the text columns → reject records whose start
# is unreadable → key each record to its call → group → filter calls that are not the switchboard's
# → outcome → emit the canonical columns. The steps that every format shares live here.

# Columns an adapter's merged calls may carry beyond the canonical ones, and their facet names.
FACET_COLUMNS = {"dcontext": "contexts", "context": "contexts", "channel_prefix": "channels"}


@dataclass
class Ledger:
    """The records of one file that did not become calls, each with its reason, and the notices.

    Every step that drops records goes through a Ledger, so no record leaves a merge without a
    reason. A condition that is null never drops anything: an unknown is not a reason.
    """

    table: Table
    rejected: list[RowIssue] = field(default_factory=list)
    filtered: list[RowIssue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # What the reader already rejected (wrong field count, over a limit) comes first.
        self.rejected = [*self.table.rejected, *self.rejected]

    def reject(self, frame: pl.DataFrame, drop: pl.Expr, reason: str | pl.Expr) -> pl.DataFrame:
        """Reject the rows where `drop` holds (the record cannot be read as a call) with `reason`."""
        drop = drop.fill_null(False)
        self.rejected += issues(frame.filter(drop), reason)
        return frame.filter(~drop)

    def reject_unreadable(self, frame: pl.DataFrame, column: str, what: str) -> pl.DataFrame:
        """Reject the rows whose parsed `column` is null as `unreadable <what>`: a record whose start
        fits no time layout cannot be placed on a day, so it is never guessed."""
        return self.reject(frame, pl.col(column).is_null(), f"unreadable {what}")

    def filter(self, frame: pl.DataFrame, drop: pl.Expr, reason: str | pl.Expr) -> pl.DataFrame:
        """Filter the rows where `drop` holds (readable, but not an offered switchboard call)."""
        drop = drop.fill_null(False)
        self.filtered += issues(frame.filter(drop), reason)
        return frame.filter(~drop)

    def filter_calls(
        self, calls: pl.DataFrame, keep: pl.Expr, reason: Callable[[dict[str, Any]], str]
    ) -> pl.DataFrame:
        """Filter the merged calls where `keep` is false: every record merged into one (its `lines`
        and `raws`, see group_calls) is filtered with the reason the call gives."""
        keep = keep.fill_null(True)
        for call in calls.filter(~keep).iter_rows(named=True):
            why = reason(call)
            self.filtered += [
                RowIssue(int(n), str(r), why) for n, r in zip(call["lines"], call["raws"], strict=True)
            ]
        return calls.filter(keep)

    def switchboard_calls(
        self, calls: pl.DataFrame, keep: pl.Expr | None, reason: Callable[[dict[str, Any]], str]
    ) -> pl.DataFrame:
        """filter_calls for the switchboard definition: `keep` is None when none is configured."""
        return calls if keep is None else self.filter_calls(calls, keep, reason)

    def parsed(
        self, calls: pl.DataFrame, *, fmt: str, source_system: str, direction_known: bool
    ) -> ParsedFile:
        """The adapter's result from its emitted calls (see emit)."""
        return merged_result(
            calls,
            self.table,
            fmt=fmt,
            source_system=source_system,
            rejected=self.rejected,
            filtered=self.filtered,
            notices=self.notices,
            direction_known=direction_known,
        )


def group_calls(frame: pl.DataFrame, key: str, *aggs: pl.Expr, **named: pl.Expr) -> pl.DataFrame:
    """One row per call: the records sharing `key`, in the frame's order (sort it first).

    Besides the adapter's own aggregates, each call carries `line_no` (its first physical line),
    `n` (the records merged into it) and `lines`/`raws` (so a whole call can be filtered with its
    records).
    """
    return frame.group_by(key, maintain_order=True).agg(
        *aggs,
        line_no=pl.col("line_no").min(),
        n=pl.len(),
        lines=pl.col("line_no"),
        raws=pl.col("raw"),
        **named,
    )


def _expr(value: str | pl.Expr) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


def emit(
    calls: pl.DataFrame,
    *,
    outcome: pl.Expr,
    stamp: Callable[[pl.Expr], pl.Expr],
    call_id: str = "key",
    started: str | pl.Expr = "started",
    answered: str | pl.Expr = "answered",
    ended: str | pl.Expr = "ended",
    talk: str | pl.Expr = "talk",
    waits_until_hangup: Sequence[str] = (),
    wait: pl.Expr | None = None,
    **columns: pl.Expr,
) -> pl.DataFrame:
    """The canonical columns of merged calls, the same way for every format.

    `outcome` decides the call; the call's key and times are read from the columns named (the
    names default to what the adapters' groupings call them); only an answered call has answered_at and talk_s. `stamp` writes the
    times (naive_text for server-local formats, utc_text for UTC ones). wait_s follows wait_text,
    with the outcomes in `waits_until_hangup` counted as waiting until the end; a format that logs
    the wait itself gives it as `wait` (seconds). `columns` fill the other canonical columns
    (dialled_number, queue, caller, …).
    """
    answered_call = pl.col("outcome") == "answered"
    wait_s = (
        wait_text(
            answered_call,
            _expr(answered),
            pl.col("outcome").is_in(list(waits_until_hangup)),
            _expr(started),
            _expr(ended),
        )
        if wait is None
        else seconds_text(wait)
    )
    return calls.with_columns(outcome=outcome).with_columns(
        call_id=pl.col(call_id),
        started_at=stamp(_expr(started)),
        answered_at=pl.when(answered_call).then(stamp(_expr(answered))),
        ended_at=stamp(_expr(ended)),
        wait_s=wait_s,
        talk_s=pl.when(answered_call).then(seconds_text(_expr(talk))),
        **columns,
    )


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
    facets = {
        name: {str(value): int(n) for value, n in calls[column].value_counts(sort=True).iter_rows() if value}
        for column, name in FACET_COLUMNS.items()
        if column in calls.columns
    }
    return ParsedFile(
        format=fmt,
        source_system=source_system,
        facets=facets,
        calls=canonical_frame(calls.sort("line_no")),
        records_read=table.records,
        merged=int(calls["n"].sum() or 0) - calls.height,
        rejected=rejected,
        filtered=filtered,
        direction_known=direction_known,
        notices=notices,
    )
