"""Cisco CUCM CDR flat files: line 1 field names, line 2 field types, then records.

Columns are taken by header name (case-insensitive). Collectors that strip both header lines are
read by the known layouts: 129 columns (10.x/11.x) or 133 (12.5+/14); other counts are refused.

Merge rules:
- Only end-of-call records (`cdrRecordType` 1) count; start records (0) and CMRs (2) are filtered.
- One call = the records sharing `globalCallId_ClusterID` + `globalCallID_callManagerId` +
  `globalCallID_callId` (transfers, redirects and conference joins write several records).
- Answered (by a person): a record with `dateTimeConnect > 0` whose `destDeviceName` is a phone
  (`SEP…`, or a Jabber client `CSF…`/`BOT…`/`TCT…`/`TAB…`); the earliest such record gives
  answered_at, and its `duration` the talk time. CTI route points and CTI ports (IVRs, attendant
  console and native queuing) and voicemail ports are the PBX answering: never a person. `finalCalledPartyNumber` is not used: on hunt-pilot
  calls it stays the pilot.
- Otherwise, from the latest record: connected to a voicemail port or partition (name contains
  `vm`, `voicemail`, `unity`, `cuc` or
  `CiscoUM`, the Unity Connection port prefix) → voicemail; connected to another device (announcement,
  IVR port) → closed when that side cleared, abandoned when the caller did; never connected:
  cause 17 → busy, 18/19 → timeout, caller cleared with 16 (or 0 with 127 unspecified causes) →
  abandoned, both causes 0 → unknown, any other cause → failed.
- wait_s = answer − the earliest `dateTimeOrigination`; abandoned and timeout: last disconnect −
  origination.
- dialled_number = `originalCalledPartyNumber` of the first record (the pilot dialled), queue =
  the first non-empty `huntPilotDN`, caller = `callingPartyNumber`.
- Time: epoch seconds, UTC: emitted with `+00:00`.
- Direction needs the site's device lists: not inferred. Configured switchboard numbers are the
  ingest's filter on dialled_number.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipeline.formats import partitioned, textio
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile

# The 10.x/11.x layout in order (Cisco CDR Administration Guide, "CDR field descriptions").
FIELDS_129: tuple[str, ...] = tuple(
    """cdrRecordType globalCallID_callManagerId globalCallID_callId origLegCallIdentifier dateTimeOrigination
origNodeId origSpan origIpAddr callingPartyNumber callingPartyUnicodeLoginUserID origCause_location
origCause_value origPrecedenceLevel origMediaTransportAddress_IP origMediaTransportAddress_Port
origMediaCap_payloadCapability origMediaCap_maxFramesPerPacket origMediaCap_g723BitRate
origVideoCap_Codec origVideoCap_Bandwidth origVideoCap_Resolution origVideoTransportAddress_IP
origVideoTransportAddress_Port origRSVPAudioStat origRSVPVideoStat destLegIdentifier destNodeId destSpan
destIpAddr originalCalledPartyNumber finalCalledPartyNumber finalCalledPartyUnicodeLoginUserID
destCause_location destCause_value destPrecedenceLevel destMediaTransportAddress_IP
destMediaTransportAddress_Port destMediaCap_payloadCapability destMediaCap_maxFramesPerPacket
destMediaCap_g723BitRate destVideoCap_Codec destVideoCap_Bandwidth destVideoCap_Resolution
destVideoTransportAddress_IP destVideoTransportAddress_Port destRSVPAudioStat destRSVPVideoStat
dateTimeConnect dateTimeDisconnect lastRedirectDn pkid originalCalledPartyNumberPartition
callingPartyNumberPartition finalCalledPartyNumberPartition lastRedirectDnPartition duration
origDeviceName destDeviceName origCallTerminationOnBehalfOf destCallTerminationOnBehalfOf
origCalledPartyRedirectOnBehalfOf lastRedirectRedirectOnBehalfOf origCalledPartyRedirectReason
lastRedirectRedirectReason destConversationId globalCallId_ClusterID joinOnBehalfOf comment
authCodeDescription authorizationLevel clientMatterCode origDTMFMethod destDTMFMethod callSecuredStatus
origConversationId origMediaCap_Bandwidth destMediaCap_Bandwidth authorizationCodeValue
outpulsedCallingPartyNumber outpulsedCalledPartyNumber origIpv4v6Addr destIpv4v6Addr
origVideoCap_Codec_Channel2 origVideoCap_Bandwidth_Channel2 origVideoCap_Resolution_Channel2
origVideoTransportAddress_IP_Channel2 origVideoTransportAddress_Port_Channel2
origVideoChannel_Role_Channel2 destVideoCap_Codec_Channel2 destVideoCap_Bandwidth_Channel2
destVideoCap_Resolution_Channel2 destVideoTransportAddress_IP_Channel2
destVideoTransportAddress_Port_Channel2 destVideoChannel_Role_Channel2 IncomingProtocolID
IncomingProtocolCallRef OutgoingProtocolID OutgoingProtocolCallRef currentRoutingReason
origRoutingReason lastRedirectingRoutingReason huntPilotPartition huntPilotDN calledPartyPatternUsage
IncomingICID IncomingOrigIOI IncomingTermIOI OutgoingICID OutgoingOrigIOI OutgoingTermIOI
outpulsedOriginalCalledPartyNumber outpulsedLastRedirectingNumber wasCallQueued totalWaitTimeInQueue
callingPartyNumber_uri originalCalledPartyNumber_uri finalCalledPartyNumber_uri lastRedirectDn_uri
mobileCallingPartyNumber finalMobileCalledPartyNumber origMobileDeviceName destMobileDeviceName
origMobileCallDuration destMobileCallDuration mobileCallType originalCalledPartyPattern
finalCalledPartyPattern lastRedirectingPartyPattern huntPilotPattern""".split()  # noqa: SIM905
)
FIELDS_133: tuple[str, ...] = (
    *FIELDS_129, "origDeviceType", "destDeviceType", "origDeviceSessionID", "destDeviceSessionID",
)  # fmt: skip
NEEDED = {
    "cdrrecordtype": "rtype",
    "globalcallid_callmanagerid": "cm_id",
    "globalcallid_callid": "gcall_id",
    "globalcallid_clusterid": "cluster",
    "datetimeorigination": "orig_t",
    "datetimeconnect": "connect_t",
    "datetimedisconnect": "disconnect_t",
    "callingpartynumber": "calling",
    "originalcalledpartynumber": "original_called",
    "finalcalledpartynumberpartition": "final_partition",
    "origcause_value": "orig_cause",
    "destcause_value": "dest_cause",
    "duration": "duration",
    "destdevicename": "dest_device",
    "huntpilotdn": "hunt_pilot",
}
REQUIRED = ("cdrrecordtype", "globalcallid_callmanagerid", "globalcallid_callid", "datetimeorigination")
PHONE_RE = r"^(SEP|CSF|BOT|TCT|TAB)"
VOICEMAIL_RE = r"(?i)(vm|voice ?mail|unity|cuc|ciscoum)"


def _first_fields(head: str) -> list[list[str]]:
    return [textio.split_line(line) for line in textio.head_lines(head, 3)]


def _has_header(rows: list[list[str]]) -> bool:
    return bool(rows) and bool(rows[0]) and rows[0][0].strip().lower() == "cdrrecordtype"


def _headerless_record(fields: list[str]) -> bool:
    return (
        len(fields) in (129, 133)
        and fields[0] in ("0", "1", "2")
        and all(textio.INT_RE.match(fields[i]) for i in (1, 2, 4))
    )


class CucmAdapter:
    name = "cucm"
    description = "Cisco CUCM CDR flat file (names + types header lines, or headerless 129/133 columns)"

    def sniff(self, head: str) -> bool:
        rows = _first_fields(head)
        if _has_header(rows):
            return "datetimeorigination" in {f.strip().lower() for f in rows[0]}
        lines = textio.head_lines(head, 10)
        return textio.shape_holds(lines, lambda line: _headerless_record(textio.split_line(line)))

    def parse(self, path: Path, *, options: AdapterOptions) -> ParsedFile:
        records, columns, notices = _open(path, options)
        table = textio.records_to_table(records, columns, only=list(NEEDED.values()))
        return _merge(table.with_frame(_shaped(table.frame, columns)), options, self.name, notices)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path,
        *,
        options: AdapterOptions,
        sizes: partitioned.Sizes = partitioned.DEFAULT_SIZES,
    ) -> ParsedFile:
        """`parse` in bounded memory: a call's records share cluster + callManagerId + callId."""
        records, columns, notices = _open(path, options)
        plan = partitioned.Plan(
            records,
            columns,
            shape=lambda frame: _shaped(frame, columns),
            key=_call_key(),
            only=list(NEEDED.values()),
            decide=lambda _con, _tallies: lambda table: _merge(table, options, self.name, list(notices)),
        )
        return partitioned.stage_partitioned(con, plan, sizes)


def _open(path: Path, options: AdapterOptions) -> tuple[Iterator[textio.Record], list[str], list[str]]:
    """The data records after the header lines, the column names to read them by, and notices."""
    rows = [textio.split_line(line) for line in textio.file_head(path, 3)]
    records = textio.iter_records(path, limits=options.limits)
    notices = []
    if _has_header(rows):
        names = [f.strip().lower() for f in next(records).fields]
        second = next(records, None)
        if second is not None and not (second.fields and second.fields[0].strip().upper() == "INTEGER"):
            records = itertools.chain([second], records)
    else:
        width = (
            textio.usual(
                len(textio.split_line(line)) for line in textio.head_lines(textio.read_head(path), 50)
            )
            or 0
        )
        if width not in (129, 133):
            raise FormatError(
                f"{path.name}: CUCM file without header has {width} columns, expected 129 or 133"
            )
        names = [f.lower() for f in (FIELDS_129 if width == 129 else FIELDS_133)]
        notices.append(f"no header lines: read as the {width}-column CUCM layout")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FormatError(f"{path.name}: CUCM header lacks {', '.join(missing)}")
    return records, [NEEDED.get(n, f"_{i}") for i, n in enumerate(names)], notices


def _shaped(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Only the fields the merge reads (a missing one as empty), with line_no and raw."""
    frame = frame.select([*(c for c in NEEDED.values() if c in columns), "line_no", "raw"])
    return textio.with_missing(frame, NEEDED.values())


def _merge(table: textio.Table, options: AdapterOptions, fmt: str, notices: list[str]) -> ParsedFile:
    """The merge rules of the module docstring, one named step each."""
    ledger = textio.Ledger(table, notices=notices)
    frame = ledger.reject_unreadable(_typed(table.frame), "orig", "dateTimeOrigination")
    frame = ledger.filter(
        frame,
        pl.col("rtype").fill_null("") != "1",
        pl.lit("cdrRecordType ") + pl.col("rtype").fill_null("?") + " is not an end-of-call CDR",
    )
    calls = _grouped(_keyed(frame))
    return ledger.parsed(_emit(calls), fmt=fmt, source_system="cucm", direction_known=False)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Epoch seconds as datetimes, causes and durations as integers; `dateTimeConnect` 0 means the
    leg was never connected, so `connect` stays null there."""
    return frame.with_columns(
        orig=textio.epoch_dt("orig_t"),
        connect_i=textio.to_int("connect_t").fill_null(0),
        disconnect=textio.epoch_dt("disconnect_t"),
        dur=textio.to_int("duration").fill_null(0),
        oc=textio.to_int("orig_cause").fill_null(0),
        dc=textio.to_int("dest_cause").fill_null(0),
    ).with_columns(
        connect=pl.when(pl.col("connect_i") > 0).then(textio.epoch_dt(pl.col("connect_t"))),
    )


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """One call = cluster + callManagerId + callId (a missing cluster id is left out of the key)."""
    return frame.with_columns(key=_call_key()).sort(["key", "orig", "line_no"])


def _call_key() -> pl.Expr:
    return pl.concat_str(
        [pl.col("cluster").fill_null(""), pl.col("cm_id"), pl.col("gcall_id")], separator="-"
    ).str.strip_chars_start("-")


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    """Each call's records: the earliest person-answered record gives the answer and talk time, the
    latest disconnect the causes that decide an unanswered call."""
    dev = pl.col("dest_device").fill_null("")
    person = (pl.col("connect_i") > 0) & dev.str.contains(PHONE_RE)
    vm = dev.str.contains(VOICEMAIL_RE) | pl.col("final_partition").fill_null("").str.contains(VOICEMAIL_RE)
    latest = pl.col("disconnect").arg_max()
    return textio.group_calls(
        frame,
        "key",
        started=pl.col("orig").min(),
        ended=pl.col("disconnect").max(),
        answered=pl.col("connect").filter(person).min(),
        talk=pl.col("dur").filter(person).sort_by(pl.col("connect").filter(person)).first(),
        vm=(vm & (pl.col("connect_i") > 0)).any(),
        last_connected=(pl.col("connect_i") > 0).get(latest),
        last_oc=pl.col("oc").get(latest),
        last_dc=pl.col("dc").get(latest),
        dialled=pl.col("original_called").first(),
        pilot=pl.col("hunt_pilot").drop_nulls().first(),
        caller=pl.col("calling").first(),
    )


def _emit(calls: pl.DataFrame) -> pl.DataFrame:
    """Epoch times are UTC; abandoned and timed-out callers waited until the last disconnect."""
    return textio.emit(
        calls,
        outcome=_outcome(),
        stamp=textio.utc_text,
        waits_until_hangup=("abandoned", "timeout"),
        dialled_number=pl.col("dialled"),
        queue=pl.col("pilot"),
    )


def _outcome() -> pl.Expr:
    """The module docstring's outcome rules, in their order."""
    oc, dc = pl.col("last_oc"), pl.col("last_dc")
    return (
        pl.when(pl.col("answered").is_not_null()).then(pl.lit("answered"))
        .when(pl.col("vm")).then(pl.lit("voicemail"))
        .when(pl.col("last_connected") & (dc == 16) & (oc != 16)).then(pl.lit("closed"))
        .when(pl.col("last_connected")).then(pl.lit("abandoned"))
        .when((oc == 17) | (dc == 17)).then(pl.lit("busy"))
        .when(oc.is_in([18, 19]) | dc.is_in([18, 19])).then(pl.lit("timeout"))
        .when((oc == 0) & (dc == 0)).then(pl.lit("unknown"))
        .when(oc.is_in([16, 31, 127]) | dc.is_in([16, 31, 127])).then(pl.lit("abandoned"))
        .otherwise(pl.lit("failed"))
    )  # fmt: skip


ADAPTER = CucmAdapter()
