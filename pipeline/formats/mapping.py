"""Any CSV through a TOML mapping (`--mapping FILE`); see sample_formats/mapping-example.toml.

The mapping names the column for each canonical field and how to read the file (delimiter,
encoding, quote, header, decimal separator, timestamp format, time zone, duration unit) and maps the
file's outcome words to canonical outcomes. It is validated strictly: an unknown key, a missing
required field, an outcome word mapped to a non-outcome or a column not in the file is a one-line
error naming the key, so a typo never silently drops data.

Merge rules: none — each data row is one call (a system that logs legs needs its own adapter). A
row whose outcome word is not mapped is rejected with a reason. With `format = "3cx"` and
`fields = [...]` the mapping instead gives the field order of a 3CX CDR log (threecx.py rules).
Time: naive (the ingest applies `--source-tz`) unless the mapping sets `time_zone`, which then wins:
times are emitted with that zone's UTC offset, DST included (an ambiguous autumn hour takes the
earlier offset).
"""

from __future__ import annotations

import codecs
import tomllib
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.formats import partitioned, textio, threecx
from pipeline.formats.base import (
    CANONICAL_COLUMNS,
    OUTCOMES,
    AdapterOptions,
    FormatError,
    ParsedFile,
)

SOURCE_KEYS = {
    "delimiter", "encoding", "quote", "header", "decimal", "timestamp_format", "time_zone",
    "duration_unit", "source_system",
}  # fmt: skip
TOP_KEYS = {"format", "fields", "source", "columns", "outcomes"}
DURATION_UNITS = {"seconds": 1.0, "minutes": 60.0, "milliseconds": 0.001, "hh:mm:ss": 1.0}
DELIMITER_WORDS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
REQUIRED = ("started_at", "outcome")


@dataclass
class Mapping:
    columns: dict[str, str | int]
    outcomes: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    quote: str | None = '"'
    header: bool = True
    decimal: str = "."
    timestamp_format: str | None = None
    time_zone: str | None = None
    duration_unit: str = "seconds"
    source_system: str = "mapping"
    format: str = "csv"
    fields: list[str] = field(default_factory=list)


def _fail(path: Path, message: str) -> FormatError:
    return FormatError(f"mapping {path.name}: {message}")


def _str(path: Path, table: dict[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(path, f"{key} must be text, got {value!r}")
    return value


def load_mapping(path: Path) -> Mapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FormatError(f"cannot read mapping {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"not valid TOML ({exc})") from None
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise _fail(
            path, f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(TOP_KEYS))}"
        )
    src = data.get("source", {})
    if not isinstance(src, dict) or set(src) - SOURCE_KEYS:
        bad = sorted(set(src) - SOURCE_KEYS) if isinstance(src, dict) else ["source"]
        raise _fail(
            path, f"unknown [source] key(s) {', '.join(bad)}; allowed: {', '.join(sorted(SOURCE_KEYS))}"
        )
    fmt = _str(path, data, "format") or "csv"
    if fmt not in ("csv", "3cx"):
        raise _fail(path, f'format must be "csv" or "3cx", got {fmt!r}')
    m = Mapping(columns={}, format=fmt)
    delimiter = _str(path, src, "delimiter")
    if delimiter is not None and delimiter != "auto":
        delimiter = DELIMITER_WORDS.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise _fail(path, f"delimiter must be one character or auto, got {delimiter!r}")
        m.delimiter = delimiter
    encoding = _str(path, src, "encoding")
    if encoding is not None and encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _fail(path, f"unknown encoding {encoding!r}") from None
        m.encoding = encoding
    quote = _str(path, src, "quote")
    if quote is not None:
        if len(quote) > 1:
            raise _fail(path, f"quote must be one character or empty, got {quote!r}")
        m.quote = quote or None
    header = src.get("header", True)
    if not isinstance(header, bool):
        raise _fail(path, "header must be true or false")
    m.header = header
    m.decimal = _str(path, src, "decimal") or "."
    if m.decimal not in (".", ","):
        raise _fail(path, f'decimal must be "." or ",", got {m.decimal!r}')
    m.timestamp_format = _str(path, src, "timestamp_format")
    m.time_zone = _str(path, src, "time_zone")
    if m.time_zone is not None:
        try:
            zoneinfo.ZoneInfo(m.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise _fail(
                path, f"unknown time_zone {m.time_zone!r} (use an IANA name like Europe/Stockholm)"
            ) from None
    m.duration_unit = (_str(path, src, "duration_unit") or "seconds").lower()
    if m.duration_unit not in DURATION_UNITS:
        raise _fail(path, f"duration_unit must be one of {', '.join(DURATION_UNITS)}")
    m.source_system = _str(path, src, "source_system") or "mapping"

    if fmt == "3cx":
        fields = data.get("fields")
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            raise _fail(path, 'format = "3cx" needs fields = ["historyid", ...] in the logged order')
        m.fields = list(fields)
        return m

    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise _fail(path, "missing [columns] table")
    for key, value in columns.items():
        if key not in CANONICAL_COLUMNS:
            raise _fail(
                path, f"[columns] {key} is not a callstats column; allowed: {', '.join(CANONICAL_COLUMNS)}"
            )
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _fail(path, f"[columns] {key} must be a column name or a 1-based position")
        if isinstance(value, int) and (m.header or value < 1):
            raise _fail(path, f"[columns] {key}: positions (1-based) are only for header = false files")
        if isinstance(value, str) and not m.header:
            raise _fail(path, f"[columns] {key}: header = false, so give a 1-based position, not a name")
        m.columns[key] = value
    missing = [c for c in REQUIRED if c not in m.columns]
    if missing:
        raise _fail(path, f"[columns] must map {', '.join(missing)}")
    outcomes = data.get("outcomes", {})
    if not isinstance(outcomes, dict):
        raise _fail(path, "[outcomes] must be a table of file value = callstats outcome")
    for word, outcome in outcomes.items():
        if outcome not in OUTCOMES:
            raise _fail(path, f"[outcomes] {word!r} = {outcome!r} is not one of {', '.join(OUTCOMES)}")
        m.outcomes[word.strip().lower()] = outcome
    return m


class MappingAdapter:
    name = "mapping"
    description = "any CSV described by a TOML mapping (--mapping FILE)"

    def sniff(self, head: str) -> bool:
        return False

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        if options.mapping is None:
            raise FormatError("the mapping format needs --mapping FILE")
        m = load_mapping(options.mapping)
        if m.format == "3cx":
            return threecx.parse_fields(path, m.fields, options, self.name, delimiter=m.delimiter or ",")
        records, col_names, positions = _open_rows(path, m, options)
        table = textio.records_to_table(records, col_names)
        return _merge(table.with_frame(_shaped(table.frame, positions, col_names)), path, m, self.name)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        """`parse` in bounded memory: every row is a call of its own, so any split keeps calls whole."""
        if options.mapping is None:
            raise FormatError("the mapping format needs --mapping FILE")
        m = load_mapping(options.mapping)
        if m.format == "3cx":
            return threecx.stage_fields(
                con, path, m.fields, options, self.name, delimiter=m.delimiter or ",", sizes=sizes
            )
        records, col_names, positions = _open_rows(path, m, options)
        plan = partitioned.Plan(
            records,
            col_names,
            shape=lambda frame: _shaped(frame, positions, col_names),
            key=pl.col("line_no"),
            decide=lambda _con, _tallies: lambda table: _merge(table, path, m, self.name),
        )
        return partitioned.stage_partitioned(con, plan, sizes)


def _merge(table: textio.Table, path: Path, m: Mapping, fmt: str) -> ParsedFile:
    ledger = textio.Ledger(table)
    frame = table.frame.with_columns(outcome=_outcome(m), word=WORD)
    frame = ledger.reject(
        frame,
        pl.col("outcome").is_null(),
        pl.lit("outcome value '") + pl.col("word").fill_null("") + "' is not in the mapping",
    )
    frame = _times(frame, m, ledger)
    frame = frame.with_columns(**_durations(m))
    if "call_id" not in m.columns:
        frame = frame.with_columns(call_id=pl.lit(f"{path.stem}:") + pl.col("line_no").cast(pl.String))
        ledger.notices.append("no call_id column mapped: ids made from the file name and line number")
    # Every row is one call: nothing is merged.
    return ledger.parsed(
        frame.with_columns(n=pl.lit(1)), fmt=fmt, source_system=m.source_system, direction_known=True
    )


def _open_rows(
    path: Path, m: Mapping, options: AdapterOptions
) -> tuple[Iterator[textio.Record], list[str], dict[str, int]]:
    """The file's data records, their column names, and the position of each mapped column."""
    lines = textio.file_head(path, 1)
    delimiter = m.delimiter or textio.sniff_delimiter(lines[0])
    # Spreadsheet exports can break lines inside quoted cells.
    records = textio.iter_records(
        path,
        delimiter=delimiter,
        quotechar=m.quote,
        encoding=m.encoding,
        multiline=True,
        limits=options.limits,
    )
    if m.header:
        first = next(records, None)
        names = [f.strip().lower() for f in first.fields] if first else []
        width = len(names)
        positions: dict[str, int] = {}
        for canon, col in m.columns.items():
            assert isinstance(col, str)
            if col.strip().lower() not in names:
                raise FormatError(f"{path.name}: column {col!r} (for {canon}) not in the header")
            positions[canon] = names.index(col.strip().lower())
    else:
        width = len(textio.split_line(lines[0], delimiter))
        positions = {canon: int(col) - 1 for canon, col in m.columns.items()}
        too_far = [c for c, p in positions.items() if p >= width]
        if too_far:
            raise FormatError(f"{path.name}: column position for {', '.join(too_far)} beyond {width} fields")
    col_names = [f"_{i}" for i in range(width)]
    for canon, pos in positions.items():
        col_names[pos] = canon if col_names[pos].startswith("_") else col_names[pos]
    return records, col_names, positions


def _shaped(frame: pl.DataFrame, positions: dict[str, int], col_names: list[str]) -> pl.DataFrame:
    """Each mapped column under its canonical name (the others null)."""
    frame = frame.with_columns([pl.col(col_names[pos]).alias(canon) for canon, pos in positions.items()])
    return textio.with_missing(frame, CANONICAL_COLUMNS)


WORD = pl.col("outcome").str.strip_chars().str.to_lowercase()


def _outcome(m: Mapping) -> pl.Expr:
    """The file's outcome word through the mapping's [outcomes], else as written when it is a
    canonical outcome; null (rejected) otherwise."""
    mapped = WORD.replace_strict(m.outcomes, default=None, return_dtype=pl.String) if m.outcomes else None
    canonical = pl.when(WORD.is_in(list(OUTCOMES))).then(WORD)
    return pl.coalesce([e for e in (mapped, canonical) if e is not None])


def _times(frame: pl.DataFrame, m: Mapping, ledger: textio.Ledger) -> pl.DataFrame:
    """Times in the mapping's format; naive unless the mapping names a zone (epoch times are UTC).
    A local time the zone skips (clocks moved forward) is rejected."""
    formats = (m.timestamp_format,) if m.timestamp_format else textio.DEFAULT_TS_FORMATS
    # The mapping describes this file, so its zone beats the general --source-tz setting.
    zone = m.time_zone
    ts_cols = ["started_at", "answered_at", "ended_at"]
    if m.timestamp_format == "epoch":
        parsed = {c: textio.epoch_dt(c) for c in ts_cols}
        zone = "UTC"
    else:
        parsed = {c: textio.parse_ts(c, formats) for c in ts_cols}
    out, gaps = {}, []
    for c, expr in parsed.items():
        if zone is None:
            text = textio.naive_text(expr)
        else:
            aware = expr.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
            text = aware.dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
            gaps.append(expr.is_not_null() & aware.is_null())
        # Text that fits no format passes through, so the ingest rejects it with its own reason.
        out[c] = pl.coalesce([text, pl.col(c)])
    if gaps:
        frame = ledger.reject(
            frame, pl.any_horizontal(gaps), f"time does not exist in {zone} (clocks moved forward)"
        )
    return frame.with_columns(**out)


def _durations(m: Mapping) -> dict[str, pl.Expr]:
    """wait_s and talk_s in whole seconds from the mapping's unit and decimal separator; text that
    is not a number passes through for the ingest to reject."""
    factor = DURATION_UNITS[m.duration_unit]
    durations = {}
    for c in ("wait_s", "talk_s"):
        text = pl.col(c).str.strip_chars()
        if m.decimal == ",":
            text = text.str.replace_all(r"[.\s]", "").str.replace(",", ".", literal=True)
        else:
            text = text.str.replace_all(r"[,\s]", "")
        seconds = (
            textio.to_int(text)
            if m.duration_unit == "hh:mm:ss"
            else text.cast(pl.Float64, strict=False) * factor
        )
        durations[c] = pl.coalesce(
            [textio.seconds_text(seconds.round(0, mode="half_away_from_zero")), pl.col(c)]
        )
    return durations


ADAPTER = MappingAdapter()
