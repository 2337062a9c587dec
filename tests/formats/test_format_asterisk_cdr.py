"""Asterisk Master.csv: layouts, grouping into calls, answered-by-a-person, outcomes, time zone."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from formats_helpers import FIXTURES, by_id, check_contract, parse

from pipeline.formats import get_adapter
from pipeline.formats.asterisk_cdr import BASE, layout
from pipeline.formats.base import AdapterOptions, FormatError


def test_stock_layout_outcomes_wait_and_talk() -> None:
    calls = by_id(parse("asterisk/Master.csv"))
    expected = {
        "1709535600.101": ("answered", "35", "180"),  # queue wait, then bridged to PJSIP/201
        "1709535900.105": ("abandoned", "20", None),  # IVR answered (BackGround), caller hung up
        "1709536200.110": ("voicemail", None, None),  # NO ANSWER with billsec > 0 in VoiceMail
        "1709536800.120": ("busy", None, None),
        "1709537400.125": ("answered", "8", "60"),  # transferred: talk ends at the transfer
        "1709538000.130": ("timeout", "60", None),  # Queue lasted its timeout argument
        "1709538600.135": ("abandoned", "42", None),  # left the queue before its timeout
        "1709538900.137": ("failed", None, None),  # CONGESTION
        "1709569800.140": ("closed", None, None),  # Playback announcement, nothing dialled
    }
    for call_id, (outcome, wait, talk) in expected.items():
        row = calls[call_id]
        assert (row["outcome"], row["wait_s"], row["talk_s"]) == (outcome, wait, talk), call_id


def test_legs_merge_and_bad_records_are_accounted() -> None:
    parsed = parse("asterisk/Master.csv")
    assert parsed.records_read == 16
    assert parsed.calls.height == 11
    assert parsed.merged == 3  # queue + bridge, dial + voicemail, call + post-transfer
    reasons = {i.line_no: i.reason for i in parsed.rejected}
    assert reasons == {15: "expected 18 fields, found 17", 16: "unreadable start time"}
    assert parsed.direction_known is False


def test_usegmtime_is_recognised_from_uniqueid() -> None:
    parsed = parse("asterisk/Master.csv")
    row = by_id(parsed)["1711841400.150"]
    assert row["started_at"] == "2024-03-30T23:30:00+00:00"
    local = (
        pl.Series([row["started_at"]])
        .str.to_datetime(time_zone="UTC")
        .dt.convert_time_zone("Europe/Stockholm")
    )
    assert str(local.dt.date()[0]) == "2024-03-31"  # UTC Saturday night is Sunday in Sweden
    assert any("UTC" in n for n in parsed.notices)


def test_an_explicit_source_tz_overrides_the_evidence() -> None:
    parsed = parse("asterisk/Master.csv", source_tz="Europe/Stockholm")
    assert by_id(parsed)["1711841400.150"]["started_at"] == "2024-03-30 23:30:00"
    assert any("--source-tz" in n for n in parsed.notices)


def test_local_time_file_is_left_naive() -> None:
    parsed = parse("asterisk/Master-linkedid.csv")
    assert parsed.calls["started_at"].to_list() == ["2024-03-04 08:00:00", "2024-03-04 08:10:00"]
    assert any("+1.0 h" in n for n in parsed.notices)


def test_ring_group_local_channels_are_one_call() -> None:
    parsed = parse("asterisk/Master-linkedid.csv")
    assert (parsed.records_read, parsed.calls.height, parsed.merged) == (7, 2, 5)
    answered, missed = parsed.calls.iter_rows(named=True)
    assert answered["call_id"] == "1709535600.200"
    assert (answered["outcome"], answered["wait_s"], answered["talk_s"]) == ("answered", "12", "120")
    assert answered["answered_at"] == "2024-03-04 08:00:12"
    assert (missed["outcome"], missed["wait_s"]) == ("abandoned", "25")


def test_without_linkedid_local_half_legs_are_filtered(tmp_path: Path) -> None:
    # The same ring group logged without newcdrcolumns (18 columns): no linkedid to tie legs by.
    lines = (FIXTURES / "asterisk/Master-linkedid.csv").read_bytes().decode("cp1252").splitlines()
    path = tmp_path / "Master.csv"
    path.write_text("\n".join(line.rsplit(",", 3)[0] for line in lines) + "\n", encoding="utf-8")
    parsed = get_adapter("asterisk_cdr").parse(path, options=AdapterOptions())
    check_contract(parsed)
    assert parsed.calls.height == 2
    assert len(parsed.filtered) == 3
    assert all("Local channel" in i.reason for i in parsed.filtered)
    assert by_id(parsed)["1709535600.200"]["outcome"] == "answered"


def test_sixteen_columns_crlf_no_final_newline() -> None:
    parsed = parse("asterisk/Master-16.csv")
    assert parsed.calls["outcome"].to_list() == ["answered", "abandoned"]
    assert parsed.calls["call_id"].to_list()[0] == "SIP/telia-00000001@2024-03-04 08:00:00"
    assert parsed.calls["started_at"].to_list()[1] == "2024-03-04 08:05:00"


def test_switchboard_context_filters_outbound_groups() -> None:
    parsed = parse("asterisk/Master.csv", switchboard_contexts=("from-trunk",))
    assert "1709542800.160" not in by_id(parsed)
    assert [i.line_no for i in parsed.filtered] == [14]
    assert "from-internal" in parsed.filtered[0].reason


def test_layout_by_column_count() -> None:
    assert layout(16, []) == BASE
    assert layout(17, ["1700000000.42", "1700000001.43"])[-1] == "uniqueid"
    assert layout(17, ["billing-x", ""])[-1] == "userfield"
    assert layout(19, [])[-3:] == ("peeraccount", "linkedid", "sequence")
    assert layout(21, [])[16:18] == ("uniqueid", "userfield")
    with pytest.raises(FormatError, match="16 to 21"):
        layout(22, [])


def test_only_a_person_answers_not_the_pbx_or_an_ari_app() -> None:
    """Stock 18-column Master.csv: every way the PBX answers by itself, beside two real answers."""
    parsed = parse("asterisk/Master-pbx-answers.csv")
    calls = by_id(parsed)
    outcomes = {k: v["outcome"] for k, v in calls.items()}
    assert outcomes == {
        "1709632800.301": "abandoned",  # an ARI (Stasis) IVR answered; the caller hung up in it
        "1709632900.305": "answered",  # the ARI app bridged the caller to an operator's phone
        "1709633100.310": "abandoned",  # ARI external media (UnicastRTP): a voice bot, not a person
        "1709633200.315": "voicemail",  # FreePBX fail-over through Local/vmu201@from-internal
        "1709633300.320": "answered",  # BackGround IVR first, then the operator
        "1709633500.325": "closed",  # after-hours Playback
    }
    assert (parsed.records_read, parsed.calls.height, parsed.merged) == (7, 6, 1)
    ivr_then_person = calls["1709633300.320"]
    assert (ivr_then_person["wait_s"], ivr_then_person["talk_s"]) == ("30", "90")
    assert calls["1709632900.305"]["answered_at"] == "2024-03-05T10:01:52+00:00"
    assert calls["1709633200.315"]["answered_at"] is None
