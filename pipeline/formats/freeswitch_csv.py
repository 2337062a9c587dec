"""FreeSWITCH `mod_cdr_csv`: no header, layout set by a template. Three stock layouts are read:

- `example` template, 15 quoted fields: caller_id_name, caller_id_number, destination_number,
  context, start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid,
  accountcode, read_codec, write_codec;
- the compiled-in default, the first 13 of those, with a space before the last quoted field
  (read with spaces allowed before quotes);
- the `sql` template: `INSERT INTO cdr VALUES (…);` per line with the 13 default values.
A spreadsheet round trip (quotes gone, dates `YYYY/M/D H:MM`) still reads.

Merge rules:
- One call = the A-leg `uuid`. With `legs=ab` a B-leg record (its `uuid` is some record's
  `bleg_uuid`) is merged into its A leg; a repeated `uuid` (spreadsheet copies) is merged too.
- Loopback legs: the stock dialplan sends an unanswered extension to `loopback/app=voicemail`
  (likewise `app=ivr`, `app=conference`, `app=playback`, …). FreeSWITCH answers the A leg itself and
  bridges it to the loopback pair, and with `legs=a` the loopback's inbound half is a record of its
  own: same caller number, destination the app name, starting after the A leg's answer and ending
  in the same second. It is merged into that A leg (the latest match), never a call of its own; one
  whose A leg is not in the file is filtered with a reason. With `legs=ab` the loopback's outbound
  half is the A leg's B leg, named after the app in the same way.
- Answered (by a person): the A leg was bridged (`bleg_uuid` set, or a B-leg record exists) and
  answered (`billsec > 0` or `answer_stamp` set), and not to a loopback leg. Answered with no
  bridge means the PBX itself answered (IVR, announcement): not a person. A loopback to voicemail
  → voicemail; to playback → closed; to an IVR, conference or other app → abandoned.
- Otherwise by `hangup_cause`: USER_BUSY → busy; NO_ANSWER / NO_USER_RESPONSE /
  RECOVERY_ON_TIMER_EXPIRE → timeout; ORIGINATOR_CANCEL, NORMAL_CLEARING, LOSE_RACE and the other
  caller-side clearings → abandoned; every other cause → failed. `NORMAL_CLEARING` never means
  answered on its own.
- wait_s = answer (the B leg's, when logged) − A-leg start; abandoned: end − start.
  talk_s = billsec of the B leg when logged, else of the A leg.
- Time: `*_stamp` is host local time with no offset: emitted naive for `--source-tz`.
- Direction is not in the stock templates. Filtered only when configured: contexts (e.g. `public`);
  switchboard numbers are the ingest's filter on `destination_number`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline import store
from pipeline.formats import partitioned, textio
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile, ReadLimits

COLUMNS = (
    "caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
    "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
    "accountcode", "read_codec", "write_codec",
)  # fmt: skip
# The fields the merge reads; the others (caller name, duration, account code, codecs) are never collected.
NEEDED = [
    "caller_id_number", "destination_number", "context", "start_stamp", "answer_stamp", "end_stamp",
    "billsec", "hangup_cause", "uuid", "bleg_uuid",
]  # fmt: skip
# Apps a loopback leg runs when FreeSWITCH answers a call itself (`loopback/app=NAME`).
LOOPBACK_APPS = ["voicemail", "ivr", "conference", "playback", "park", "valet_park", "lua", "javascript"]
ANNOUNCE_APPS = ["playback"]
SQL_RE = re.compile(r"^\s*INSERT\s+INTO\s+\w+\s+VALUES\s*\((.*)\)\s*;?\s*$", re.IGNORECASE)
CAUSE_RE = re.compile(r"^[A-Z0-9_]+$")
BUSY = ["USER_BUSY"]
TIMEOUT = ["NO_ANSWER", "NO_USER_RESPONSE", "RECOVERY_ON_TIMER_EXPIRE", "ALLOTTED_TIMEOUT"]
CALLER_CLEARED = [
    "ORIGINATOR_CANCEL", "NORMAL_CLEARING", "LOSE_RACE", "PICKED_OFF", "NORMAL_UNSPECIFIED",
    "ATTENDED_TRANSFER", "BLIND_TRANSFER", "",
]  # fmt: skip
NOTICE = "FreeSWITCH *_stamp times are host local time: read as --source-tz"


def _fields(line: str) -> list[str]:
    match = SQL_RE.match(line)
    body = match.group(1) if match else line
    return textio.split_line(body, skipinitialspace=True)


def _looks_like_freeswitch(fields: list[str]) -> bool:
    return (
        len(fields) in (13, 15)
        and bool(textio.DATETIME_RE.match(fields[4].strip()))
        and (not fields[5].strip() or bool(textio.DATETIME_RE.match(fields[5].strip())))
        and bool(textio.INT_RE.match(fields[7].strip()))
        and bool(CAUSE_RE.match(fields[9].strip()))
        and len(fields[10].strip()) >= 8
    )


def _sql_records(path: Path, limits: ReadLimits) -> Iterator[textio.Record]:
    for rec in textio.iter_records(path, delimiter="\x00", quotechar=None, limits=limits):
        if rec.issue is not None:
            yield rec
            continue
        line = rec.fields[0]
        match = SQL_RE.match(line)
        fields = next(csv.reader([match.group(1)], skipinitialspace=True)) if match else ["<not an INSERT>"]
        yield textio.Record(rec.line_no, rec.raw, fields)


class FreeswitchAdapter:
    name = "freeswitch_csv"
    description = "FreeSWITCH mod_cdr_csv (example / default / sql templates)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 10)
        return textio.shape_holds(lines, lambda line: _looks_like_freeswitch(_fields(line)))

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        records, columns = _open(path, options)
        return _merge(textio.records_to_table(records, columns, only=NEEDED), options, self.name)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        """`parse` in bounded memory. Which call a record belongs to is not a function of the
        record alone (a B leg is keyed by the first record naming it, a loopback leg by the latest
        A leg it may serve), so the partitions are cut after the whole file is read: `_regroup`
        links, in SQL, every pair of uuids the merge might put into one call, and each connected
        group of uuids is merged in one partition by `_merge`, unchanged."""
        records, columns = _open(path, options)
        plan = partitioned.Plan(
            records,
            columns,
            shape=_with_key_columns,
            key=pl.col("line_no"),
            only=NEEDED,
            decide=lambda _con, _tallies: lambda table: _merge(table, options, self.name),
            regroup=_regroup,
        )
        return partitioned.stage_partitioned(con, plan, sizes)


def _open(path: Path, options: AdapterOptions) -> tuple[Iterator[textio.Record], list[str]]:
    """The file's records (plain or `sql` template) and the column names of its layout."""
    lines = textio.file_head(path, 50)
    sql = bool(textio.usual(bool(SQL_RE.match(line)) for line in lines))
    width = textio.usual(len(_fields(line)) for line in lines) or 0
    if width not in (13, 15):
        raise FormatError(f"{path.name}: FreeSWITCH stock templates have 13 or 15 fields, found {width}")
    records = (
        _sql_records(path, options.limits)
        if sql
        else textio.iter_records(path, skipinitialspace=True, limits=options.limits)
    )
    return records, list(COLUMNS[:width])


def _with_key_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """A chunk with what `_regroup` links records by, typed as `_typed` types them: the stamps,
    whether the merge reads the record at all (`key_readable`), and whether its destination is a
    loopback app."""
    return frame.with_columns(
        key_start=textio.parse_ts("start_stamp"),
        key_answer=textio.parse_ts("answer_stamp"),
        key_end=textio.parse_ts("end_stamp"),
        key_loop=_loopback_app().is_in(LOOPBACK_APPS).fill_null(False),
    ).with_columns(key_readable=pl.col("key_start").is_not_null() & pl.col("uuid").is_not_null())


def _regroup(con: duckdb.DuckDBPyConnection) -> None:
    """`partition_keys` for the spilled records: the call graph's components (call_graph.sql),
    labelled in rounds until no label moves."""
    store.execute_script(con, store.sql_text("formats/freeswitch_csv/call_graph.sql"))
    step = store.sql_text("formats/freeswitch_csv/call_graph_step.sql")
    changed = store.sql_text("formats/freeswitch_csv/call_graph_changed.sql")
    moved = True
    while moved:
        store.execute_script(con, step)
        row = store.fetch_one(con, changed)
        moved = row is not None and row[0] > 0
    store.execute_script(con, store.sql_text("formats/freeswitch_csv/call_graph_keys.sql"))


def _merge(table: textio.Table, options: AdapterOptions, fmt: str) -> ParsedFile:
    """The merge rules of the module docstring, one named step each."""
    ledger = textio.Ledger(table, notices=[NOTICE])
    frame = ledger.reject(
        _typed(table.frame),
        pl.col("start").is_null() | pl.col("uuid").is_null(),
        "unreadable start_stamp or missing uuid",
    )
    calls = _grouped(_merge_loopback_legs(_keyed(frame)))
    calls = ledger.filter_calls(
        calls,
        pl.col("started").is_not_null() | pl.col("loop_app").is_null(),
        lambda call: f"loopback leg ({call['loop_app']}) whose call is not in the file",
    )
    calls = ledger.filter_calls(calls, _switchboard(options), _not_switchboard_reason)
    return ledger.parsed(_emit(calls), fmt=fmt, source_system="freeswitch", direction_known=False)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Stamps as naive datetimes, billsec as an integer, the hangup cause in upper case."""
    return frame.with_columns(
        start=textio.parse_ts("start_stamp"),
        answer=textio.parse_ts("answer_stamp"),
        end=textio.parse_ts("end_stamp"),
        billsec_i=textio.to_int("billsec").fill_null(0),
        cause=pl.col("hangup_cause").str.to_uppercase().fill_null(""),
    )


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """One call = the A leg's uuid: a record whose uuid is another's `bleg_uuid` is that call's B
    leg (`is_b`)."""
    a_of_b = (
        frame.filter(pl.col("bleg_uuid").is_not_null() & (pl.col("bleg_uuid") != pl.col("uuid")))
        .select(pl.col("bleg_uuid").alias("uuid"), pl.col("uuid").alias("a_uuid"))
        .unique("uuid", keep="first")
    )
    return frame.join(a_of_b, on="uuid", how="left", maintain_order="left").with_columns(
        key=pl.coalesce(["a_uuid", "uuid"]), is_b=pl.col("a_uuid").is_not_null()
    )


def _merge_loopback_legs(frame: pl.DataFrame) -> pl.DataFrame:
    """Merge each loopback leg into the call it serves, as `loop_app` on that record.

    The stock dialplan sends an unanswered extension to `loopback/app=voicemail`: FreeSWITCH answers
    the A leg itself and bridges it to a loopback pair, and with `legs=a` the loopback's inbound
    half is written as a record of its own: the caller's number, destination `voicemail` (the app),
    starting after the A leg's answer and ending with it. Such a record belongs to the A leg with
    the same caller number that was bridged and answered before it started and ended within a
    second of it (the latest such A leg, if several).
    """
    app = _loopback_app()
    # mod_loopback gives both halves the app's name as destination_number. With legs=ab the
    # outbound half is already the A leg's B leg (its uuid is the A leg's bleg_uuid): only marked.
    loop = app.is_in(LOOPBACK_APPS) & (pl.col("bleg_uuid").is_null() | pl.col("is_b"))
    frame = frame.with_row_index("_row").with_columns(loop_app=pl.when(loop).then(app))
    legs = frame.filter(loop & ~pl.col("is_b")).select(
        "_row", "caller_id_number", l_start="start", l_end="end"
    )
    hosts = frame.filter(
        pl.col("loop_app").is_null() & ~pl.col("is_b") & pl.col("bleg_uuid").is_not_null()
    ).select(
        "caller_id_number", host="key", h_start="start", h_answer="answer", h_end="end", h_line="line_no"
    )
    matched = (
        legs.join(hosts, on="caller_id_number")
        .filter(
            (pl.col("l_start") >= pl.coalesce(["h_answer", "h_start"]))
            & (pl.col("l_start") <= pl.col("h_end"))
            & ((pl.col("l_end") - pl.col("h_end")).dt.total_seconds().abs() <= 1)
        )
        # The latest A leg; of two that started in the same second, the later in the file.
        .sort(["_row", "h_start", "h_line"], descending=[False, True, True])
        .unique("_row", keep="first")
        .select("_row", "host")
    )
    return (
        frame.join(matched, on="_row", how="left", maintain_order="left")
        .with_columns(key=pl.coalesce(["host", "key"]))
        .drop("host", "_row")
    )


def _loopback_app() -> pl.Expr:
    """The destination as a loopback app's name (`voicemail`, `ivr`, …), when it is one."""
    return pl.col("destination_number").str.to_lowercase().str.strip_chars()


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    """Each call's A leg (not a loopback leg) and B legs: when it started, whether it was bridged,
    each side's answer and billsec, and the A leg's cause."""
    frame = frame.sort(["key", "is_b", "start", "line_no"])
    a, b = ~pl.col("is_b") & pl.col("loop_app").is_null(), pl.col("is_b")
    a_answered = (pl.col("billsec_i") > 0) | pl.col("answer").is_not_null()
    return textio.group_calls(
        frame,
        "key",
        started=pl.col("start").filter(a).min(),
        ended=pl.col("end").max(),
        bridged=(pl.col("bleg_uuid").filter(a).is_not_null().any() | b.any()),
        a_answer=pl.col("answer").filter(a & a_answered).min(),
        a_billsec=pl.col("billsec_i").filter(a).max(),
        b_answer=pl.col("answer").filter(b).min(),
        b_billsec=pl.col("billsec_i").filter(b).max(),
        cause=pl.col("cause").filter(a).last(),
        any_busy=pl.col("cause").is_in(BUSY).any(),
        loop_app=pl.col("loop_app").drop_nulls().first(),
        dialled=pl.col("destination_number").filter(a).first(),
        context=pl.col("context").filter(a).first(),
        caller=pl.col("caller_id_number").filter(a).first(),
    )


def _switchboard(options: AdapterOptions) -> pl.Expr:
    """A call needs its A leg in the file, and, when configured, a switchboard context."""
    keep = pl.col("started").is_not_null()
    if options.switchboard_contexts:
        keep = keep & pl.col("context").is_in(list(options.switchboard_contexts)).fill_null(False)
    return keep


def _not_switchboard_reason(call: dict[str, Any]) -> str:
    if call["started"] is None:
        return "B leg whose A leg is not in the file"
    return f"not a switchboard call (context {call['context']}, destination {call['dialled']})"


# The answer of a call: the B leg's when it is logged, else the A leg's.
ANSWER_AT = pl.coalesce(["b_answer", "a_answer"])


def _emit(calls: pl.DataFrame) -> pl.DataFrame:
    """Host-local stamps stay naive; talk is the B leg's billsec when logged, else the A leg's."""
    return textio.emit(
        calls,
        outcome=_outcome(),
        stamp=textio.naive_text,
        answered=ANSWER_AT,
        talk=pl.coalesce(["b_billsec", "a_billsec"]),
        waits_until_hangup=("abandoned",),
        dialled_number=pl.col("dialled"),
    )


def _outcome() -> pl.Expr:
    """Answered by a person when bridged and answered, but not to a loopback leg (that is
    FreeSWITCH answering itself: voicemail, IVR, conference); otherwise the loopback app, then the
    hangup cause decide."""
    person = pl.col("bridged") & ANSWER_AT.is_not_null() & pl.col("loop_app").is_null()
    return (
        pl.when(person).then(pl.lit("answered"))
        .when(pl.col("loop_app") == "voicemail").then(pl.lit("voicemail"))
        .when(pl.col("loop_app").is_in(ANNOUNCE_APPS)).then(pl.lit("closed"))
        .when(pl.col("loop_app").is_not_null()).then(pl.lit("abandoned"))
        .when(pl.col("cause").is_in(BUSY) | pl.col("any_busy")).then(pl.lit("busy"))
        .when(pl.col("cause").is_in(TIMEOUT)).then(pl.lit("timeout"))
        .when(pl.col("cause").is_in(CALLER_CLEARED)).then(pl.lit("abandoned"))
        .otherwise(pl.lit("failed"))
    )  # fmt: skip


ADAPTER = FreeswitchAdapter()
