"""FreeSWITCH mod_cdr_csv: the three stock templates, A/B legs, hangup causes, spreadsheet re-saves."""

from __future__ import annotations

from pathlib import Path

from formats_helpers import FIXTURES, by_id, check_contract, parse

from pipeline.formats import get_adapter
from pipeline.formats.base import AdapterOptions


def test_causes_and_bridging_decide_the_outcome() -> None:
    calls = by_id(parse("freeswitch/Master.csv"))
    outcomes = {k[9:13]: v["outcome"] for k, v in calls.items()}
    assert outcomes == {
        "0001": "answered",
        "0002": "abandoned",  # the documentation's example: NORMAL_CLEARING, never answered
        "0003": "busy",
        "0004": "timeout",
        "0005": "abandoned",  # answered by the PBX (IVR) with no bridge: not a person
        "0006": "failed",
        "0007": "abandoned",
    }


def test_b_leg_and_duplicate_rows_merge_into_the_a_leg() -> None:
    parsed = parse("freeswitch/Master.csv")
    assert (parsed.records_read, parsed.calls.height, parsed.merged) == (9, 7, 2)
    answered = by_id(parsed)["5f1a2b3c-0001-4d5e-8f90-aaaaaaaaaaa1"]
    assert (answered["wait_s"], answered["talk_s"]) == ("14", "180")
    assert answered["answered_at"] == "2024-03-04 08:00:14"
    assert answered["dialled_number"] == "051317000"  # the A leg's, not the B leg's extension


def test_compiled_default_template_with_space_before_quote() -> None:
    parsed = parse("freeswitch/default-template.csv")
    assert parsed.calls["outcome"].to_list() == ["answered", "abandoned"]
    assert parsed.rejected == []


def test_sql_template() -> None:
    parsed = parse("freeswitch/sql-template.csv")
    assert parsed.calls["call_id"].to_list() == [
        "5f1a2b3c-2001-4d5e-8f90-aaaaaaaaaaa1",
        "5f1a2b3c-2002-4d5e-8f90-aaaaaaaaaaa2",
    ]
    assert parsed.calls["talk_s"].to_list() == ["180", None]


def test_spreadsheet_round_trip_dates_and_repeated_uuid() -> None:
    parsed = parse("freeswitch/spreadsheet.csv")
    assert parsed.calls.height == 2 and parsed.merged == 1
    first, second = parsed.calls.iter_rows(named=True)
    assert first["outcome"] == "answered"  # the LOSE_RACE copy does not undo the answer
    assert first["started_at"] == "2024-03-04 08:00:00"
    assert second["started_at"] == "2024-03-04 18:05:00"
    assert second["caller"] == "+46701234568"


def test_local_times_stay_naive() -> None:
    parsed = parse("freeswitch/Master.csv")
    assert all("+" not in v for v in parsed.calls["started_at"].to_list())


def test_context_filter_drops_internal_calls() -> None:
    parsed = parse("freeswitch/Master.csv", switchboard_contexts=("public",))
    assert "5f1a2b3c-0007-4d5e-8f90-aaaaaaaaaaa7" not in by_id(parsed)
    assert [i.line_no for i in parsed.filtered] == [9]


def test_loopback_voicemail_is_offered_once_and_not_answered_by_a_person() -> None:
    """Stock dialplan: an unanswered extension goes to `loopback/app=voicemail`. FreeSWITCH answers
    the A leg itself (answer_stamp, bleg_uuid and billsec set) and `legs=a` writes the loopback's
    inbound half as its own record ("Extension 1000", same caller, destination `voicemail`)."""
    parsed = parse("freeswitch/loopback.csv")
    outcomes = {k[9:13]: v["outcome"] for k, v in by_id(parsed).items()}
    assert outcomes == {"0101": "answered", "0102": "voicemail", "0103": "abandoned", "0104": "voicemail"}
    assert (parsed.records_read, parsed.calls.height, parsed.merged) == (8, 4, 3)
    voicemail = by_id(parsed)["7c2e9d10-0102-4b7a-9c1d-aaaaaaaaa102"]
    assert (voicemail["answered_at"], voicemail["talk_s"], voicemail["wait_s"]) == (None, None, None)
    assert voicemail["caller"] == "0702223344" and voicemail["dialled_number"] == "051317000"
    assert voicemail["ended_at"] == "2024-03-05 09:11:05"


def test_loopback_leg_merges_into_the_call_it_serves() -> None:
    """The same caller's two voicemail calls each get their own loopback record (by answer and end
    time), and a loopback record whose A leg is not in the file is filtered, not a call."""
    parsed = parse("freeswitch/loopback.csv")
    lines = {k[9:13]: v["line_no"] for k, v in by_id(parsed).items()}
    assert lines == {"0101": 1, "0102": 2, "0103": 4, "0104": 6}
    assert [(i.line_no, i.reason) for i in parsed.filtered] == [
        (8, "loopback leg (voicemail) whose call is not in the file")
    ]


def test_loopback_leg_follows_its_call_through_the_context_filter() -> None:
    parsed = parse("freeswitch/loopback.csv", switchboard_contexts=("public",))
    assert parsed.calls.height == 4  # the loopback legs' own context (default) does not matter


def test_loopback_with_legs_ab_is_still_voicemail(tmp_path: Path) -> None:
    """With legs=ab the loopback's outbound half is written as the A leg's B leg; mod_loopback
    names both halves after the app, so that B leg is the PBX answering, not a person."""
    rows = (FIXTURES / "freeswitch/loopback.csv").read_text(encoding="utf-8").splitlines()[1:3]
    b_leg = (
        '"Per Lind","0702223344","voicemail","default","2024-03-05 09:10:30","2024-03-05 09:10:31",'
        '"2024-03-05 09:11:05","35","34","NORMAL_CLEARING","7c2e9d10-0102-4b7a-9c1d-ccccccccc102","","","PCMA","PCMA"'
    )
    path = tmp_path / "Master.csv"
    path.write_text("\n".join([rows[0], b_leg, rows[1]]) + "\n", encoding="utf-8")
    parsed = get_adapter("freeswitch_csv").parse(path, options=AdapterOptions())
    check_contract(parsed)
    assert parsed.calls["outcome"].to_list() == ["voicemail"]
    assert (parsed.records_read, parsed.merged) == (3, 2)
