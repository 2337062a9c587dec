"""3CX CDR: default 27-field layout, direction from the record, queue answers that are not a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_helpers import FIXTURES, by_id, parse

from pipeline.formats import get_adapter
from pipeline.formats.base import AdapterOptions, FormatError


def test_outcomes_wait_and_talk() -> None:
    calls = by_id(parse("3cx/cdr.log"))
    expected = {
        "1001": ("answered", "25", "180"),
        "1002": ("abandoned", "41", None),  # queue answered (time-answered set), 00:00:00, left
        "1003": ("failed", None, None),  # empty duration
        "1006": ("voicemail", None, None),
        "1007": ("abandoned", "20", None),  # IVR answered: not a person
        "1008": ("answered", "20", "100"),
    }
    for call_id, (outcome, wait, talk) in expected.items():
        row = calls[call_id]
        assert (row["outcome"], row["wait_s"], row["talk_s"]) == (outcome, wait, talk), call_id


def test_outbound_and_internal_are_filtered() -> None:
    parsed = parse("3cx/cdr.log")
    assert parsed.direction_known is True
    assert [(i.line_no, i.reason.split(" (")[0]) for i in parsed.filtered] == [
        (4, "outbound call"),
        (5, "internal call"),
    ]


def test_quoted_chain_and_prefixes() -> None:
    row = by_id(parse("3cx/cdr.log"))["1001"]
    assert row["dialled_number"] == "051317000"
    assert row["queue"] == "800"
    assert row["caller"] == "0701234567"
    assert row["started_at"] == "2024-03-04 08:00:00"  # zone undocumented: left for --source-tz


def test_field_order_from_a_mapping() -> None:
    folder = FIXTURES / "3cx"
    parsed = get_adapter("mapping").parse(
        folder / "cdr-custom.log", options=AdapterOptions(mapping=folder / "3cx-mapping.toml")
    )
    assert parsed.calls["outcome"].to_list() == ["answered", "abandoned"]
    assert parsed.calls["call_id"].to_list() == ["2001", "2002"]


def test_other_field_count_asks_for_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "cdr.log"
    path.write_text("Call 1,abc,00:00:10,2024/03/04 08:00:00\n")
    with pytest.raises(FormatError, match="mapping"):
        get_adapter("3cx").parse(path, options=AdapterOptions())


def test_switchboard_queue_filter() -> None:
    parsed = parse("3cx/cdr.log", switchboard_queues=("800",))
    assert "1007" not in by_id(parsed)  # went to the IVR 700, not the switchboard queue


def test_ivr_queue_and_voicemail_targets_are_not_a_person() -> None:
    parsed = parse("3cx/cdr-pbx-answers.log")
    outcomes = {k: v["outcome"] for k, v in by_id(parsed).items()}
    assert outcomes == {
        "3001": "abandoned",  # final-type Ivr: the caller hung up in the menu
        "3002": "abandoned",  # final-type Internal, but the target is named as an IVR
        "3003": "voicemail",  # final-type Voicemail on the operator's extension
        "3004": "answered",  # queue, then the operator (final-type Extension)
        "3005": "abandoned",  # v20 lower-case `queue`: agents polled, the caller left
        "3006": "abandoned",  # a Digital Receptionist typed Internal
    }
    assert (parsed.records_read, parsed.calls.height) == (6, 6)
    answered = by_id(parsed)["3004"]
    assert (answered["wait_s"], answered["talk_s"]) == ("18", "120")
