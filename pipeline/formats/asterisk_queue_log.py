"""Asterisk `queue_log`: `epoch|callid|queuename|agent|event|data1|…`, no header, no quoting.

Merge rules:
- One call = the events sharing `callid` (the caller channel's uniqueid, so it equals the CDR's
  linkedid). A call is offered when it has an ENTERQUEUE; a caller who overflows from queue A to B
  has two ENTERQUEUEs and is still one call (started at the first, queue = the first queue).
- Outcome: a CONNECT → answered (a queue member, i.e. a person, picked up). Otherwise the last exit
  event decides: ABANDON or RINGCANCELED → abandoned; EXITWITHTIMEOUT → timeout; EXITEMPTY (no
  reachable members) → failed; EXITWITHKEY (caller chose to leave) → abandoned; SYSCOMPAT → failed.
  An ENTERQUEUE after the last exit, or no exit at all (orphan), → unknown.
- wait_s = CONNECT holdtime (or the exit's waittime), plus the time spent in earlier queues.
  talk_s = calltime of COMPLETEAGENT/COMPLETECALLER/TRANSFER/BLINDTRANSFER/ATTENDEDTRANSFER.
  RINGNOANSWER is one member not picking up, never a missed call: merged into its call.
- dialled_number comes from a FreePBX-style `DID` event when present.
- Filtered: events with no call (`NONE`/`REALTIME`/`CLI` callid, agent and queue administration),
  events of a callid with no ENTERQUEUE in the file (the call began in an earlier file), and calls
  in no switchboard queue when queues are configured.
- Time: epoch seconds → UTC with `+00:00`; the database variant's datetime text stays naive.
- The `queue_log` database table exported as CSV (`time,callid,queuename,agent,event,data1,…` or
  `uid,date_time,callid,queue_name,agent,event,param1,…`, one `data` column with `|` inside, `NULL`
  for empty) is read by its header names, in any order, under the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import partitioned, textio
from pipeline.formats.base import AdapterOptions, ParsedFile

COLUMNS = ("time", "callid", "queuename", "agent", "event", "data1", "data2", "data3", "data4", "data5")
NO_CALL_IDS = ["NONE", "REALTIME", "CLI", "MANAGER", "AMI"]
NON_CALL_EVENTS = [
    "AGENTDUMP", "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF", "ADDMEMBER",
    "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "PAUSECUSTOM", "QUEUESTART",
    "CONFIGRELOAD", "PENALTY",
]  # fmt: skip
EXIT_EVENTS = ["ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "RINGCANCELED", "SYSCOMPAT"]
COMPLETE_EVENTS = ["COMPLETEAGENT", "COMPLETECALLER"]
TRANSFER_EVENTS = ["TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"]
EVENT_RE = re.compile(r"^[A-Z_]+$")
# Header names of the `queue_log` database table (realtime) as exported to CSV, normalised.
TABLE_ALIASES = {
    "time": "time", "datetime": "time", "timestamp": "time", "callid": "callid",
    "queuename": "queuename", "queue": "queuename", "agent": "agent", "event": "event", "data": "data",
    **{f"data{i}": f"data{i}" for i in range(1, 6)}, **{f"param{i}": f"data{i}" for i in range(1, 6)},
}  # fmt: skip
TIME_RE = re.compile(r"^\d{9,11}$")
# A record starting inside a line: an epoch (not part of a longer number), three fields, an event.
EMBEDDED_RE = re.compile(r"(?<![\d.])\d{9,11}\|[^|]*\|[^|]*\|[^|]*\|[A-Z_]+(?:\||$)")


def _looks_like_queue_log(line: str) -> bool:
    fields = line.split("|")
    return (
        5 <= len(fields) <= 10
        and bool(TIME_RE.match(fields[0]) or textio.DATETIME_RE.match(fields[0].split(".")[0]))
        and bool(EVENT_RE.match(fields[4]))
    )


def table_columns(line: str) -> list[str] | None:
    """Column names of a `queue_log` table export's header line, or None when it is not one."""
    names = [
        re.sub(r"[\s_\-]", "", n.strip().lower())
        for n in textio.split_line(line, textio.sniff_delimiter(line))
    ]
    columns = [TABLE_ALIASES.get(n, f"_{i}") for i, n in enumerate(names)]
    needed = {"time", "callid", "queuename", "event"}
    return columns if needed <= set(columns) and len(set(columns)) == len(columns) else None


class QueueLogAdapter:
    name = "asterisk_queue_log"
    description = "Asterisk queue_log (epoch|callid|queue|agent|EVENT|…)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 10)
        if lines and table_columns(lines[0]) is not None:
            return True
        return textio.shape_holds(lines, _looks_like_queue_log)

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        layout = _open(path, options)
        table = textio.records_to_table(layout.records, layout.columns, allow_fewer=layout.allow_fewer)
        return _merge(table.with_frame(layout.shape(table.frame)), options, self.name)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        """`parse` in bounded memory: a call's events share its callid (events of no call are
        spread by line); the time layout is voted over the whole file first."""
        layout = _open(path, options)

        def decide(_con: duckdb.DuckDBPyConnection, tallies: dict[str, float]) -> partitioned.Merge:
            times = tallies.get("times", 0.0)
            epoch = times > 0 and tallies.get("epoch", 0.0) / times > 0.5
            return lambda table: _merge(table, options, self.name, epoch=epoch)

        plan = partitioned.Plan(
            layout.records,
            layout.columns,
            shape=layout.shape,
            key=pl.when(pl.col("callid").is_in(NO_CALL_IDS).fill_null(True))
            .then(pl.col("line_no").cast(pl.String))
            .otherwise(pl.col("callid")),
            decide=decide,
            allow_fewer=layout.allow_fewer,
            tally=_epoch_tally,
        )
        return partitioned.stage_partitioned(con, plan, sizes)


@dataclass
class _Layout:
    """How one queue_log file is read: its records, their columns, and the per-record shaping."""

    records: Iterator[textio.Record]
    columns: Sequence[str]
    shape: Callable[[pl.DataFrame], pl.DataFrame]
    allow_fewer: int = 0


def _open(path: Path, options: AdapterOptions) -> _Layout:
    """The pipe-separated log, or the database table's CSV export read by its header."""
    lines = textio.head_lines(textio.read_head(path), 1)
    columns = table_columns(lines[0]) if lines else None
    if columns is not None:
        return _table_export(path, lines[0], columns, options)
    records = textio.split_glued(
        textio.iter_records(path, delimiter="|", quotechar=None, limits=options.limits), _next_record
    )
    return _Layout(records, COLUMNS, lambda frame: frame, allow_fewer=5)


def _next_record(rec: textio.Record) -> tuple[int, list[str]] | None:
    """A record a restart wrote after a cut one, on the same line: only where the line is not a
    record itself (wrong field count, or no event name where one belongs)."""
    fields = rec.fields
    whole = 5 <= len(fields) <= 10 and bool(TIME_RE.match(fields[0]) and EVENT_RE.match(fields[4]))
    if whole:
        return None
    found = EMBEDDED_RE.search(rec.raw, 1)
    return (found.start(), rec.raw[found.start() :].split("|")) if found else None


def _table_export(path: Path, header: str, columns: list[str], options: AdapterOptions) -> _Layout:
    """The table export in the log's own columns: `NULL` is empty, one `data` column is split."""
    records = textio.iter_records(path, delimiter=textio.sniff_delimiter(header), limits=options.limits)
    next(records, None)

    def shape(frame: pl.DataFrame) -> pl.DataFrame:
        frame = textio.null_words(frame, columns)
        if "data" in columns and "data1" not in columns:
            parts = pl.col("data").fill_null("").str.split("|")
            frame = frame.with_columns(
                parts.list.get(i, null_on_oob=True).replace("", None).alias(f"data{i + 1}") for i in range(5)
            )
        return textio.with_missing(frame, COLUMNS).select([*COLUMNS, "line_no", "raw"])

    return _Layout(records, columns, shape)


def _merge(
    table: textio.Table, options: AdapterOptions, fmt: str, *, epoch: bool | None = None
) -> ParsedFile:
    """The merge rules of the module docstring, one named step each. `epoch` is the file's time
    layout when it was decided over a larger whole than this table (see _epoch_times)."""
    ledger = textio.Ledger(table)
    if epoch is None:
        epoch = _epoch_times(table.frame)
    frame = ledger.reject_unreadable(_typed(table.frame, epoch=epoch), "t", "event time")
    # A record cut short or run into the next one by a crash rarely leaves a well-formed event name.
    frame = ledger.reject(
        frame,
        ~pl.col("event").fill_null("").str.contains(EVENT_RE.pattern),
        pl.lit("not a queue_log event name: ") + pl.col("ev"),
    )
    system = pl.col("callid").is_in(NO_CALL_IDS).fill_null(True) | pl.col("ev").is_in(NON_CALL_EVENTS)
    frame = ledger.filter(frame, system, pl.lit("system event ") + pl.col("ev"))
    frame = _offered(frame)
    frame = ledger.filter(
        frame, ~pl.col("offered"), pl.lit("no ENTERQUEUE for this callid in the file: ") + pl.col("ev")
    )
    calls = ledger.switchboard_calls(
        _grouped(frame),
        _switchboard(options),
        lambda call: f"not a switchboard queue ({', '.join(call['queues'])})",
    )
    calls = _emit(calls, epoch=epoch)
    overflow = calls.filter(pl.col("queues").list.len() > 1).height
    if overflow:
        ledger.notices.append(
            f"{overflow} call(s) entered more than one queue: counted once, under the first queue"
        )
    return ledger.parsed(calls, fmt=fmt, source_system="asterisk", direction_known=False)


def _epoch_times(frame: pl.DataFrame) -> bool:
    """True when the file writes epoch seconds: what most lines say, so one damaged line does not
    decide the time layout for all."""
    epoch_share = frame["time"].drop_nulls().str.contains(r"^\d+$").mean() if frame.height else None
    return float(epoch_share or 0.0) > 0.5  # type: ignore[arg-type]


def _epoch_tally(frame: pl.DataFrame) -> dict[str, float]:
    """_epoch_times' vote over one chunk: times written, and of those, epoch seconds."""
    times = frame["time"].drop_nulls()
    return {"times": float(times.len()), "epoch": float(times.str.contains(r"^\d+$").sum())}


def _typed(frame: pl.DataFrame, *, epoch: bool) -> pl.DataFrame:
    """`t`: the event time (epoch seconds, or the database variant's datetime text); `ev`: the event
    name in upper case."""
    when = (
        pl.when(pl.col("time").str.contains(TIME_RE.pattern)).then(textio.epoch_dt("time"))
        if epoch
        else textio.parse_ts(pl.col("time").str.replace(r"\.\d+$", ""))
    )
    return frame.with_columns(t=when, ev=pl.col("event").str.to_uppercase().fill_null(""))


def _offered(frame: pl.DataFrame) -> pl.DataFrame:
    """`offered`: the callid has an ENTERQUEUE in this file (else the call began in an earlier one)."""
    offered = frame.group_by("callid").agg(offered=(pl.col("ev") == "ENTERQUEUE").any())
    return frame.join(offered, on="callid", how="left")


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    """Each call's events: its queues, the CONNECT and its holdtime, the completion and its
    calltime, the last exit and its waittime, and the ENTERQUEUE before each (for time spent in
    earlier queues)."""
    frame = frame.sort(["callid", "t", "line_no"])
    ev, t = pl.col("ev"), pl.col("t")
    connect_t = t.filter(ev == "CONNECT").first()
    exits = ev.is_in(EXIT_EVENTS)
    last_exit_t = t.filter(exits).last()
    waittime = (
        pl.when(ev == "EXITWITHKEY").then(pl.col("data4")).when(ev == "RINGCANCELED").then(None)
        .otherwise(pl.col("data3"))
    )  # fmt: skip
    calltime = pl.when(ev.is_in(COMPLETE_EVENTS)).then(pl.col("data2")).otherwise(pl.col("data4"))
    done = ev.is_in(COMPLETE_EVENTS + TRANSFER_EVENTS)
    return textio.group_calls(
        frame,
        "callid",
        first_enter=t.filter(ev == "ENTERQUEUE").min(),
        last_enter=t.filter(ev == "ENTERQUEUE").max(),
        queues=pl.col("queuename").filter(ev == "ENTERQUEUE"),
        caller=pl.col("data2").filter(ev == "ENTERQUEUE").first(),
        did=pl.col("data1").filter(ev == "DID").first(),
        connect_t=connect_t,
        holdtime=textio.to_int(pl.col("data1")).filter(ev == "CONNECT").first(),
        enter_before_connect=t.filter((ev == "ENTERQUEUE") & (t <= connect_t)).max(),
        done_t=t.filter(done).first(),
        talk=textio.to_int(calltime).filter(done).first(),
        exit_ev=ev.filter(exits).last(),
        exit_t=last_exit_t,
        exit_wait=textio.to_int(waittime).filter(exits).last(),
        enter_before_exit=t.filter((ev == "ENTERQUEUE") & (t <= last_exit_t)).max(),
    )


def _switchboard(options: AdapterOptions) -> pl.Expr | None:
    """A switchboard call entered one of its queues."""
    if not options.switchboard_queues:
        return None
    return pl.col("queues").list.eval(pl.element().is_in(list(options.switchboard_queues))).list.any()


ANSWERED = pl.col("connect_t").is_not_null()
# No exit event, or an ENTERQUEUE after the last one: the call's end is not in the file.
ORPHAN = pl.col("exit_t").is_null() | (pl.col("last_enter") > pl.col("exit_t"))


def _wait() -> pl.Expr:
    """The holdtime (answered) or waittime (exit) queue_log logs, plus the time spent in earlier
    queues; from the event times when the field is missing. An orphan has none."""
    earlier_queues = textio.seconds_between(pl.col("enter_before_connect"), pl.col("first_enter"))
    earlier_queues_exit = textio.seconds_between(pl.col("enter_before_exit"), pl.col("first_enter"))
    return (
        pl.when(ANSWERED)
        .then(
            pl.coalesce(
                [
                    pl.col("holdtime") + earlier_queues,
                    textio.seconds_between(pl.col("connect_t"), pl.col("first_enter")),
                ]
            )
        )
        .when(~ORPHAN)
        .then(
            pl.coalesce(
                [
                    pl.col("exit_wait") + earlier_queues_exit,
                    textio.seconds_between(pl.col("exit_t"), pl.col("first_enter")),
                ]
            )
        )
    )


def _emit(calls: pl.DataFrame, *, epoch: bool) -> pl.DataFrame:
    """Epoch times are UTC, the database variant's stay naive; the call ends at its completion or
    its exit, and counts under the first queue it entered."""
    return textio.emit(
        calls,
        outcome=_outcome(),
        call_id="callid",
        stamp=textio.utc_text if epoch else textio.naive_text,
        started="first_enter",
        answered="connect_t",
        ended=pl.when(ANSWERED).then(pl.col("done_t")).otherwise(pl.col("exit_t")),
        talk="talk",
        wait=_wait(),
        queue=pl.col("queues").list.first(),
        dialled_number=pl.col("did"),
    )


def _outcome() -> pl.Expr:
    """A CONNECT is answered; an orphan is unknown; otherwise the last exit event decides."""
    return (
        pl.when(ANSWERED).then(pl.lit("answered"))
        .when(ORPHAN).then(pl.lit("unknown"))
        .when(pl.col("exit_ev").is_in(["ABANDON", "RINGCANCELED", "EXITWITHKEY"])).then(pl.lit("abandoned"))
        .when(pl.col("exit_ev") == "EXITWITHTIMEOUT").then(pl.lit("timeout"))
        .otherwise(pl.lit("failed"))
    )  # fmt: skip


ADAPTER = QueueLogAdapter()
