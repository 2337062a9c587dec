"""3CX CDR (`cdr.log`): the admin chooses the fields and their order.

Without a header the default is all 27 fields of v16–v18 in documented order (DEFAULT_FIELDS);
another order is given by a mapping file with `format = "3cx"` and `fields = [...]` (see
mapping.py). A file whose first line names the fields (`historyid,callid,duration,time-start,…`,
or `time_start` as newer versions write it) is read by those names, in any order.

Merge rules:
- One record per call; records repeating a `historyid` (or `callid` when that is not logged) are
  merged into the first.
- Direction from the record: `from-type` External → inbound (kept); `to-type` External → outbound,
  otherwise internal (both filtered with a reason). Casing varies between versions, so it is ignored.
- Answered (by a person): `time-answered` set, `duration` > 0, and the final target is an `Ext.`
  agent where 3CX did not answer itself: not an IVR, queue, ring group, voicemail, fax, parking or
  script by `final-type` (any casing, `Ring Group`/`ring_group` alike), not named as an IVR or
  Digital Receptionist in `final-dispname`, not a queue that polled agents (`missed-queue-calls`)
  and kept the call, and not a configured switchboard queue.
  `time-answered` alone is set when an IVR or queue answers: a zero-duration call ending at the queue
  is abandoned. `missed-queue-calls` lists agents who did not pick up, not missed calls.
- Otherwise: final target voicemail → voicemail; `reason-terminated` Failed… → failed; else
  abandoned (caller hung up while the queue or ring group was still the target).
- wait_s = `time-answered − time-start` (3CX stops this clock when the PBX answers, so queue wait is
  under-stated: noticed), abandoned: `time-end − time-start`. talk_s = `duration` (`HH:MM:SS`).
- Time zone is undocumented: times are emitted naive for `--source-tz` (noticed; calibrate on one
  known call).
- dialled_number = `dial-no` (the DID dialled), else `to-no`; queue = `to-dn`.
- With switchboard queues configured, inbound calls whose `to-no` / `to-dn` match none are
  filtered (switchboard numbers are the ingest's filter on dialled_number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import partitioned, textio
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile

DEFAULT_FIELDS: tuple[str, ...] = (
    "historyid", "callid", "duration", "time-start", "time-answered", "time-end", "reason-terminated",
    "from-no", "to-no", "from-dn", "to-dn", "dial-no", "reason-changed", "final-number", "final-dn",
    "bill-code", "bill-rate", "bill-cost", "bill-name", "chain", "from-type", "to-type", "final-type",
    "from-dispname", "to-dispname", "final-dispname", "missed-queue-calls",
)  # fmt: skip
KNOWN = set(DEFAULT_FIELDS)
CALL_RE = re.compile(r"^Call \d+$")
EMBEDDED_CALL_RE = re.compile(r"Call \d+,")
TS_FORMATS = ("%Y/%m/%d %H:%M:%S", *textio.DEFAULT_TS_FORMATS)
VOICEMAIL_RE = r"(?i)(vmail|voice ?mail|röstbrevlåda)"
# Targets where 3CX answers the call itself: `final-type` values (casing and separators vary
# between versions), and IVR names in `final-dispname` where the type only says Internal.
PBX_TYPES = [
    "ivr", "queue", "ringgroup", "voicemail", "fax", "script", "parking", "park", "conference",
    "routepoint", "digitalreceptionist", "callflow",
]  # fmt: skip
IVR_NAME_RE = r"(?i)\b(ivr|digital receptionist)\b"
NOTICES = (
    "3CX time zone is undocumented: times read as --source-tz (check one known call)",
    "3CX wait_s stops when the PBX answers (IVR/queue), so queue waiting time is under-stated",
)


def header_fields(line: str) -> list[str] | None:
    """The field list of a 3CX header line (`historyid,callid,duration,time-start,…`; v20 writes
    `time_start`), or None when the line is not one."""
    names = [n.strip().strip('"').lower().replace("_", "-") for n in textio.split_line(line)]
    if len(names) >= 5 and "time-start" in names and set(names) <= KNOWN and len(set(names)) == len(names):
        return names
    return None


def _looks_like_record(line: str) -> bool:
    row = textio.split_line(line)
    return len(row) >= 5 and bool(CALL_RE.match(row[0].strip()))


class ThreeCxAdapter:
    name = "3cx"
    description = "3CX CDR log (no header, `Call <id>` first field; default 27-field v16–v18 layout)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 10)
        if lines and header_fields(lines[0]) is not None:
            return True
        return textio.shape_holds(lines, _looks_like_record)

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        return parse_fields(path, _layout(path), options, self.name, header=_has_header(path))

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        return stage_fields(
            con, path, _layout(path), options, self.name, header=_has_header(path), sizes=sizes
        )


def _has_header(path: Path) -> bool:
    lines = textio.head_lines(textio.read_head(path), 1)
    return bool(lines) and header_fields(lines[0]) is not None


def _layout(path: Path) -> Sequence[str]:
    """The fields of the file's header line, else the default layout."""
    lines = textio.head_lines(textio.read_head(path), 1)
    fields = header_fields(lines[0]) if lines else None
    return fields if fields is not None else DEFAULT_FIELDS


def parse_fields(
    path: Path,
    fields: Sequence[str],
    options: AdapterOptions,
    fmt: str,
    *,
    delimiter: str = ",",
    header: bool = False,
) -> ParsedFile:
    records, columns = _open(path, fields, options, delimiter=delimiter, header=header)
    table = textio.records_to_table(records, columns)
    return _merge(table.with_frame(_shaped(table.frame)), options, fmt, direction="from_type" in columns)


def stage_fields(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fields: Sequence[str],
    options: AdapterOptions,
    fmt: str,
    *,
    delimiter: str = ",",
    header: bool = False,
    sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
) -> ParsedFile:
    """parse_fields in bounded memory: a call's records share its key (see _typed)."""
    records, columns = _open(path, fields, options, delimiter=delimiter, header=header)
    direction = "from_type" in columns

    def merge(table: textio.Table) -> ParsedFile:
        return _merge(table, options, fmt, direction=direction)

    plan = partitioned.Plan(
        records, columns, shape=_shaped, key=_call_key(), decide=lambda _con, _tallies: merge
    )
    return partitioned.stage_partitioned(con, plan, sizes)


def _open(
    path: Path, fields: Sequence[str], options: AdapterOptions, *, delimiter: str, header: bool
) -> tuple[Iterator[textio.Record], list[str]]:
    """The records of a 3CX log in the layout `fields`, and the column names to read them by."""
    unknown = [f for f in fields if f not in KNOWN]
    if unknown:
        raise FormatError(
            f"unknown 3CX field name(s) {', '.join(unknown)}; known: {', '.join(DEFAULT_FIELDS)}"
        )
    lines = textio.head_lines(textio.read_head(path), 50)[1 if header else 0 :]
    counts = [len(textio.split_line(line, delimiter)) for line in lines]
    found = textio.usual(counts)
    # Refused only when most lines have another count: one damaged line is rejected on its own.
    if found is not None and counts.count(len(fields)) * 2 < len(counts):
        raise FormatError(
            f"{path.name}: 3CX record has {found} fields, the layout has {len(fields)}; "
            'give the field order in a mapping (format = "3cx", fields = [...])'
        )
    columns = [f.replace("-", "_") for f in fields]
    records = textio.iter_records(path, delimiter=delimiter, limits=options.limits)
    if header:
        next(records, None)
    elif fields and fields[0] == "historyid":
        records = textio.split_glued(records, _next_record(len(fields), delimiter))
    return records, columns


def _shaped(frame: pl.DataFrame) -> pl.DataFrame:
    """Every field of the default layout, empty where this layout lacks it."""
    return textio.with_missing(frame, (f.replace("-", "_") for f in DEFAULT_FIELDS))


def _next_record(width: int, delimiter: str) -> textio.NextRecord:
    """Where `Call NNN` leads every record: a record of the wrong width with one starting inside."""

    def find(rec: textio.Record) -> tuple[int, list[str]] | None:
        if len(rec.fields) == width:
            return None
        for found in EMBEDDED_CALL_RE.finditer(rec.raw, 1):
            fields = textio.split_line(rec.raw[found.start() :], delimiter)
            if len(fields) == width:
                return found.start(), fields
        return None

    return find


def _merge(table: textio.Table, options: AdapterOptions, fmt: str, *, direction: bool) -> ParsedFile:
    """The merge rules of the module docstring, one named step each."""
    ledger = textio.Ledger(table, notices=list(NOTICES))
    frame = ledger.reject_unreadable(_typed(table.frame), "started", "time-start")
    if direction:
        why = (
            pl.when(pl.col("ttype") == "external")
            .then(pl.lit("outbound call"))
            .otherwise(pl.lit("internal call"))
        )
        frame = ledger.filter(
            frame, pl.col("ftype") != "external", why + " (from-type " + pl.col("ftype") + ")"
        )
    keep = _switchboard(options)
    if keep is not None:
        frame = ledger.filter(
            frame, ~keep, pl.lit("not a switchboard call (to ") + pl.col("to_no").fill_null("") + ")"
        )
    calls = _grouped(_answered_by(frame, options))
    return ledger.parsed(_emit(calls), fmt=fmt, source_system="3cx", direction_known=direction)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The call key (`historyid` without its `Call ` prefix, else `callid`, else the line), times,
    the `HH:MM:SS` duration in seconds, and the types in lower case (their casing varies)."""
    return frame.with_columns(
        key=_call_key(),
        started=textio.parse_ts("time_start", TS_FORMATS),
        answered=textio.parse_ts("time_answered", TS_FORMATS),
        ended=textio.parse_ts("time_end", TS_FORMATS),
        dur=textio.to_int("duration"),
        ftype=pl.col("from_type").str.to_lowercase().fill_null(""),
        ttype=pl.col("to_type").str.to_lowercase().fill_null(""),
        final=pl.coalesce(["final_number", "final_dn"]).fill_null(""),
    )


def _call_key() -> pl.Expr:
    return pl.coalesce(
        [
            pl.col("historyid").str.replace(r"^Call\s+", ""),
            pl.col("callid"),
            pl.lit("line-") + pl.col("line_no").cast(pl.String),
        ]
    )


def _switchboard(options: AdapterOptions) -> pl.Expr | None:
    """A switchboard call was sent to one of its queues (its numbers are the ingest's to filter)."""
    if not options.switchboard_queues:
        return None
    to_no = pl.col("to_no").fill_null("").str.replace(r"^Ext\.", "")
    to_dn = pl.col("to_dn").fill_null("")
    return to_dn.is_in(list(options.switchboard_queues)) | to_no.is_in(list(options.switchboard_queues))


def _answered_by(frame: pl.DataFrame, options: AdapterOptions) -> pl.DataFrame:
    """`person`: answered with a duration by an `Ext.` agent, not by 3CX itself (an IVR, queue, ring
    group, voicemail, … target, or a configured switchboard queue); `vm`: ended in voicemail."""
    vm = (
        pl.col("final").str.contains(VOICEMAIL_RE)
        | pl.col("final_dispname").fill_null("").str.contains(VOICEMAIL_RE)
        | pl.col("final_type").fill_null("").str.contains(VOICEMAIL_RE)
    )
    final_type = pl.col("final_type").fill_null("").str.to_lowercase().str.replace_all(r"[\s_-]", "")
    pbx_target = (
        final_type.is_in(PBX_TYPES)
        | pl.col("final_dispname").fill_null("").str.contains(IVR_NAME_RE)
        | pl.col("final_dn").is_in(list(options.switchboard_queues)).fill_null(False)
        # Agents polled and the call still at the first target: it never left the queue.
        | (
            pl.col("missed_queue_calls").fill_null("").str.contains("Ext.", literal=True)
            & (pl.col("final_dn") == pl.col("to_dn")).fill_null(False)
        )
        | (pl.col("final") == "EndCall")
    )
    person = (
        pl.col("answered").is_not_null()
        & (pl.col("dur").fill_null(0) > 0)
        & pl.col("final").str.starts_with("Ext.")
        & ~vm
        & ~pbx_target
    )
    return frame.with_columns(person=person, vm=vm)


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    """Records repeating a call key are merged into one call, represented by its answered record if
    it has one, else by its first."""
    frame = frame.sort(["key", "line_no"])
    return textio.group_calls(
        frame, "key", pl.all().exclude("line_no", "raw").sort_by(pl.col("person"), descending=True).first()
    )


def _emit(calls: pl.DataFrame) -> pl.DataFrame:
    """Times naive (zone undocumented); the DID dialled, else the extension reached."""
    return textio.emit(
        calls,
        outcome=_outcome(),
        stamp=textio.naive_text,
        talk="dur",
        waits_until_hangup=("abandoned",),
        dialled_number=pl.coalesce(["dial_no", pl.col("to_no").str.replace(r"^Ext\.", "")]),
        queue=pl.col("to_dn"),
        caller=pl.col("from_no"),
    )


def _outcome() -> pl.Expr:
    """Answered by a person; else voicemail; else a `Failed…` termination; else abandoned (the
    caller hung up while a queue or ring group was still the target)."""
    reason = pl.col("reason_terminated").fill_null("").str.to_lowercase()
    return (
        pl.when(pl.col("person")).then(pl.lit("answered"))
        .when(pl.col("vm")).then(pl.lit("voicemail"))
        .when(reason.str.starts_with("failed")).then(pl.lit("failed"))
        .otherwise(pl.lit("abandoned"))
    )  # fmt: skip


ADAPTER = ThreeCxAdapter()
