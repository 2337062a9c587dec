"""Asterisk CDRs with a header line, read by column name in any order.

Three layouts reach users this way, all carrying the fields of Master.csv under other names:
- FreePBX's "CDR Reports" CSV download: `calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,
  lastdata,duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield` (sometimes with
  `did`, `recordingfile`, `cnum`, … after them). 16 columns like a stock Master.csv, in another order.
- a CSV export of the Asterisk `cdr` database table (cdr_adaptive_odbc / FreePBX `asteriskcdrdb`):
  the same names plus extras such as `linkedid`, `peeraccount`, `sequence`, `did`, `recordingfile`;
  missing values are written as the literal `NULL`, and the caller ID is written between quotes
  without doubling the quotes inside it (`""Anna Berg" <1115>"`), which is repaired before reading.
- Grandstream UCM's CDR download: `Account Code,Caller Number,Callee Number,Context,Caller ID,
  Source Channel,Dest Channel,Last app,Last data,Start Time,Answer Time,End Time,Call Time,Talk
  Time,Status,…,Unique ID,…,Session,…`. One call is one `Session`.

Names are matched after dropping case, spaces and underscores (ALIASES). The table has no answer or
end time: end = `calldate` + `duration`, answer = end − `billsec` when billsec > 0. From there the
rules of asterisk_cdr.py apply unchanged (grouping by linkedid, then uniqueid; answered by a person;
outcomes; time zone evidence from the uniqueid epoch; switchboard filters).

Detection: the first line must be a header naming a start time, `src`, `dst`, `disposition` and
`billsec` (under any alias), so a headerless Master.csv never passes for this layout, nor this one
for a Master.csv, whatever their column counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import asterisk_cdr, partitioned, textio
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile

# Normalised header name → the Master.csv field it carries.
ALIASES = {
    "calldate": "start", "start": "start", "starttime": "start",
    "answer": "answer", "answertime": "answer",
    "end": "end", "endtime": "end",
    "clid": "clid", "callerid": "clid",
    "src": "src", "callernumber": "src",
    "dst": "dst", "calleenumber": "dst",
    "dcontext": "dcontext", "context": "dcontext",
    "channel": "channel", "sourcechannel": "channel",
    "dstchannel": "dstchannel", "destchannel": "dstchannel",
    "lastapp": "lastapp", "lastdata": "lastdata",
    "duration": "duration", "calltime": "duration",
    "billsec": "billsec", "talktime": "billsec",
    "disposition": "disposition", "status": "disposition",
    "amaflags": "amaflags", "accountcode": "accountcode",
    "uniqueid": "uniqueid", "userfield": "userfield",
    "peeraccount": "peeraccount", "linkedid": "linkedid", "session": "linkedid",
    "sequence": "sequence",
}  # fmt: skip
NEEDED = ("start", "src", "dst", "disposition", "billsec")
# `""Name" <1115>"`: a caller ID quoted without doubling its inner quotes (the cdr table export).
UNESCAPED_CLID_RE = re.compile(r'(^|,)""([^",]*(?:,[^",]*)*)" <([^">]*)>"(?=,|$)')


def normalise(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.strip().strip('"').lower())


def _columns(header: list[str]) -> list[str]:
    """Field names for a header line; unknown or repeated names become `_<position>`."""
    out: list[str] = []
    for i, name in enumerate(header):
        field = ALIASES.get(normalise(name), "")
        out.append(field if field and field not in out else f"_{i}")
    return out


def repair_clid(line: str) -> str:
    return UNESCAPED_CLID_RE.sub(r'\1"""\2"" <\3>"', line)


class AsteriskCdrExportAdapter:
    name = "asterisk_cdr_export"
    description = "Asterisk CDR with a header line (FreePBX CDR Reports, cdr table export, Grandstream UCM)"

    def sniff(self, head: str) -> bool:
        return set(NEEDED) <= set(_columns(textio.header_cells(head)))

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        records, columns = _open(path, options)
        table = textio.records_to_table(records, columns)
        layout = _master_layout(columns)
        parsed = asterisk_cdr.merge(
            table.with_frame(_shaped(table.frame, columns, layout)), layout, options, self.name
        )
        return _noticed(parsed, columns)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        """`parse` in bounded memory: a call's records share linkedid (else uniqueid, else channel +
        start); the time-zone evidence is the median over the whole file, taken in DuckDB."""
        records, columns = _open(path, options)
        layout = _master_layout(columns)
        has = set(layout)

        def shape(frame: pl.DataFrame) -> pl.DataFrame:
            # Each record's time-zone evidence as merge would count it: a readable start, and no
            # Local half-leg where those are filtered (uniqueid without linkedid).
            frame = _shaped(frame, columns, layout).with_columns(start_dt=textio.parse_ts("start"))
            counted = pl.lit(True)
            if "linkedid" not in has:
                counted = ~pl.col("channel").str.starts_with("Local/").fill_null(False)
            evidence = asterisk_cdr.zone_offset_s() if "uniqueid" in has else pl.lit(None, pl.Int64)
            return frame.with_columns(evidence=pl.when(counted).then(evidence)).drop("start_dt")

        def decide(con: duckdb.DuckDBPyConnection, _tallies: dict[str, float]) -> partitioned.Merge:
            zone = asterisk_cdr.zone_from(partitioned.evidence_median(con), "uniqueid" in has, options)
            return lambda table: asterisk_cdr.merge(table, layout, options, self.name, zone=zone)

        plan = partitioned.Plan(records, columns, shape=shape, key=asterisk_cdr.call_key(has), decide=decide)
        return _noticed(partitioned.stage_partitioned(con, plan, sizes), columns)


def _noticed(parsed: ParsedFile, columns: list[str]) -> ParsedFile:
    if "answer" not in columns:
        parsed.notices.append(
            "no answer or end time in the header: end = start + duration, answer = end − billsec"
        )
    return parsed


def _open(path: Path, options: AdapterOptions) -> tuple[Iterator[textio.Record], list[str]]:
    """The records after the header, and the Master.csv names their header gives (see ALIASES)."""
    lines = textio.file_head(path, 1)
    delimiter = textio.sniff_delimiter(lines[0])
    records = textio.iter_records(path, delimiter=delimiter, repair=repair_clid, limits=options.limits)
    first = next(records, None)
    columns = _columns(first.fields if first else [])
    missing = [n for n in NEEDED if n not in columns]
    if missing:
        raise FormatError(f"{path.name}: Asterisk CDR header lacks {', '.join(missing)}")
    return records, columns


def _shaped(frame: pl.DataFrame, columns: list[str], layout: tuple[str, ...]) -> pl.DataFrame:
    """The Master.csv fields of `layout`, with times completed from duration and billsec."""
    frame = _times(textio.null_words(frame, columns), set(columns))
    return textio.with_missing(frame, asterisk_cdr.BASE).select([*layout, "line_no", "raw"])


def _master_layout(columns: list[str]) -> tuple[str, ...]:
    """The Master.csv fields for asterisk_cdr's merge: the 16 base fields (empty where the header
    lacks them) and the optional ones the header has."""
    optional = ("uniqueid", "userfield", *asterisk_cdr.NEW_COLUMNS)
    return tuple(dict.fromkeys([*asterisk_cdr.BASE, *(c for c in optional if c in columns)]))


def _times(frame: pl.DataFrame, has: set[str]) -> pl.DataFrame:
    """Answer and end times from duration and billsec when the layout has only the start."""
    start = textio.parse_ts(pl.col("start").str.replace(r"\.\d+$", ""))
    duration = textio.to_int("duration") if "duration" in has else pl.lit(None, pl.Int64)
    billsec = textio.to_int("billsec").fill_null(0)
    end = start + pl.duration(seconds=duration)
    start_text = pl.coalesce([textio.naive_text(start), pl.col("start")])
    out = [start_text.alias("start")]
    if "end" not in has:
        out.append(textio.naive_text(end).alias("end"))
    if "answer" not in has:
        out.append(
            pl.when(billsec > 0).then(textio.naive_text(end - pl.duration(seconds=billsec))).alias("answer")
        )
    return frame.with_columns(out)


ADAPTER = AsteriskCdrExportAdapter()
