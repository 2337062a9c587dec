"""Microsoft Teams PSTN usage export (Calling Plans or Direct Routing tab): one header line, UTC.

Header names vary between portal versions (`Time stamp (UTC)` / `UTC time`, `Duration (seconds)`),
so they are matched after dropping case, spaces, punctuation and parenthesised units.

Merge rules:
- One call = the rows sharing `Shared correlation ID` (links a call-queue transfer to the agent's
  leg), else `Correlation ID` (Direct Routing), else `Call ID` (Calling Plans).
- Direction from `Call type`: `*_in` and `*ucap_in` (auto attendant / call queue resource accounts)
  are kept; outbound types are filtered, as are conference dial-ins (`conf_in`).
- Forked `Attempt` rows with SIP 487 / subcode 540200 ("completed elsewhere") are other devices of a
  simultaneous ring, not missed calls: filtered.
- Answered (by a person): a successful row (`Event type` Success, or a Calling Plans row with a
  duration) on a user leg. A call that only reached a call-queue or auto-attendant bot is `Success`
  even when no agent answered: without the call-queue report its outcome is `unknown` (noticed).
- Not answered, by the final SIP code: 486/600/603 → busy; 487 (caller cancelled) → abandoned;
  408/480 → timeout; other codes → failed; a Calling Plans row with no duration → abandoned.
- started_at = Invite time (else Start time, else Time stamp); answered_at = the person's Start
  time; wait_s = answered − started; talk_s = Duration of that row.
- Time: UTC, emitted with `+00:00`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import partitioned, textio
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile

ALIASES = {
    "timestamp": "ts", "utctime": "ts", "timestamputc": "ts", "starttime": "start", "invitetime": "invite",
    "failuretime": "failure", "endtime": "end", "calltype": "call_type", "callernumber": "caller",
    "calledfrom": "caller", "calleenumber": "callee", "calledto": "callee", "duration": "duration",
    "eventtype": "event", "finalsipcode": "sip", "finalmicrosoftsubcode": "subcode", "callid": "call_id",
    "correlationid": "correlation", "sharedcorrelationid": "shared", "displayname": "display",
}  # fmt: skip
INBOUND = ["user_in", "ucap_in", "dr_in", "dr_in_ucap"]
TS_FORMATS = (
    *textio.DEFAULT_TS_FORMATS,
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
)


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\([^)]*\)", "", name.lower()))


def _ts(col: str) -> pl.Expr:
    bare = pl.col(col).str.strip_chars().str.replace(r"(Z|[+-]00:?00)$", "")
    return textio.parse_ts(bare, TS_FORMATS)


class TeamsAdapter:
    name = "teams"
    description = "Microsoft Teams PSTN / Direct Routing usage export (header, UTC)"

    def sniff(self, head: str) -> bool:
        cols = {ALIASES.get(normalise(h), "") for h in textio.header_cells(head)}
        return (
            "call_type" in cols and bool(cols & {"correlation", "call_id"}) and bool(cols & {"ts", "start"})
        )

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        records, columns = _open(path, options)
        table = textio.records_to_table(records, columns)
        return _merge(table.with_frame(_shaped(table.frame)), options, self.name)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        """`parse` in bounded memory: a call's legs share its key (see _keyed)."""
        records, columns = _open(path, options)
        plan = partitioned.Plan(
            records,
            columns,
            shape=_shaped,
            key=_call_key(),
            decide=lambda _con, _tallies: lambda table: _merge(table, options, self.name),
        )
        return partitioned.stage_partitioned(con, plan, sizes)


def _open(path: Path, options: AdapterOptions) -> tuple[Iterator[textio.Record], list[str]]:
    """The data records and their column names (known names by ALIASES, others by position)."""
    lines = textio.file_head(path, 1)
    delimiter = textio.sniff_delimiter(lines[0])
    records = textio.iter_records(path, delimiter=delimiter, limits=options.limits)
    names = [ALIASES.get(normalise(h), "") for h in next(records).fields]
    columns = [n if n and names.index(n) == i else f"_{i}" for i, n in enumerate(names)]
    if "call_type" not in columns:
        raise FormatError(f"{path.name}: Teams export without a Call type column")
    return records, columns


def _shaped(frame: pl.DataFrame) -> pl.DataFrame:
    return textio.with_missing(frame, ALIASES.values())


def _merge(table: textio.Table, options: AdapterOptions, fmt: str) -> ParsedFile:
    """The merge rules of the module docstring, one named step each."""
    ledger = textio.Ledger(table)
    frame = ledger.reject_unreadable(_typed(table.frame), "started", "time stamp")
    forked = (pl.col("ev") == "attempt") & (pl.col("sip_i") == 487) & (pl.col("sub_i") == 540200)
    frame = ledger.filter(frame, forked, "forked attempt completed elsewhere (487/540200)")
    frame = ledger.filter(frame, ~pl.col("ctype").is_in(INBOUND), _not_inbound_reason())
    calls = _emit(_grouped(_keyed(frame)))
    bot_only = calls.filter(pl.col("outcome") == "unknown").height
    if bot_only:
        ledger.notices.append(
            f"{bot_only} call(s) answered only by a call-queue/auto-attendant bot: outcome unknown "
            "without the call-queue report"
        )
    return ledger.parsed(calls, fmt=fmt, source_system="teams", direction_known=True)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Call type and event in lower case, SIP codes and duration as integers, UTC times; a leg
    started at its Invite time, else its Start time, else its Time stamp."""
    return frame.with_columns(
        ctype=pl.col("call_type").str.to_lowercase().str.strip_chars().fill_null(""),
        ev=pl.col("event").str.to_lowercase().str.strip_chars(),
        sip_i=textio.to_int("sip"),
        sub_i=textio.to_int("subcode"),
        dur=textio.to_int("duration").fill_null(0),
        t_invite=_ts("invite"),
        t_start=_ts("start"),
        t_ts=_ts("ts"),
        t_end=pl.coalesce([_ts("end"), _ts("failure")]),
    ).with_columns(started=pl.coalesce(["t_invite", "t_start", "t_ts"]))


def _not_inbound_reason() -> pl.Expr:
    """Why a row is not an inbound call: a conference dial-in, an outbound call, or a type we do
    not know."""
    why = (
        pl.when(pl.col("ctype") == "conf_in").then(pl.lit("conference dial-in"))
        .when(pl.col("ctype").str.contains("out")).then(pl.lit("outbound call"))
        .otherwise(pl.lit("unknown call type"))
    )  # fmt: skip
    return why + " (" + pl.col("ctype") + ")"


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """One call = Shared correlation ID, else Correlation ID, else Call ID, else the line alone;
    `bot` marks auto-attendant / call-queue legs, `ok` a successful leg."""
    return frame.with_columns(
        key=_call_key(),
        bot=pl.col("ctype").str.contains("ucap"),
        ok=(pl.col("ev") == "success") | (pl.col("ev").is_null() & (pl.col("dur") > 0)),
    ).sort(["key", "started", "line_no"])


def _call_key() -> pl.Expr:
    return pl.coalesce(
        ["shared", "correlation", "call_id", pl.lit("line-") + pl.col("line_no").cast(pl.String)]
    )


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    """Each call's legs: answered by a person when a user leg succeeded; the last failed leg's SIP
    code decides otherwise."""
    person = pl.col("ok") & ~pl.col("bot")
    return textio.group_calls(
        frame,
        "key",
        started=pl.col("started").min(),
        ended=pl.col("t_end").max(),
        person=person.any(),
        # Calling Plans rows have no answer time: answered_at and wait_s stay empty there.
        answered=pl.col("t_start").filter(person).min(),
        talk=pl.col("dur").filter(person).first(),
        bot_ok=(pl.col("ok") & pl.col("bot")).any(),
        last_sip=pl.col("sip_i").filter(~pl.col("ok")).last(),
        dialled=pl.col("callee").first(),
        caller=pl.col("caller").first(),
        queue=pl.col("display").filter(pl.col("bot")).first(),
    )


def _emit(calls: pl.DataFrame) -> pl.DataFrame:
    """UTC times; an abandoned caller waited until the last leg ended."""
    return textio.emit(
        calls,
        outcome=_outcome(),
        stamp=textio.utc_text,
        waits_until_hangup=("abandoned",),
        dialled_number=pl.col("dialled"),
    )


def _outcome() -> pl.Expr:
    """The module docstring's outcome rules; a call only a bot answered is unknown."""
    sip = pl.col("last_sip")
    return (
        pl.when(pl.col("person")).then(pl.lit("answered"))
        .when(pl.col("bot_ok")).then(pl.lit("unknown"))
        .when(sip.is_in([486, 600, 603])).then(pl.lit("busy"))
        .when(sip.is_in([487]) | sip.is_null()).then(pl.lit("abandoned"))
        .when(sip.is_in([408, 480])).then(pl.lit("timeout"))
        .otherwise(pl.lit("failed"))
    )  # fmt: skip


ADAPTER = TeamsAdapter()
