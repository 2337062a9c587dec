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
from pathlib import Path

import polars as pl

from pipeline.formats import asterisk_cdr, textio
from pipeline.formats.base import AdapterOptions, FormatError, FrameStaging, ParsedFile

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
NULL = "NULL"


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


class AsteriskCdrExportAdapter(FrameStaging):
    name = "asterisk_cdr_export"
    description = "Asterisk CDR with a header line (FreePBX CDR Reports, cdr table export, Grandstream UCM)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 1)
        if not lines:
            return False
        names = set(_columns(textio.split_line(lines[0], textio.sniff_delimiter(lines[0]))))
        return set(NEEDED) <= names

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        lines = textio.head_lines(textio.read_head(path), 1)
        if not lines:
            raise FormatError(f"{path.name}: empty file")
        delimiter = textio.sniff_delimiter(lines[0])
        records = textio.iter_records(path, delimiter=delimiter, repair=repair_clid, limits=options.limits)
        first = next(records, None)
        columns = _columns(first.fields if first else [])
        missing = [n for n in NEEDED if n not in columns]
        if missing:
            raise FormatError(f"{path.name}: Asterisk CDR header lacks {', '.join(missing)}")
        table = textio.records_to_table(records, columns)
        frame = table.frame.with_columns(
            pl.when(pl.col(c).str.to_uppercase() == NULL).then(None).otherwise(pl.col(c)).alias(c)
            for c in columns
        )
        frame = _times(frame, set(columns))
        known = [
            c
            for c in (*asterisk_cdr.BASE, "uniqueid", "userfield", *asterisk_cdr.NEW_COLUMNS)
            if c in columns
        ]
        for col in asterisk_cdr.BASE:
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.String).alias(col))
        layout = tuple(dict.fromkeys([*asterisk_cdr.BASE, *known]))
        frame = frame.select([*layout, "line_no", "raw"])
        parsed = asterisk_cdr.merge(
            textio.Table(frame, table.records, table.rejected), layout, options, self.name
        )
        if "answer" not in columns:
            parsed.notices.append(
                "no answer or end time in the header: end = start + duration, answer = end − billsec"
            )
        return parsed


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
