"""The contract between a telephony format adapter and the ingest.

An adapter turns one exported file into *canonical call rows*: the columns of the callstats CSV
(see the README), all as text, one row per offered call, legs already merged. Everything after that —
timestamp parsing in the right zone, validation, the switchboard definition, organisation lookup,
pseudonymisation, dedupe, loading — happens once, in the ingest, for every format alike.

Why text: identifiers and phone numbers must never pass through a type guesser (leading zeros and
`+46` are lost that way), and one validation path means one set of reject reasons for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import polars as pl

from pipeline import store

# The columns of the callstats CSV, in order. Adapters fill what their format knows; the rest is null.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "call_id",
    "started_at",
    "answered_at",
    "ended_at",
    "outcome",
    "wait_s",
    "talk_s",
    "dialled_number",
    "organisation",
    "queue",
    "caller",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("call_id", "started_at", "outcome")
OUTCOMES: tuple[str, ...] = (
    "answered",
    "abandoned",
    "busy",
    "failed",
    "voicemail",
    "timeout",
    "closed",
    "unknown",
)


class FormatError(Exception):
    """The whole file cannot be read in this format: one line for the user, no traceback."""


@dataclass(frozen=True)
class RowIssue:
    """A record that was rejected or filtered, with the physical line it came from (1-based)."""

    line_no: int
    raw: str
    reason: str


@dataclass
class ParsedFile:
    """What an adapter hands to the ingest.

    `calls` holds CANONICAL_COLUMNS as pl.String plus `line_no` (pl.Int64, the first physical line of
    the call). Timestamps are ISO 8601 text: with an offset when the format knows the zone (UTC epoch
    → `...+00:00`), naive when the format writes server-local time (then `--source-tz` applies).

    Accounting: records_read == calls + merged + len(rejected) + len(filtered) +
    sum(filtered_counts.values()), where a record is one data line (or one logical record for
    multi-line formats) and calls are the rows staged (`calls.height` for a polars adapter).
    """

    format: str
    source_system: str
    calls: pl.DataFrame
    records_read: int
    merged: int = 0
    rejected: list[RowIssue] = field(default_factory=list)
    filtered: list[RowIssue] = field(default_factory=list)
    # Filtered records counted by reason, for an adapter that filters too many records to keep one
    # RowIssue each: the ingest adds these to `filtered` in filtered_rows and in the file's report.
    filtered_counts: dict[str, int] = field(default_factory=dict)
    # False when the format cannot tell inbound from outbound/internal (Asterisk CDR, CUCM, ...):
    # the ingest summary then says that every call in the file was counted as offered.
    direction_known: bool = False
    notices: list[str] = field(default_factory=list)
    # What the merged calls show about the switchboard beyond the canonical columns, with call
    # counts: {"contexts": {"from-trunk": 412}, "channels": {"PJSIP/telia": 398}}. `callstats inspect`
    # lists them so a site can write its switchboard definition.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # The canonical fast path stages a lazy view; records_read and rejected are filled in after
    # the normalising query has read the file.
    read_lazily: bool = False


class Adapter(Protocol):
    name: str
    description: str

    def sniff(self, head: str) -> bool:
        """True when the first lines of a file (decoded text, ≤64 KiB) have this format's shape."""

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        """Read the whole file. Raise FormatError for a file that is not this format at all."""

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions) -> ParsedFile:
        """Read the file into the connection's temp table or view `staged` (line_no BIGINT and
        CANONICAL_COLUMNS as VARCHAR): the only way the ingest reads a file. The ParsedFile's
        `calls` may be empty when the rows went straight into DuckDB."""


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what one input may cost (reader.py's docstring says why these defaults).

    A line or field over its limit is a rejected row with its reason; a gzip input unpacking past
    `gzip_ratio` times its packed size (never less than `gzip_floor_bytes`, never more than
    `decompressed_bytes`) is a one-line file error.
    """

    line_bytes: int = 64 * 1024
    field_chars: int = 8 * 1024
    decompressed_bytes: int = 4 * 1024**3
    gzip_ratio: int = 100
    gzip_floor_bytes: int = 64 * 1024**2
    # How many lines a quoted cell may span, where a layout allows it at all (spreadsheet CSVs).
    record_lines: int = 20


@dataclass(frozen=True)
class AdapterOptions:
    source_tz: str | None = None
    mapping: Path | None = None
    # Switchboard definition hints adapters may use while merging (queues / contexts). The
    # switchboard numbers are not among them: the ingest's normalising SQL filters on them, once,
    # for every format (with their validity dates, keeping a call that has no dialled number).
    switchboard_queues: tuple[str, ...] = ()
    switchboard_contexts: tuple[str, ...] = ()
    limits: ReadLimits = ReadLimits()


def empty_calls() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {c: pl.String() for c in CANONICAL_COLUMNS}
    schema["line_no"] = pl.Int64()
    return pl.DataFrame(schema=schema)


def canonical_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Select and order the canonical columns, adding missing ones as null text."""
    cols = [
        (pl.col(c).cast(pl.String) if c in frame.columns else pl.lit(None, dtype=pl.String)).alias(c)
        for c in CANONICAL_COLUMNS
    ]
    return frame.select([*cols, pl.col("line_no").cast(pl.Int64)])


def stage_frame(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> ParsedFile:
    """Stage an adapter's canonical frame: `parsed.calls` into the temp table `staged`."""
    con.register("parsed_calls", parsed.calls.to_arrow())
    try:
        store.execute_script(con, store.sql_text("ingest/stage_frame.sql"))
    finally:
        con.unregister("parsed_calls")
    return parsed


class _Parses(Protocol):
    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile: ...


class FrameStaging:
    """`stage` for an adapter that reads its file into a polars frame: parse, then stage_frame."""

    def stage(
        self: _Parses, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions
    ) -> ParsedFile:
        return stage_frame(con, self.parse(path, options=options))
