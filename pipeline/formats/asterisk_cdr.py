"""Asterisk `cdr_csv` (Master.csv): no header, 16 to 21 columns depending on cdr.conf.

Layout by field count: 16 base fields; 17 adds `uniqueid` or `userfield` (told apart by the shape
`<epoch>.<counter>`); 18 is the stock sample config (`uniqueid`, `userfield`); 19 adds
`peeraccount, linkedid, sequence` to the base; 20 and 21 combine both. Records of another count in
the same file are rejected with a reason.

Merge rules:
- One call = the records sharing `linkedid`; without linkedid, those sharing `uniqueid` (Party A's
  channel stays the same across queue, ring-group and transfer records); with neither, each record
  is a call (notice). Without linkedid, `Local/…;2` half-channel records cannot be tied to their
  call and are filtered with a reason.
- Answered (by a person): some record has `lastapp` Dial/Queue/FollowMe/RetryDial or Stasis (an
  ARI app), a `dstchannel` that is a phone or trunk, `ANSWERED` and `billsec > 0`. `ANSWERED` alone
  only says the PBX picked up (Playback, BackGround IVR, Queue, VoiceMail, an ARI app on its own),
  and a `dstchannel` of the PBX's own (Announcer/, Recorder/, Snoop/, UnicastRTP/ and other ARI
  external media, FreePBX's `Local/vmu201@…` voicemail) is not a person either.
- Otherwise, in this order: a `VoiceMail` record or a `Local/vm…` voicemail channel → voicemail; a `Queue` record that lasted at least
  the timeout given in its `lastdata` (`queue,options,URL,announce,timeout`) with no member bridged
  → timeout; `BUSY` → busy; `FAILED`/`CONGESTION` → failed; the PBX answered with
  `Playback`/`Hangup` and nothing was dialled or queued → closed (announcement); disposition
  `UNKNOWN` → unknown; else abandoned (including a caller who hung up in an IVR menu).
- wait_s = the person's answer − the earliest start of the group (IVR and queue time included);
  for abandoned and timeout, the last end − the earliest start. talk_s = `billsec` of that record.
- Time zone: `usegmtime` decides, and the file does not say. When `uniqueid` is logged its epoch
  prefix (channel creation, UTC) is compared with `start`: equal → UTC (emitted with `+00:00`);
  otherwise server local time, emitted naive for `--source-tz`. Without uniqueid: naive.
- Filtered: groups whose first record's `dcontext` is not a switchboard context, when contexts are
  configured (switchboard numbers are the ingest's filter on `dst`). Direction is not in the format.

Two implementations of these rules: `parse` (polars, the whole file in memory) for `callstats
inspect` and as the reference, and `stage` (asterisk_cdr_stage.py: DuckDB, bounded memory) for the
ingest. tests/formats/test_format_asterisk_stage.py holds them to the same output; a rule changed
in one is changed in both.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import textio
from pipeline.formats.base import AdapterOptions, FormatError, FrameStaging, ParsedFile, RowIssue

BASE = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
)  # fmt: skip
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "UNKNOWN"}
UNIQUEID_RE = re.compile(r"^\d{9,11}\.\d+$")
# Apps that can bridge the caller to a person; ARI apps (Stasis) only when they bridge a phone.
PERSON_APPS = ["dial", "queue", "followme", "retrydial", "stasis"]
# Channels the PBX itself answers with: announcers, recorders, snoops, ARI external media (voice
# bots), and FreePBX's voicemail through a Local channel (`Local/vmu201@from-internal`).
SOFTWARE_CHANNEL_RE = r"^(Announcer|Recorder|Snoop|CBAnn|CBRec|UnicastRTP|AudioSocket|WebSocket|Multicast)/"
VOICEMAIL_CHANNEL_RE = r"^Local/vm[ubsi]?\d+@"
ANNOUNCE_APPS = ["playback", "hangup"]
# A file whose uniqueid epochs sit this close to `start` was written with usegmtime=yes.
UTC_TOLERANCE_S = 300


def layout(n_fields: int, col17: list[str]) -> tuple[str, ...]:
    if n_fields == 16:
        return BASE
    if n_fields == 18:
        return (*BASE, "uniqueid", "userfield")
    if n_fields == 19:
        return (*BASE, *NEW_COLUMNS)
    if n_fields == 21:
        return (*BASE, "uniqueid", "userfield", *NEW_COLUMNS)
    if n_fields in (17, 20):
        shaped = sum(1 for v in col17 if UNIQUEID_RE.match(v))
        extra = "uniqueid" if shaped * 2 > len(col17) else "userfield"
        return (*BASE, extra) if n_fields == 17 else (*BASE, extra, *NEW_COLUMNS)
    raise FormatError(f"Asterisk Master.csv has 16 to 21 columns, this file has {n_fields}")


def _looks_like_cdr(fields: list[str]) -> bool:
    return (
        16 <= len(fields) <= 21
        and bool(textio.DATETIME_RE.match(fields[9]))
        and bool(textio.DATETIME_RE.match(fields[11]))
        and (fields[10] == "" or bool(textio.DATETIME_RE.match(fields[10])))
        and bool(textio.INT_RE.match(fields[12]))
        and bool(textio.INT_RE.match(fields[13]))
        and fields[14].upper() in DISPOSITIONS | {""}
    )


class AsteriskCdrAdapter(FrameStaging):
    name = "asterisk_cdr"
    description = "Asterisk cdr_csv Master.csv (no header, 16–21 columns)"

    def sniff(self, head: str) -> bool:
        lines = textio.head_lines(head, 10)
        return textio.shape_holds(lines, lambda line: _looks_like_cdr(textio.split_line(line)))

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        """The whole file in polars: for `callstats inspect`, and the reference `stage` must match."""
        columns = file_layout(path)
        table = textio.records_to_table(textio.iter_records(path, limits=options.limits), columns)
        return merge(table, columns, options, self.name)

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions) -> ParsedFile:
        """The file into the temp table `staged` through DuckDB, in bounded memory (the ingest)."""
        from pipeline.formats import asterisk_cdr_stage

        return asterisk_cdr_stage.stage(con, path, options, self.name)


def file_layout(path: Path) -> tuple[str, ...]:
    """The file's columns, from the field count most of its first 50 lines have."""
    sample = [textio.split_line(line) for line in textio.head_lines(textio.read_head(path), 50)]
    sample = [s for s in sample if 16 <= len(s) <= 21]
    if not sample:
        raise FormatError(f"{path.name}: no Asterisk CDR records (16 to 21 columns) found")
    counts = [len(s) for s in sample]
    width = max(set(counts), key=counts.count)
    return layout(width, [s[16] for s in sample if len(s) == width and width in (17, 20)])


def _timezone(frame: pl.DataFrame, has_uniqueid: bool, options: AdapterOptions) -> tuple[bool, str]:
    if options.source_tz or not has_uniqueid:
        return zone_from(None, has_uniqueid, options)
    offsets = frame.select(zone_offset_s().alias("off"))["off"].drop_nulls()
    median = float(offsets.cast(pl.Float64).median() or 0.0) if offsets.len() else None  # type: ignore[arg-type]
    return zone_from(median, has_uniqueid, options)


def zone_offset_s() -> pl.Expr:
    """Seconds from a record's uniqueid epoch to its start (`start_dt`): the time-zone evidence."""
    return pl.col("start_dt").dt.epoch("s") - pl.col("uniqueid").str.extract(r"^(\d+)\.").cast(
        pl.Int64, strict=False
    )


def zone_from(median: float | None, has_uniqueid: bool, options: AdapterOptions) -> tuple[bool, str]:
    """UTC or server local time, and the notice saying why, from the median of zone_offset_s over
    the file (None when no record has one)."""
    # An explicit --source-tz is the user's word and wins. Without it, evidence from the file beats
    # the default: a UTC file read as local time would shift every call near midnight.
    if options.source_tz:
        return False, f"times read as {options.source_tz} (--source-tz)"
    if not has_uniqueid:
        return False, "no uniqueid column: times taken as server local time (--source-tz)"
    if median is None:
        return False, "uniqueid unreadable: times taken as server local time (--source-tz)"
    return zone_verdict(median)


def zone_verdict(median: float) -> tuple[bool, str]:
    """UTC or server local time, from the median of `start` − uniqueid epoch (seconds)."""
    if abs(median) <= UTC_TOLERANCE_S:
        return True, "uniqueid epochs match start: times read as UTC (usegmtime=yes)"
    hours = median / 3600
    return False, f"start is {hours:+.1f} h from uniqueid epochs: times read as server local (--source-tz)"


def call_key(has: set[str] | frozenset[str]) -> pl.Expr:
    """One call = linkedid, else uniqueid, else channel + start; else the line alone."""
    if "linkedid" in has:
        key = pl.coalesce([pl.col("linkedid"), pl.col("uniqueid") if "uniqueid" in has else None])
    elif "uniqueid" in has:
        key = pl.col("uniqueid")
    else:
        # Channel names carry a per-run counter, so channel + start is a stable natural key.
        key = pl.concat_str([pl.col("channel"), pl.col("start")], separator="@")
    return pl.coalesce([key, pl.lit("line-") + pl.col("line_no").cast(pl.String)])


def merge(
    table: textio.Table,
    columns: tuple[str, ...],
    options: AdapterOptions,
    fmt: str,
    *,
    zone: tuple[bool, str] | None = None,
) -> ParsedFile:
    """`zone` is the time-zone verdict when it was taken over a larger whole than this table."""
    frame = table.frame
    rejected = list(table.rejected)
    filtered: list[RowIssue] = []
    notices: list[str] = []
    has = set(columns)
    frame = frame.with_columns(
        start_dt=textio.parse_ts("start"),
        answer_dt=textio.parse_ts("answer"),
        end_dt=textio.parse_ts("end"),
        billsec_i=textio.to_int("billsec").fill_null(0),
        duration_i=textio.to_int("duration").fill_null(0),
        app=pl.col("lastapp").str.to_lowercase().fill_null(""),
        disp=pl.col("disposition").str.to_uppercase().str.strip_chars().fill_null("NO ANSWER"),
        seq_i=textio.to_int("sequence") if "sequence" in has else pl.lit(None, pl.Int64),
    )
    bad = frame.filter(pl.col("start_dt").is_null())
    rejected += textio.issues(bad, "unreadable start time")
    frame = frame.filter(pl.col("start_dt").is_not_null())

    if "linkedid" not in has and "uniqueid" in has:
        half = frame.filter(pl.col("channel").str.starts_with("Local/").fill_null(False))
        filtered += textio.issues(half, "Local channel half-leg without linkedid: cannot be tied to its call")
        frame = frame.filter(~pl.col("channel").str.starts_with("Local/").fill_null(False))
    elif "linkedid" not in has:
        notices.append("no linkedid or uniqueid logged: each record counted as one call")
    frame = frame.with_columns(key=call_key(has))

    utc, note = zone if zone is not None else _timezone(frame, "uniqueid" in has, options)
    notices.append(note)

    frame = frame.sort(["key", "seq_i", "start_dt", "line_no"], nulls_last=True)
    dstchannel = pl.col("dstchannel").fill_null("")
    vm_channel = dstchannel.str.contains(VOICEMAIL_CHANNEL_RE)
    person = (
        pl.col("app").is_in(PERSON_APPS)
        & pl.col("dstchannel").is_not_null()
        & ~dstchannel.str.contains(SOFTWARE_CHANNEL_RE)
        & ~vm_channel
        & (pl.col("disp") == "ANSWERED")
        & (pl.col("billsec_i") > 0)
    )
    queue_timeout = (
        pl.col("lastdata").str.split(",").list.get(4, null_on_oob=True).cast(pl.Int64, strict=False)
    )
    timed_out = (
        (pl.col("app") == "queue")
        & pl.col("dstchannel").is_null()
        & (queue_timeout > 0)
        & (pl.col("duration_i") >= queue_timeout)
    )
    calls = frame.group_by("key", maintain_order=True).agg(
        line_no=pl.col("line_no").min(),
        n=pl.len(),
        started=pl.col("start_dt").min(),
        ended=pl.col("end_dt").max(),
        answered=pl.col("answer_dt").filter(person).min(),
        talk=pl.col("billsec_i").filter(person).sort_by(pl.col("answer_dt").filter(person)).first(),
        voicemail=((pl.col("app") == "voicemail") | vm_channel).any(),
        timeout=timed_out.fill_null(False).any(),
        busy=(pl.col("disp") == "BUSY").any(),
        failed=pl.col("disp").is_in(["FAILED", "CONGESTION"]).any(),
        dialled=pl.col("app").is_in(["dial", "queue", "followme", "retrydial"]).any(),
        announced=(pl.col("app").is_in(ANNOUNCE_APPS) & (pl.col("disp") == "ANSWERED")).any(),
        unknown=(~pl.col("disp").is_in(list(DISPOSITIONS - {"UNKNOWN"}))).any(),
        queue=pl.col("lastdata").filter(pl.col("app") == "queue").first().str.split(",").list.first(),
        dst=pl.col("dst").first(),
        dcontext=pl.col("dcontext").first(),
        # The arriving channel without its per-call counter: 'PJSIP/telia-0000001a' → 'PJSIP/telia'.
        channel_prefix=pl.col("channel").first().str.replace(r"-[0-9a-fA-F]+(;\d+)?$", ""),
        caller=pl.col("src").first(),
        lines=pl.col("line_no"),
        raws=pl.col("raw"),
    )

    keep = pl.lit(True)
    if options.switchboard_contexts:
        keep = keep & pl.col("dcontext").is_in(list(options.switchboard_contexts)).fill_null(False)
    dropped = calls.filter(~keep)
    for ctx, dst, lines, raws in dropped.select("dcontext", "dst", "lines", "raws").iter_rows():
        reason = f"not a switchboard call (context {ctx}, dst {dst})"
        filtered += [RowIssue(int(n), str(r), reason) for n, r in zip(lines, raws, strict=True)]
    calls = calls.filter(keep)

    outcome = (
        pl.when(pl.col("answered").is_not_null()).then(pl.lit("answered"))
        .when(pl.col("voicemail")).then(pl.lit("voicemail"))
        .when(pl.col("timeout")).then(pl.lit("timeout"))
        .when(pl.col("busy")).then(pl.lit("busy"))
        .when(pl.col("failed")).then(pl.lit("failed"))
        .when(pl.col("announced") & ~pl.col("dialled")).then(pl.lit("closed"))
        .when(pl.col("unknown")).then(pl.lit("unknown"))
        .otherwise(pl.lit("abandoned"))
    )  # fmt: skip
    stamp = textio.utc_text if utc else textio.naive_text
    calls = calls.with_columns(outcome=outcome).with_columns(
        call_id=pl.col("key"),
        started_at=stamp(pl.col("started")),
        answered_at=stamp(pl.col("answered")),
        ended_at=stamp(pl.col("ended")),
        wait_s=textio.wait_text(
            pl.col("outcome") == "answered",
            pl.col("answered"),
            pl.col("outcome").is_in(["abandoned", "timeout"]),
            pl.col("started"),
            pl.col("ended"),
        ),
        talk_s=pl.when(pl.col("outcome") == "answered").then(textio.seconds_text(pl.col("talk"))),
        dialled_number=pl.when(pl.col("dst").is_in(["s", "t", "h", "i"])).then(None).otherwise(pl.col("dst")),
    )
    return textio.merged_result(
        calls,
        table,
        fmt=fmt,
        source_system="asterisk",
        rejected=rejected,
        filtered=filtered,
        notices=notices,
        direction_known=False,
    )


ADAPTER = AsteriskCdrAdapter()
