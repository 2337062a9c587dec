"""Asterisk queue_log: one call per callid, outcomes from the queue events, system events filtered."""

from __future__ import annotations

from formats_helpers import by_id, parse


def test_outcomes_wait_and_talk() -> None:
    calls = by_id(parse("queue_log/queue_log"))
    expected = {
        "1709535595.101": ("answered", "35", "180"),  # RINGNOANSWER of one member is not a miss
        "1709535900.105": ("abandoned", "20", None),
        "1709536200.110": ("timeout", "60", None),
        "1709536800.120": ("answered", "70", "130"),  # overflow: 60 s in vaxel + 10 s in overflow
        "1709537400.125": ("failed", "1", None),  # EXITEMPTY
        "1709538000.130": ("abandoned", "30", None),  # EXITWITHKEY
        "1709538600.135": ("unknown", None, None),  # orphan ENTERQUEUE
    }
    for call_id, (outcome, wait, talk) in expected.items():
        row = calls[call_id]
        assert (row["outcome"], row["wait_s"], row["talk_s"]) == (outcome, wait, talk), call_id


def test_overflow_is_one_call_under_the_first_queue() -> None:
    parsed = parse("queue_log/queue_log")
    row = by_id(parsed)["1709536800.120"]
    assert row["queue"] == "vaxel"
    assert row["started_at"] == "2024-03-04T07:20:00+00:00"
    assert any("more than one queue" in n for n in parsed.notices)


def test_did_event_gives_the_dialled_number() -> None:
    row = by_id(parse("queue_log/queue_log"))["1709535595.101"]
    assert row["dialled_number"] == "051317000"
    assert row["caller"] == "0701234567"
    assert row["answered_at"] == "2024-03-04T07:00:35+00:00"


def test_system_events_and_foreign_calls_are_filtered_with_reasons() -> None:
    parsed = parse("queue_log/queue_log")
    reasons = {i.line_no: i.reason for i in parsed.filtered}
    assert reasons[1] == "system event QUEUESTART"
    assert reasons[23] == "system event PAUSE"
    assert reasons[24].startswith("no ENTERQUEUE")
    assert [(i.line_no, i.reason) for i in parsed.rejected] == [(25, "expected 5 to 10 fields, found 1")]
    assert parsed.records_read == 30 and parsed.calls.height == 9


def test_dst_night_calls_keep_utc_instants() -> None:
    calls = by_id(parse("queue_log/queue_log"))
    assert calls["1711846740.200"]["started_at"] == "2024-03-31T00:59:00+00:00"  # 01:59 CET
    assert calls["1711846860.210"]["started_at"] == "2024-03-31T01:01:00+00:00"  # 03:01 CEST


def test_switchboard_queue_filter() -> None:
    parsed = parse("queue_log/queue_log", switchboard_queues=("vaxel",))
    assert "1711846860.210" not in by_id(parsed)
    support = [i for i in parsed.filtered if "switchboard queue" in i.reason]
    assert [i.line_no for i in support] == [29, 30]
