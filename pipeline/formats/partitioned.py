"""Staging a merging adapter's file in bounded memory: records in chunks, merged one partition at a time.

An adapter's `parse` reads the whole file into one polars table and merges it: memory grows with
the file. `stage_partitioned` reads the same records in chunks of `chunk_records`, shapes each
chunk the way `parse` shapes the whole table (only per-record steps). A file of at most `partition_records`
records stays in memory and is merged at once, as `parse` would. A larger one goes to a DuckDB
temp table, which spills to disk under the ingest's memory limit, each record with a hash of its
*partition key*: a value all records of one call share (CUCM's cluster + callManagerId + callId, a
queue_log callid, …). When the file is in, the records are sorted once into enough partitions that
one holds about `partition_records`, and each partition is fetched in file order and merged by the
adapter's own merge, unchanged; its calls are appended to `staged`. Since no call spans two
partitions, the calls are those of the whole-file merge.

Where no per-record key keeps a call's records together (FreeSWITCH: a B leg belongs to the record
that names it, a loopback leg to an A leg found by caller number and times), the plan's `regroup`
hook computes each spilled record's partition hash in SQL from all of them, once every chunk is in
(the temp table `partition_keys`), and the partitions are cut by that hash instead.

What a merge decides from the whole file (queue_log's time layout, Asterisk's time-zone evidence)
is decided once, before any partition, by the adapter's `decide` hook; notices that count calls
(`12 call(s) …`) are summed over the partitions, so they read as the whole-file merge writes them.
Filtered records are returned as counts by reason (`filtered_counts`), the only form the ingest
keeps of them, so millions of them never live as objects at once.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pipeline import store
from pipeline.formats import textio
from pipeline.formats.base import ParsedFile, RowIssue, empty_calls, stage_frame

# Records per chunk read into polars; small enough that a chunk of wide CUCM lines stays tens of MB.
CHUNK_RECORDS = 20_000
# Records merged at once: the merge holds a partition with its raw lines several times over (3CX:
# 694 MB for 200 000 records), beside DuckDB's own buffer (the ingest's memory limit, 700 MB by default). At
# 250 000 a 2 M-record 3CX file peaked at 3.5 GB; at 50 000 staging it peaked at 1.4 GB.
PARTITION_RECORDS = 50_000
# A notice that counts calls: summed over the partitions.
COUNTED_NOTICE_RE = re.compile(r"^(\d+) (.*)$", re.DOTALL)


@dataclass(frozen=True)
class Sizes:
    """How many records one chunk and one partition hold (tests force them tiny)."""

    chunk_records: int = CHUNK_RECORDS
    partition_records: int = PARTITION_RECORDS


DEFAULT_SIZES = Sizes()
Merge = Callable[[textio.Table], ParsedFile]


@dataclass
class Plan:
    """How one adapter's file is staged in partitions.

    `shape` turns a chunk's `records_to_table` frame into what the adapter's merge reads (the same
    per-record steps its `parse` applies to the whole table); `key` is the partition key over the
    shaped frame; `tally` counts what a whole-file decision needs, per chunk (summed); `decide`
    turns the summed tallies (and the connection, where the staged records can be asked) into the
    merge for every partition; `only` names the columns `shape` reads, when it reads few of many;
    `regroup`, when set, replaces the chunks' `key` hashes: given the connection holding the spilled
    records (`partition_records`), it creates `partition_keys` (part_seq, part_hash), and a record
    listed there is partitioned by that hash.
    """

    records: Iterator[textio.Record]
    columns: Sequence[str]
    shape: Callable[[pl.DataFrame], pl.DataFrame]
    key: pl.Expr
    decide: Callable[[duckdb.DuckDBPyConnection, dict[str, float]], Merge]
    allow_fewer: int = 0
    only: Sequence[str] | None = None
    tally: Callable[[pl.DataFrame], dict[str, float]] = field(default=lambda frame: {})
    regroup: Callable[[duckdb.DuckDBPyConnection], None] | None = None


def stage_partitioned(con: duckdb.DuckDBPyConnection, plan: Plan, sizes: Sizes = DEFAULT_SIZES) -> ParsedFile:
    """Fill `staged` with the adapter's merged calls, one partition in memory at a time."""
    # The records wait in a connection of their own (same database, same memory limit): the
    # ingest stages inside its file's transaction, and rows a transaction has appended but not
    # committed stay in memory, while the side connection's committed temp tables spill to disk.
    side = con.cursor()
    try:
        spool = _Spool(side, sizes.partition_records)
        read, rejected, tallies = _read_chunks(plan, sizes, spool)
        if not spool.spilled:
            # A file of one partition never leaves memory; `decide` may still ask for its records.
            frame = spool.held()
            side.register("partition_records", frame.to_arrow())
            try:
                merge = plan.decide(side, tallies)
            finally:
                side.unregister("partition_records")
            results = [_stage_one(con, merge, frame, first=True)]
        else:
            merge = plan.decide(side, tallies)
            if plan.regroup is not None:
                plan.regroup(side)
            partitions = math.ceil(spool.rows / sizes.partition_records)
            sort = (
                "ingest/partition_sort.sql" if plan.regroup is None else "ingest/partition_sort_regrouped.sql"
            )
            results = [
                _stage_one(con, merge, frame, first=i == 0)
                for i, frame in _partitions(side, partitions, sort)
            ]
    finally:
        side.close()
    return combine(results, records_read=read, reader_rejected=rejected)


def evidence_median(con: duckdb.DuckDBPyConnection) -> float | None:
    """The median of the stored records' `evidence` column (None when every value is null): for a
    `decide` hook whose whole-file decision is a median, which no per-chunk tally can give."""
    ((median,),) = con.execute(store.sql_text("ingest/partition_evidence_median.sql")).fetchall()
    return None if median is None else float(median)


class _Spool:
    """The shaped chunks: held in memory while they fit in one partition, then all moved to the
    DuckDB temp table `partition_records` (which spills to disk under the memory limit), with
    `part_hash` (the partition key's hash) and `part_seq` (the record's place in the file)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, limit: int) -> None:
        self.con = con
        self.limit = limit
        self.frames: list[pl.DataFrame] = []
        self.rows = 0
        self.spilled = False

    def add(self, frame: pl.DataFrame, key: pl.Expr) -> None:
        chunk = frame.with_columns(
            part_hash=key.hash(seed=0),
            part_seq=pl.int_range(self.rows, self.rows + frame.height, dtype=pl.Int64),
        )
        self.rows += frame.height
        if self.spilled:
            self._append(chunk)
            return
        self.frames.append(chunk)
        if self.rows > self.limit:
            for held in self.frames:
                self._append(held)
            self.frames = []
            self.spilled = True

    def held(self) -> pl.DataFrame:
        return pl.concat(self.frames).drop("part_hash", "part_seq")

    def _append(self, chunk: pl.DataFrame) -> None:
        self.con.register("partition_chunk", chunk.to_arrow())
        try:
            if not self.spilled and chunk is self.frames[0]:
                store.execute_script(self.con, store.sql_text("ingest/partition_create.sql"))
            store.execute_script(self.con, store.sql_text("ingest/partition_append.sql"))
        finally:
            self.con.unregister("partition_chunk")


def _read_chunks(plan: Plan, sizes: Sizes, spool: _Spool) -> tuple[int, list[RowIssue], dict[str, float]]:
    """Read the records in chunks into the spool: (records read, reader rejects, tallies)."""
    read = 0
    rejected: list[RowIssue] = []
    tallies: dict[str, float] = {}
    while True:
        table = textio.records_to_table(
            itertools.islice(plan.records, sizes.chunk_records),
            plan.columns,
            allow_fewer=plan.allow_fewer,
            only=plan.only,
        )
        read += table.records
        rejected += table.rejected
        frame = plan.shape(table.frame)
        for name, value in plan.tally(frame).items():
            tallies[name] = tallies.get(name, 0.0) + value
        if frame.height or not (spool.frames or spool.spilled):
            spool.add(frame, plan.key)
        if table.records < sizes.chunk_records:
            return read, rejected, tallies


def _partitions(
    con: duckdb.DuckDBPyConnection, partitions: int, sort: str
) -> Iterator[tuple[int, pl.DataFrame]]:
    """Each partition's records in file order, after one sort of the spilled records by partition."""
    store.execute_script(con, store.sql_text(sort), {"partitions": partitions})
    fetch = store.sql_text("ingest/partition_fetch.sql")
    for part in range(partitions):
        yield part, con.sql(fetch, params={"part": part}).pl()


def _stage_one(
    con: duckdb.DuckDBPyConnection, merge: Merge, frame: pl.DataFrame, *, first: bool
) -> ParsedFile:
    """Merge one partition and put its calls into `staged` (created by the first)."""
    parsed = merge(textio.Table(frame, frame.height, []))
    if first:
        stage_frame(con, parsed)
    else:
        con.register("parsed_calls", parsed.calls.to_arrow())
        try:
            store.execute_script(con, store.sql_text("ingest/stage_frame_append.sql"))
        finally:
            con.unregister("parsed_calls")
    # Only the accounting outlives the partition: its calls are in `staged`, and its filtered
    # records become counts by reason (all the ingest records of them), so a file of millions
    # of filtered records (CUCM start records, queue_log system events) does not hold them all.
    filtered_counts = dict(parsed.filtered_counts)
    for issue in parsed.filtered:
        filtered_counts[issue.reason] = filtered_counts.get(issue.reason, 0) + 1
    return dataclasses.replace(parsed, calls=empty_calls(), filtered=[], filtered_counts=filtered_counts)


def combine(
    results: Sequence[ParsedFile], *, records_read: int, reader_rejected: list[RowIssue]
) -> ParsedFile:
    """One file's result from its partitions' results (their calls are already staged)."""
    first = results[0]
    facets: dict[str, dict[str, int]] = {}
    filtered_counts: dict[str, int] = {}
    for parsed in results:
        for name, counts in parsed.facets.items():
            into = facets.setdefault(name, {})
            for value, n in counts.items():
                into[value] = into.get(value, 0) + n
        for reason, n in parsed.filtered_counts.items():
            filtered_counts[reason] = filtered_counts.get(reason, 0) + n
    return ParsedFile(
        format=first.format,
        source_system=first.source_system,
        calls=empty_calls(),
        records_read=records_read,
        merged=sum(p.merged for p in results),
        rejected=[*reader_rejected, *(i for p in results for i in p.rejected)],
        filtered=[i for p in results for i in p.filtered],
        filtered_counts=filtered_counts,
        direction_known=first.direction_known,
        notices=combined_notices([p.notices for p in results]),
        facets={name: dict(sorted(c.items(), key=lambda kv: -kv[1])) for name, c in facets.items()},
    )


def combined_notices(per_partition: Sequence[Sequence[str]]) -> list[str]:
    """The partitions' notices once each, in first-seen order; a notice counting calls
    (`3 call(s) …`) carries the sum of its counts."""
    counts: dict[str, int] = {}
    order: list[str] = []
    for notices in per_partition:
        for notice in notices:
            counted = COUNTED_NOTICE_RE.match(notice)
            tail = counted.group(2) if counted else notice
            slot = f"#{tail}" if counted else f"={notice}"
            if slot not in counts:
                order.append(slot)
                counts[slot] = 0
            if counted:
                counts[slot] += int(counted.group(1))
    return [f"{counts[s]} {s[1:]}" if s.startswith("#") else s[1:] for s in order]
