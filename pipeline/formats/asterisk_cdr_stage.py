"""Asterisk Master.csv staged in DuckDB: the rules of asterisk_cdr.py in bounded memory.

DuckDB's CSV reader takes every plain line; the odd ones (crash debris, legacy bytes, odd quoting:
plain_lines.py) and the lines DuckDB rejects are read by reader.py exactly as the polars `parse`
reads them. The merge runs as SQL steps in sql/formats/asterisk_cdr/ (type → reject unreadable →
key → time zone → group → switchboard filter → outcome → emit), on temporary tables that DuckDB
spills to disk under its memory limit, so no Python object grows with the file. The result is the
temp table `staged` (line_no + the canonical text columns).

Line numbers: DuckDB returns rows in file order but without their line; it skips empty lines and
leaves out the lines it rejects. The scan notes the empty runs (the odd lines, emptied in the copy
DuckDB reads, are among them) and the rejects table names the rest, so row k's line is k plus the
lines skipped before it, found by an ASOF join on a small table of gaps (a file without gaps needs
no join: row k is line k).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline import store
from pipeline.formats import asterisk_cdr, plain_lines, textio
from pipeline.formats.base import AdapterOptions, ParsedFile, ReadLimits, RowIssue, empty_calls
from pipeline.formats.reader import Record, line_records

FIELDS = (*asterisk_cdr.BASE, "uniqueid", "userfield", *asterisk_cdr.NEW_COLUMNS)
STEPS = "formats/asterisk_cdr"
CHUNK_ROWS = 50_000
# More odd lines than this share of a file (a file of legacy 8-bit names, say): reader.py reads
# the whole file, and DuckDB only merges, rather than DuckDB reading a copy of empty lines.
ODD_SHARE = 0.05
HALF_LEG = "Local channel half-leg without linkedid: cannot be tied to its call"
# DuckDB's rejects table keeps this many characters of a rejected line.
REJECT_TEXT_KEPT = 10_000


class _LinesLost(Exception):
    """DuckDB's rejects table does not hold a rejected line's text whole."""


class _Extra:
    """Records read by reader.py, appended to the temp table `cdr_extra` in chunks."""

    def __init__(self, con: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> None:
        self.con = con
        self.columns = columns
        self.rows: list[list[str | None]] = []
        self.records = 0
        self.rejected: list[RowIssue] = []
        con.execute(
            "create or replace temp table cdr_extra ("
            + ", ".join(["line_no bigint", *(f'"{c}" varchar' for c in columns)])
            + ")"
        ).fetchall()

    def add(self, records: Iterable[Record]) -> None:
        width = len(self.columns)
        for rec in records:
            self.records += 1
            if rec.issue is not None:
                self.rejected.append(RowIssue(rec.line_no, rec.raw, rec.issue))
                continue
            if len(rec.fields) != width:
                reason = f"expected {width} fields, found {len(rec.fields)}"
                self.rejected.append(RowIssue(rec.line_no, rec.raw, reason))
                continue
            self.rows.append([str(rec.line_no), *((v.strip() or None) for v in rec.fields)])
            if len(self.rows) >= CHUNK_ROWS:
                self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        names = ["line_no", *self.columns]
        chunk = pl.DataFrame(self.rows, schema=dict.fromkeys(names, pl.String), orient="row")
        self.con.register("cdr_chunk", chunk.with_columns(pl.col("line_no").cast(pl.Int64)).to_arrow())
        try:
            self.con.execute("insert into cdr_extra select * from cdr_chunk").fetchall()
        finally:
            self.con.unregister("cdr_chunk")
        self.rows.clear()


def stage(con: duckdb.DuckDBPyConnection, path: Path, options: AdapterOptions, fmt: str) -> ParsedFile:
    columns = asterisk_cdr.file_layout(path)
    limits = options.limits
    extra = _Extra(con, columns)
    odd: list[plain_lines.Physical] = []
    odd_numbers = array("q")  # emptied in the copy DuckDB reads: gaps in its row numbering

    def odd_line(line: plain_lines.Physical) -> None:
        odd.append(line)
        odd_numbers.append(line[0])
        if len(odd) >= CHUNK_ROWS:
            extra.add(line_records(odd, limits=limits))
            odd.clear()

    try:
        scan = plain_lines.scan(path, limits, odd_line)
    except plain_lines.NotLineBased:
        scan = None
    gaps: list[tuple[int, int]] = []
    by_duckdb = scan is not None and scan.odd <= ODD_SHARE * max(scan.lines, 1) and not scan.mixed_endings
    if scan is not None and by_duckdb:
        extra.add(line_records(odd, limits=limits))
        odd.clear()
        gaps = [*scan.empty_runs, *((line, 1) for line in odd_numbers)]
        try:
            rejected_lines = _duckdb_read(con, path, columns, scan, limits)
        except _LinesLost:
            by_duckdb = False
        except duckdb.InvalidInputException:
            # DuckDB gave up on the file (its parser state machine in a state it calls invalid):
            # reader.py reads it all, as for a file of odd lines. The known cause, mixed line
            # endings, is sent to reader.py before DuckDB sees it.
            con.execute("drop table if exists cdr_rejects; drop table if exists cdr_scans").fetchall()
            by_duckdb = False
        else:
            # Every line DuckDB was given must come back as a row or a reject. When DuckDB lost
            # lines (seen after megabytes of empty lines), reader.py reads the file instead.
            given = scan.lines - sum(n for _, n in scan.empty_runs) - len(odd_numbers)
            rows = int(con.execute("select count(*) from cdr_read").fetchall()[0][0])
            if rows + len(rejected_lines) == given:
                gaps += [(line[0], 1) for line in rejected_lines]
                extra.add(line_records(rejected_lines, limits=limits))
            else:
                by_duckdb = False
    if not by_duckdb:
        # Read entirely by reader.py (still in chunks: memory stays flat).
        extra = _Extra(con, columns)
        extra.add(textio.iter_records(path, limits=limits))
        _empty_read(con, columns)
        gaps = []
    extra.flush()
    _records_view(con, columns, gaps)
    try:
        return _merge(con, columns, options, fmt, extra)
    finally:
        con.execute(
            "drop view if exists cdr_typed; drop view if exists cdr_records; drop table if exists cdr_read;"
            " drop table if exists cdr_extra; drop table if exists cdr_gap_index"
        ).fetchall()


def _empty_read(con: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> None:
    con.execute(
        "create or replace temp table cdr_read (" + ", ".join(f'"{c}" varchar' for c in columns) + ")"
    ).fetchall()


def _duckdb_read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    columns: tuple[str, ...],
    scan: plain_lines.Scan,
    limits: ReadLimits,
) -> list[plain_lines.Physical]:
    """Every plain line into `cdr_read`, in file order; the lines DuckDB rejected, for reader.py."""
    struct = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
    with _source(path, scan, limits) as (source, compression):
        # A table, not a view: the file is read once, and the row order is the file's order. Lines
        # over 8 KiB never get here (they are odd), so 64 KiB is ample, and keeps DuckDB's read
        # buffers (16 lines' worth) small enough to read a file of a few MiB in parallel.
        con.execute(
            "create or replace temp table cdr_read as select * from read_csv($source, header = false,"
            f" columns = {struct}, delim = ',', quote = '\"', escape = '\"', compression = $compression,"
            " auto_detect = false, strict_mode = true, null_padding = false, store_rejects = true,"
            " rejects_table = 'cdr_rejects', rejects_scan = 'cdr_scans', max_line_size = 65536)",
            {"source": source, "compression": compression},
        ).fetchall()
    rows = con.execute(
        "select line, any_value(csv_line), bool_or(error_type = 'LINE SIZE OVER MAXIMUM')"
        " from cdr_rejects group by line order by line"
    ).fetchall()
    con.execute("drop table if exists cdr_rejects; drop table if exists cdr_scans").fetchall()
    out: list[plain_lines.Physical] = []
    for line, text, too_long in rows:
        # The rejects table keeps the empty lines before a rejected line with it, and cuts the text
        # at 10 000 characters: a line seen as too long there (empty lines before it count) or
        # possibly cut cannot be read from it.
        if too_long or len(text or "") >= REJECT_TEXT_KEPT:
            raise _LinesLost
        data = (text or "").split("\n")[-1].encode("utf-8")
        out.append((int(line), data, len(data), len(data) > limits.line_bytes))
    return out


@contextlib.contextmanager
def _source(path: Path, scan: plain_lines.Scan, limits: ReadLimits) -> Iterator[tuple[str, str]]:
    """The file for DuckDB: itself through /dev/fd (a name DuckDB cannot take for a glob pattern),
    or, when it has odd lines, an unpacked copy with those lines emptied."""
    if scan.odd:
        handle, name = tempfile.mkstemp(prefix="callstats-cdr-", suffix=".csv")
        try:
            with os.fdopen(handle, "wb") as out:
                plain_lines.write_plain_copy(path, limits, out)
            yield name, "none"
        finally:
            Path(name).unlink(missing_ok=True)
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        yield f"/dev/fd/{descriptor}", "gzip" if scan.compressed else "none"
    finally:
        os.close(descriptor)


def _records_view(
    con: duckdb.DuckDBPyConnection, columns: tuple[str, ...], gaps: list[tuple[int, int]]
) -> None:
    """`cdr_records`: line_no + all 21 field names (missing ones null), values trimmed, '' as null."""
    con.execute("create or replace temp table cdr_gaps (line bigint, n bigint)").fetchall()
    if gaps:
        frame = pl.DataFrame(gaps, schema={"line": pl.Int64, "n": pl.Int64}, orient="row")
        con.register("cdr_gap_rows", frame.to_arrow())
        try:
            con.execute("insert into cdr_gaps select * from cdr_gap_rows").fetchall()
        finally:
            con.unregister("cdr_gap_rows")
    # Row k (1-based) of cdr_read sits on line k + the gap lines before it: for each gap, the good
    # rows before it and the gap lines up to its end.
    con.execute(
        "create or replace temp table cdr_gap_index as"
        " with g as (select line, sum(n) as n from cdr_gaps group by line),"
        " c as (select line, n, sum(n) over (order by line) as through from g)"
        " select line - (through - n) - 1 as good_before, cast(max(through) as bigint) as skipped from c group by all"
    ).fetchall()
    con.execute("drop table cdr_gaps").fetchall()
    values = ", ".join(
        f'{_trimmed(c)} as "{c}"' if c in columns else f'cast(null as varchar) as "{c}"' for c in FIELDS
    )
    extra = ", ".join(f'"{c}"' if c in columns else f'cast(null as varchar) as "{c}"' for c in FIELDS)
    # Without gaps (a clean file: no empty, odd or rejected lines) row k is line k. The ASOF join is
    # then left out: on every read of the view (time zone and group steps) it cost a third of the
    # group step's time even against an empty gap table (bench/README.md, "the group step").
    numbered = (
        "select rowid + 1 as line_no, * from cdr_read"
        if not gaps
        else "select r.k + coalesce(g.skipped, 0) as line_no, r.* exclude (k)"
        " from (select rowid + 1 as k, * from cdr_read) as r"
        " asof left join cdr_gap_index as g on r.k > g.good_before"
    )
    con.execute(
        "create or replace temp view cdr_records as"
        f" select cast(r.line_no as bigint) as line_no, {values} from ({numbered}) as r"
        f" union all select line_no, {extra} from cdr_extra"
    ).fetchall()


def _trimmed(column: str) -> str:
    """nullif(trim(column), ''), with trim (which removes spaces only) run only on a value that
    starts or ends with a space: trimming every value of every column was a sixth of the group
    step's work, and most values have no space to remove."""
    c = f'"{column}"'
    return (
        f"case when {c} = '' then null"
        f" when starts_with({c}, ' ') or ends_with({c}, ' ') then nullif(trim({c}), '')"
        f" else {c} end"
    )


def _run(con: duckdb.DuckDBPyConnection, step: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    """Run one step's SQL file; the rows of each query in it, in order."""
    given = params or {}
    results: list[list[Any]] = []
    for statement in con.extract_statements(store.sql_text(f"{STEPS}/{step}.sql")):
        wanted = {name: given[name] for name in statement.named_parameters if name in given}
        rows = con.execute(statement, wanted).fetchall()
        if statement.type == duckdb.StatementType.SELECT:
            results.append(rows)
    return results


def _merge(
    con: duckdb.DuckDBPyConnection, columns: tuple[str, ...], options: AdapterOptions, fmt: str, extra: _Extra
) -> ParsedFile:
    has = set(columns)
    records_read = int(con.execute("select count(*) from cdr_read").fetchall()[0][0]) + extra.records
    rejected = list(extra.rejected)
    notices: list[str] = []
    filtered: dict[str, int] = {}

    _run(con, "1_type")
    unreadable = con.execute("select count(*) from cdr_typed where start_dt is null").fetchall()[0][0]
    if unreadable:
        (rows,) = _run(con, "2_unreadable")
        rejected += [RowIssue(int(line), str(raw), "unreadable start time") for line, raw in rows]

    drop_halves = "linkedid" not in has and "uniqueid" in has
    layout = {
        "drop_local_halves": drop_halves,
        "has_linkedid": "linkedid" in has,
        "has_uniqueid": "uniqueid" in has,
    }
    (half_rows,) = _run(con, "3_key", layout)
    half_legs = half_rows[0][0]
    if half_legs:
        filtered[HALF_LEG] = int(half_legs)
    if "linkedid" not in has and "uniqueid" not in has:
        notices.append("no linkedid or uniqueid logged: each record counted as one call")

    utc, note = _timezone(con, "uniqueid" in has, options, layout)
    notices.append(note)

    _run(
        con,
        "5_group",
        {
            "software_channel": asterisk_cdr.SOFTWARE_CHANNEL_RE,
            "voicemail_channel": asterisk_cdr.VOICEMAIL_CHANNEL_RE,
            **layout,
        },
    )
    (dropped,) = _run(
        con,
        "6_switchboard",
        {
            "by_context": bool(options.switchboard_contexts),
            "contexts": list(options.switchboard_contexts),
        },
    )
    for reason, n in dropped:
        filtered[str(reason)] = filtered.get(str(reason), 0) + int(n)
    _run(con, "7_outcome")
    merged_rows, facet_rows = _run(
        con, "8_emit", {"ts_format": textio.UTC_FORMAT if utc else textio.NAIVE_FORMAT}
    )
    facets: dict[str, dict[str, int]] = {"contexts": {}, "channels": {}}
    for facet, value, calls in facet_rows:
        facets.setdefault(str(facet), {})[str(value)] = int(calls)
    return ParsedFile(
        format=fmt,
        source_system="asterisk",
        calls=empty_calls(),
        records_read=records_read,
        merged=int(merged_rows[0][0] or 0),
        rejected=rejected,
        filtered_counts=filtered,
        direction_known=False,
        notices=notices,
        facets=facets,
    )


def _timezone(
    con: duckdb.DuckDBPyConnection, has_uniqueid: bool, options: AdapterOptions, layout: dict[str, bool]
) -> tuple[bool, str]:
    # The same evidence as asterisk_cdr._timezone, computed in DuckDB.
    if options.source_tz:
        return False, f"times read as {options.source_tz} (--source-tz)"
    if not has_uniqueid:
        return False, "no uniqueid column: times taken as server local time (--source-tz)"
    ((n, median),) = _run(con, "4_timezone", layout)[0]  # one query, one row
    if not n:
        return False, "uniqueid unreadable: times taken as server local time (--source-tz)"
    return asterisk_cdr.zone_verdict(float(median or 0.0))
