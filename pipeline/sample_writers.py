"""Write canonical calls out as real telephony exports, for `sample_formats/<format>/`.

Input: a polars frame with the canonical columns; `started_at` / `answered_at` / `ended_at` as
tz-aware datetimes or ISO text with an offset; `wait_s` / `talk_s` as integers or integer text.
Each writer produces what the real system would log for that call, several records where the
system writes several, so that reading the files back with the adapters gives the same calls
(same instants, hence the same local dates, and the same outcomes, wait and talk seconds).

What each outcome becomes is chosen to be what the adapter's documented merge rules recognise:
- Asterisk Master.csv (stock `cdr.conf.sample`: 18 columns, UTC): answered = the caller alone in
  `Queue` while waiting, then a `Queue` record bridged to an operator phone; abandoned = a `Queue`
  record with no member; timeout = a `Queue` record lasting its timeout argument; voicemail = an
  unanswered `Dial` to the operator, then `VoiceMail`; busy/failed = a `Dial` with BUSY/CONGESTION;
  closed = a `Playback` announcement; unknown = disposition UNKNOWN.
- Asterisk queue_log (same uniqueids, so both files name a call alike): calls that entered the
  queue (answered, abandoned, timeout, failed = EXITEMPTY, unknown = orphan ENTERQUEUE), with a
  `DID` event, and a RINGNOANSWER when the caller waited over 15 s. Busy, voicemail and closed calls
  never reached the queue and are only in Master.csv.
- CUCM: one end-of-call CDR per call, plus a second record for every fourth answered call, which
  the operator transferred on (talk_s is the operator's part, as defined).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.formats.cucm import FIELDS_133

TRUNK = "PJSIP/telia"
OPERATOR_PHONES = ("201", "202", "203", "204")
QUEUE_TIMEOUT_S = 300
RING_NO_ANSWER_S = 15


def _utc_frame(calls: pl.DataFrame) -> pl.DataFrame:
    def utc(col: str) -> pl.Expr:
        dtype = calls.schema.get(col)
        if dtype is None or dtype == pl.Null:
            return pl.lit(None, pl.Datetime("us", "UTC")).alias(col)
        if dtype == pl.String:
            return pl.col(col).str.to_datetime(time_unit="us", time_zone="UTC").alias(col)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
            raise ValueError(f"{col} must be tz-aware (or ISO text with an offset)")
        return pl.col(col).dt.convert_time_zone("UTC").alias(col)

    def opt(col: str) -> pl.Expr:
        return pl.col(col) if col in calls.columns else pl.lit(None).alias(col)

    frame = calls.with_columns(
        utc("started_at"), utc("answered_at"), utc("ended_at"),
        opt("wait_s").cast(pl.Int64), opt("talk_s").cast(pl.Int64),
        opt("dialled_number").cast(pl.String), opt("queue").cast(pl.String), opt("caller").cast(pl.String),
    )  # fmt: skip
    return frame.sort("started_at")


def _timeline(row: dict[str, Any]) -> tuple[dt.datetime, int, int, dt.datetime, dt.datetime]:
    """start, wait, talk, answer, end — filling what the canonical row leaves empty."""
    start: dt.datetime = row["started_at"]
    wait = row["wait_s"]
    if wait is None:
        wait = int((row["answered_at"] - start).total_seconds()) if row["answered_at"] else 0
    talk = row["talk_s"] or 0
    if row["outcome"] == "answered":
        talk = max(talk, 1)  # Asterisk and CUCM never log a 0-second answered bridge
    answer = row["answered_at"] or start + dt.timedelta(seconds=wait)
    end = row["ended_at"] or answer + dt.timedelta(seconds=talk if row["outcome"] == "answered" else 0)
    return start, wait, talk, answer, end


def _ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _epoch(value: dt.datetime) -> int:
    return int(value.timestamp())


def _q(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def write_asterisk(calls: pl.DataFrame, out_dir: Path) -> list[Path]:
    """Write Master.csv and queue_log; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    master, events = out_dir / "Master.csv", []
    with master.open("w", encoding="utf-8", newline="\n") as fh:
        for n, row in enumerate(_utc_frame(calls).iter_rows(named=True)):
            start, wait, talk, answer, end = _timeline(row)
            uid = f"{_epoch(start)}.{n}"
            for record in _cdr_records(row, n, uid, start, wait, talk, answer, end):
                fh.write(",".join(record) + "\n")
            events += _queue_events(row, uid, start, wait, talk, answer, end)
    queue_log = out_dir / "queue_log"
    with queue_log.open("w", encoding="utf-8", newline="\n") as fh:
        for _, _, line in sorted(events):
            fh.write(line + "\n")
    return [master, queue_log]


def _cdr_records(
    row: dict[str, Any], n: int, uid: str,
    start: dt.datetime, wait: int, talk: int, answer: dt.datetime, end: dt.datetime,
) -> Iterator[list[str]]:  # fmt: skip
    caller, dst = row["caller"] or "", row["dialled_number"] or "s"
    queue = row["queue"] or "vaxel"
    channel = f"{TRUNK}-{n:08x}"
    phone = OPERATOR_PHONES[n % len(OPERATOR_PHONES)]
    member = f"PJSIP/{phone}-{n:08x}"
    outcome = row["outcome"]
    waited = start + dt.timedelta(seconds=wait)

    def rec(dstchannel: str, app: str, data: str, s: dt.datetime, a: dt.datetime | None, e: dt.datetime,
            disposition: str) -> list[str]:  # fmt: skip
        duration = int((e - s).total_seconds())
        billsec = int((e - a).total_seconds()) if a else 0
        return [
            _q(""), _q(caller), _q(dst), _q("from-trunk"), _q(f'"{caller}" <{caller}>'), _q(channel),
            _q(dstchannel), _q(app), _q(data), _q(_ts(s)), _q(_ts(a)) if a else "", _q(_ts(e)),
            str(duration), str(billsec), _q(disposition), _q("DOCUMENTATION"), _q(uid), _q(""),
        ]  # fmt: skip

    queue_args = f"{queue},t,,,{max(QUEUE_TIMEOUT_S, wait + 1)}"
    if outcome == "answered":
        yield rec("", "Queue", queue_args, start, start, answer, "ANSWERED")
        yield rec(
            member, "Queue", queue_args, answer, answer, answer + dt.timedelta(seconds=talk), "ANSWERED"
        )
    elif outcome == "abandoned":
        yield rec("", "Queue", queue_args, start, start, waited, "ANSWERED")
    elif outcome == "timeout":
        limit = max(wait, 1)
        yield rec(
            "", "Queue", f"{queue},t,,,{limit}", start, start, start + dt.timedelta(seconds=limit), "ANSWERED"
        )
    elif outcome == "voicemail":
        yield rec(member, "Dial", f"PJSIP/{phone},20", start, None, waited, "NO ANSWER")
        yield rec("", "VoiceMail", f"{phone}@default,u", waited, None, max(end, waited), "NO ANSWER")
    elif outcome in ("busy", "failed"):
        disposition = "BUSY" if outcome == "busy" else "CONGESTION"
        yield rec(member, "Dial", f"PJSIP/{phone},20", start, None, max(end, start), disposition)
    elif outcome == "closed":
        yield rec("", "Playback", "custom/stangt", start, start, max(end, start + dt.timedelta(seconds=12)),
                  "ANSWERED")  # fmt: skip
    else:
        yield rec("", "Queue", queue_args, start, None, max(end, start), "UNKNOWN")


def _queue_events(
    row: dict[str, Any], uid: str,
    start: dt.datetime, wait: int, talk: int, answer: dt.datetime, end: dt.datetime,
) -> list[tuple[int, int, str]]:  # fmt: skip
    outcome = row["outcome"]
    if outcome not in ("answered", "abandoned", "timeout", "failed", "unknown"):
        return []
    queue, caller = row["queue"] or "vaxel", row["caller"] or ""
    t0 = _epoch(start)
    events: list[tuple[int, int, str]] = []

    def ev(t: int, agent: str, event: str, *data: object) -> None:
        fields = [str(t), uid, queue if event != "DID" else "NONE", agent, event, *(str(d) for d in data)]
        events.append((t, len(events), "|".join(fields)))

    if row["dialled_number"]:
        ev(t0, "NONE", "DID", row["dialled_number"])
    ev(t0, "NONE", "ENTERQUEUE", "", caller, 1)
    if wait > RING_NO_ANSWER_S and outcome != "failed":
        ev(t0 + RING_NO_ANSWER_S, "PJSIP/202", "RINGNOANSWER", RING_NO_ANSWER_S * 1000)
    if outcome == "answered":
        t_answer = _epoch(answer)
        ev(t_answer, "PJSIP/201", "CONNECT", wait, f"{t_answer}.1", 3)
        ev(t_answer + talk, "PJSIP/201", "COMPLETECALLER", wait, talk, 1)
    elif outcome == "abandoned":
        ev(t0 + wait, "NONE", "ABANDON", 1, 1, wait)
    elif outcome == "timeout":
        ev(t0 + max(wait, 1), "NONE", "EXITWITHTIMEOUT", 1, 1, max(wait, 1))
    elif outcome == "failed":
        ev(t0 + wait, "NONE", "EXITEMPTY", 1, 1, wait)
    return events


# --- CUCM -----------------------------------------------------------------------------------------

_CUCM_TEXT = {
    "callingPartyNumber", "originalCalledPartyNumber", "finalCalledPartyNumber", "lastRedirectDn", "pkid",
    "originalCalledPartyNumberPartition", "callingPartyNumberPartition", "finalCalledPartyNumberPartition",
    "lastRedirectDnPartition", "origDeviceName", "destDeviceName", "globalCallId_ClusterID", "huntPilotDN",
    "huntPilotPattern", "callingPartyUnicodeLoginUserID", "finalCalledPartyUnicodeLoginUserID", "comment",
    "authCodeDescription", "clientMatterCode", "authorizationCodeValue", "outpulsedCallingPartyNumber",
    "outpulsedCalledPartyNumber", "origIpv4v6Addr", "destIpv4v6Addr", "huntPilotPartition",
    "IncomingProtocolCallRef", "OutgoingProtocolCallRef", "IncomingICID", "IncomingOrigIOI",
    "IncomingTermIOI", "OutgoingICID", "OutgoingOrigIOI", "OutgoingTermIOI",
    "outpulsedOriginalCalledPartyNumber", "outpulsedLastRedirectingNumber", "callingPartyNumber_uri",
    "originalCalledPartyNumber_uri", "finalCalledPartyNumber_uri", "lastRedirectDn_uri",
    "mobileCallingPartyNumber", "finalMobileCalledPartyNumber", "origMobileDeviceName",
    "destMobileDeviceName", "originalCalledPartyPattern", "finalCalledPartyPattern",
    "lastRedirectingPartyPattern", "origDeviceSessionID", "destDeviceSessionID",
}  # fmt: skip


def _cucm_type(name: str) -> str:
    if name == "pkid":
        return "UNIQUEIDENTIFIER"
    return "VARCHAR(50)" if name in _CUCM_TEXT else "INTEGER"


def _cucm_line(values: dict[str, object]) -> str:
    out = []
    for name in FIELDS_133:
        value = values.get(name)
        if name in _CUCM_TEXT or name == "pkid":
            out.append(_q(str(value) if value is not None else ""))
        else:
            out.append(str(value if value is not None else 0))
    return ",".join(out)


def write_cucm(calls: pl.DataFrame, out_dir: Path) -> list[Path]:
    """Write one CDR flat file per UTC day (names + types header lines, no final newline)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    by_day: dict[dt.date, list[str]] = {}
    for n, row in enumerate(_utc_frame(calls).iter_rows(named=True)):
        start = row["started_at"]
        by_day.setdefault(start.date(), []).extend(_cucm_records(row, n))
    header = ",".join(_q(f) for f in FIELDS_133) + "\n" + ",".join(_cucm_type(f) for f in FIELDS_133)
    paths = []
    for seq, (day, lines) in enumerate(sorted(by_day.items()), start=1):
        path = out_dir / f"cdr_StdCluster_01_{day:%Y%m%d}0000_{seq}"
        path.write_text(header + "\n" + "\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def _cucm_records(row: dict[str, Any], n: int) -> list[str]:
    start, wait, talk, answer, end = _timeline(row)
    outcome, pilot = row["outcome"], row["dialled_number"] or ""
    phone = f"SEP0011223344{n % 4:02d}"
    base: dict[str, object] = {
        "cdrRecordType": 1, "globalCallID_callManagerId": 1, "globalCallID_callId": 100000 + n,
        "origLegCallIdentifier": 2 * n + 30000001, "destLegIdentifier": 2 * n + 30000002,
        "dateTimeOrigination": _epoch(start), "origNodeId": 1, "destNodeId": 1,
        "callingPartyNumber": row["caller"] or "", "originalCalledPartyNumber": pilot,
        "finalCalledPartyNumber": pilot, "origDeviceName": "SIPTrunk_Telia", "destDeviceName": phone,
        "globalCallId_ClusterID": "StdCluster", "pkid": f"5e2f7a10-{n:04x}-4c00-8000-{n:012x}",
    }  # fmt: skip
    waited = _epoch(start) + wait
    if outcome == "answered":
        base |= {
            "dateTimeConnect": _epoch(answer), "dateTimeDisconnect": _epoch(answer) + talk, "duration": talk,
            "destCause_value": 16, "huntPilotDN": pilot, "huntPilotPattern": pilot,
            "calledPartyPatternUsage": 7, "destCallTerminationOnBehalfOf": 12,
        }  # fmt: skip
        records = [base]
        if n % 4 == 0:
            moved = _epoch(answer) + talk
            records.append(base | {
                "dateTimeOrigination": moved - 5, "dateTimeConnect": moved, "dateTimeDisconnect": moved + 90,
                "duration": 90, "destDeviceName": "SEP00AABBCCDD01", "originalCalledPartyNumber": "3050",
                "finalCalledPartyNumber": "3050", "huntPilotDN": "", "huntPilotPattern": "",
                "destLegIdentifier": 2 * n + 40000002, "joinOnBehalfOf": 10, "origCause_value": 16,
                "destCause_value": 0, "pkid": f"5e2f7a10-{n:04x}-4c00-8001-{n:012x}",
            })  # fmt: skip
        return [_cucm_line(r) for r in records]
    if outcome == "abandoned":
        base |= {"dateTimeDisconnect": waited, "origCause_value": 16, "origCallTerminationOnBehalfOf": 12}
    elif outcome == "timeout":
        base |= {"dateTimeDisconnect": _epoch(start) + max(wait, 1), "destCause_value": 19}
    elif outcome == "busy":
        base |= {"dateTimeDisconnect": _epoch(end), "destCause_value": 17}
    elif outcome == "failed":
        base |= {"dateTimeDisconnect": _epoch(end), "destCause_value": 41}
    elif outcome == "voicemail":
        base |= {
            "dateTimeConnect": waited, "dateTimeDisconnect": max(_epoch(end), waited + 1),
            "duration": max(_epoch(end) - waited, 1), "finalCalledPartyNumber": "8000",
            "lastRedirectDn": pilot,
            "finalCalledPartyNumberPartition": "PT_Voicemail", "destDeviceName": "CiscoUM1-VI1",
            "origCause_value": 16, "lastRedirectRedirectReason": 15,
        }  # fmt: skip
    elif outcome == "closed":
        base |= {
            "dateTimeConnect": _epoch(start), "dateTimeDisconnect": max(_epoch(end), _epoch(start) + 12),
            "duration": 12, "destDeviceName": "CTI_Stangt_Meddelande", "destCause_value": 16,
        }  # fmt: skip
    else:
        base |= {"dateTimeDisconnect": _epoch(end)}
    return [_cucm_line(base)]
