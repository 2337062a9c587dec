"""The callstats CSV itself (see the README): one header line, one row per offered call, already merged.

Merge rules: none — every data row is one call. Columns are read as text and passed through; the
ingest validates them. Unknown extra columns are ignored with a notice; a missing required column
(`call_id`, `started_at`, `outcome`) is a one-line error. A spreadsheet's re-save (`;` or tab
between fields, Windows-1252) still reads.

The file is read by DuckDB itself (pipeline.formats.canonical_csv): `stage` is the ingest's fast
path, and `parse` stages the file the same way into a private in-memory database and returns the
rows, so `callstats inspect`, the tests and `callstats ingest` all read the file one way.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import textio
from pipeline.formats.base import CANONICAL_COLUMNS, REQUIRED_COLUMNS, AdapterOptions, FormatError, ParsedFile
from pipeline.formats.canonical_csv import (
    RecordsMismatch,
    finish_canonical_csv,
    release_inputs,
    stage_canonical_csv,
    stage_canonical_lines,
)


def _header(line: str) -> list[str]:
    return [h.strip().lower() for h in textio.split_line(line, textio.sniff_delimiter(line))]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class CallstatsAdapter:
    name = "callstats"
    description = "callstats CSV (header with call_id, started_at, outcome)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 1)
        return bool(lines) and set(REQUIRED_COLUMNS) <= set(_header(lines[0]))

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions) -> ParsedFile:
        """A lazy view over DuckDB's CSV reader (`read_lazily`): the normalising query reads the
        file, then the ingest calls finish_canonical_csv to account for its malformed lines."""
        return stage_canonical_csv(con, path)

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        con = duckdb.connect()
        try:
            parsed = self._read(con, path, options)
        except duckdb.Error as exc:
            # What the ingest reports as the file's failure (damaged gzip data, say): one line.
            raise FormatError(f"{path.name}: {_first_line(exc)}") from None
        finally:
            release_inputs()
            con.close()
        # Outcomes as the contract has them (the ingest's normalising SQL lowercases them too).
        parsed.calls = parsed.calls.with_columns(pl.col("outcome").str.to_lowercase())
        parsed.read_lazily = False
        return parsed

    def _read(self, con: duckdb.DuckDBPyConnection, path: Path, options: AdapterOptions) -> ParsedFile:
        """Stage the file and read it as the ingest does; its rows become `calls`."""
        parsed = self.stage(con, path, options=options)
        try:
            # finish_canonical_csv counts and renumbers the rows read, as the ingest's judged_summary.
            con.execute("create temp table judged_summary as select *, 1 as records from staged").fetchall()
            finish_canonical_csv(con, parsed, path)
        except (RecordsMismatch, duckdb.InvalidInputException) as exc:
            # As in the ingest: DuckDB's reader lost lines or gave up; read line by line.
            release_inputs()
            parsed = stage_canonical_lines(con, path, _first_line(exc))
            con.execute(
                "create or replace temp table judged_summary as select *, 1 as records from staged"
            ).fetchall()
        columns = ", ".join([*CANONICAL_COLUMNS, "line_no"])
        parsed.calls = con.sql(f"select {columns} from judged_summary order by line_no").pl()
        return parsed


ADAPTER = CallstatsAdapter()
