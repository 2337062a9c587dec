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
        return set(NEEDED) <= set(_columns(textio.header_cells(head)))

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        table, columns = _read(path, options)
        frame = _times(textio.null_words(table.frame, columns), set(columns))
        layout = _master_layout(columns)
        frame = textio.with_missing(frame, asterisk_cdr.BASE).select([*layout, "line_no", "raw"])
        parsed = asterisk_cdr.merge(table.with_frame(frame), layout, options, self.name)
        if "answer" not in columns:
            parsed.notices.append(
                "no answer or end time in the header: end = start + duration, answer = end − billsec"
            )
        return parsed


def _read(path: Path, options: AdapterOptions) -> tuple[textio.Table, list[str]]:
    """The records under the Master.csv names their header gives (see ALIASES), and those names."""
    lines = textio.file_head(path, 1)
    delimiter = textio.sniff_delimiter(lines[0])
    records = textio.iter_records(path, delimiter=delimiter, repair=repair_clid, limits=options.limits)
    first = next(records, None)
    columns = _columns(first.fields if first else [])
    missing = [n for n in NEEDED if n not in columns]
    if missing:
        raise FormatError(f"{path.name}: Asterisk CDR header lacks {', '.join(missing)}")
    return textio.records_to_table(records, columns), columns


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
