"""Teams PSTN usage: lenient headers, UTC, forks dropped, bot answers not counted as a person."""

from __future__ import annotations

from pathlib import Path

from formats_helpers import by_id, parse

from pipeline.formats.teams import TeamsAdapter, normalise

DR = "teams/DirectRoutingUsage.csv"


def test_direct_routing_outcomes() -> None:
    parsed = parse(DR)
    calls = by_id(parsed)
    queue_call = calls["7e2a1b3c-0001-4a5b-9c8d-00000000aaaa"]  # bot leg + agent leg, shared id
    assert (queue_call["outcome"], queue_call["wait_s"], queue_call["talk_s"]) == ("answered", "30", "150")
    assert queue_call["started_at"] == "2024-03-04T07:00:00+00:00"
    assert queue_call["queue"] == "Växel kö"
    assert calls["9d1c0f2e-0004-4a5b-9c8d-000000000004"]["outcome"] == "abandoned"  # 487 cancelled
    assert calls["9d1c0f2e-0005-4a5b-9c8d-000000000005"]["outcome"] == "busy"  # 486
    assert calls["9d1c0f2e-0006-4a5b-9c8d-000000000006"]["outcome"] == "unknown"  # bot only
    assert any("bot" in n for n in parsed.notices)


def test_forks_and_outbound_filtered() -> None:
    parsed = parse(DR)
    assert [(i.line_no, i.reason) for i in parsed.filtered] == [
        (4, "forked attempt completed elsewhere (487/540200)"),
        (8, "outbound call (dr_out)"),
    ]
    assert parsed.merged == 1


def test_calling_plans_tab() -> None:
    parsed = parse("teams/PSTNUsage-CallingPlans.csv")
    assert parsed.calls["outcome"].to_list() == ["answered", "unknown", "abandoned"]
    assert parsed.calls["answered_at"].to_list() == [None, None, None]  # no answer time in this tab
    assert parsed.calls["talk_s"].to_list()[0] == "120"
    assert {i.reason for i in parsed.filtered} == {"outbound call (user_out)", "conference dial-in (conf_in)"}


def test_header_names_are_matched_leniently(tmp_path: Path) -> None:
    assert normalise("Time stamp (UTC)") == normalise("Timestamp") == "timestamp"
    assert normalise("Duration (seconds)") == "duration"
    head = "UTC time;Call type;Call ID;Called to;Called from;Duration\n"
    assert TeamsAdapter().sniff(head)
