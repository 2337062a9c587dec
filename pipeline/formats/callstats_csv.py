"""The callstats CSV itself (see the README): one header line, one row per offered call, already merged.

Merge rules: none — every data row is one call. Columns are read as text and passed through; the
ingest validates them. Unknown extra columns are ignored with a notice; a missing required column
(`call_id`, `started_at`, `outcome`) is a one-line error. The delimiter is taken from the header line
so that a `;` re-save from a spreadsheet still reads.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.formats import textio
from pipeline.formats.base import (
    CANONICAL_COLUMNS,
    REQUIRED_COLUMNS,
    AdapterOptions,
    FormatError,
    ParsedFile,
    canonical_frame,
)


def _header(line: str) -> list[str]:
    return [h.strip().lower() for h in textio.split_line(line, textio.sniff_delimiter(line))]


class CallstatsAdapter:
    name = "callstats"
    description = "callstats CSV (header with call_id, started_at, outcome)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 1)
        return bool(lines) and set(REQUIRED_COLUMNS) <= set(_header(lines[0]))

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        lines = textio.head_lines(textio.read_head(path), 1)
        if not lines:
            raise FormatError(f"{path.name}: empty file")
        delimiter = textio.sniff_delimiter(lines[0])
        records = textio.iter_records(path, delimiter=delimiter)
        header_rec = next(records)
        header = [h.strip().lower() for h in header_rec.fields]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise FormatError(f"{path.name}: missing required column(s) {', '.join(missing)}")
        if len(set(header)) != len(header):
            raise FormatError(f"{path.name}: repeated column names in the header")
        names = [h if h in CANONICAL_COLUMNS else f"_extra_{i}" for i, h in enumerate(header)]
        table = textio.records_to_table(records, names)
        notices = []
        extra = [h for h in header if h not in CANONICAL_COLUMNS]
        if extra:
            notices.append(f"ignored unknown column(s): {', '.join(extra)}")
        calls = canonical_frame(
            table.frame.select([c for c in names if not c.startswith("_extra_")] + ["line_no"])
        )
        calls = calls.with_columns(pl.col("outcome").str.to_lowercase())
        return ParsedFile(
            format=self.name,
            source_system="callstats",
            calls=calls,
            records_read=table.records,
            rejected=table.rejected,
            direction_known=True,
            notices=notices,
        )


ADAPTER = CallstatsAdapter()
