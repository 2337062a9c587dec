"""CUCM CDR: header by name or the known layouts, globalCallID grouping, person answers, causes."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_helpers import FIXTURES, by_id, parse

from pipeline.formats import get_adapter
from pipeline.formats.base import AdapterOptions, FormatError
from pipeline.formats.cucm import FIELDS_129, FIELDS_133

HEADERED = "cucm/cdr_StdCluster_01_202403040700_1"


def test_layouts_have_documented_positions() -> None:
    assert len(FIELDS_129) == 129 and len(FIELDS_133) == 133
    positions = {name: i + 1 for i, name in enumerate(FIELDS_133)}
    assert positions["dateTimeOrigination"] == 5
    assert positions["originalCalledPartyNumber"] == 30
    assert positions["dateTimeConnect"] == 48 and positions["pkid"] == 51
    assert positions["duration"] == 56 and positions["destDeviceName"] == 58
    assert positions["globalCallId_ClusterID"] == 66
    assert positions["huntPilotDN"] == 103 and positions["totalWaitTimeInQueue"] == 114
    assert positions["huntPilotPattern"] == 129 and positions["destDeviceSessionID"] == 133


def test_outcomes_wait_and_talk() -> None:
    calls = by_id(parse(HEADERED))
    expected = {
        "StdCluster-1-1001": ("answered", "12", "180"),
        "StdCluster-1-1002": ("abandoned", "20", None),  # caller cleared, never connected
        "StdCluster-1-1003": ("voicemail", None, None),
        "StdCluster-1-1004": ("answered", "8", "60"),  # two records: transfer after 60 s
        "StdCluster-1-1005": ("busy", None, None),
        "StdCluster-1-1006": ("answered", "5", "120"),  # Jabber (CSF) counts as a phone
    }
    for call_id, (outcome, wait, talk) in expected.items():
        row = calls[call_id]
        assert (row["outcome"], row["wait_s"], row["talk_s"]) == (outcome, wait, talk), call_id


def test_records_and_accounting() -> None:
    parsed = parse(HEADERED)
    assert parsed.records_read == 10  # the two header lines are not records
    assert parsed.merged == 1
    assert [(i.line_no, i.reason) for i in parsed.rejected] == [(12, "expected 133 fields, found 132")]
    assert [i.line_no for i in parsed.filtered] == [3]  # cdrRecordType 0
    row = by_id(parsed)["StdCluster-1-1001"]
    assert row["started_at"] == "2024-03-04T07:00:00+00:00"
    assert row["dialled_number"] == "+4651317000" and row["queue"] == "+4651317000"


def test_headerless_129_columns() -> None:
    parsed = parse("cucm/cdr_headerless_129")
    assert parsed.calls["outcome"].to_list() == ["answered", "abandoned", "voicemail"]
    assert any("129-column" in n for n in parsed.notices)


def test_headerless_other_width_is_refused(tmp_path: Path) -> None:
    line = (FIXTURES / "cucm/cdr_headerless_129").read_text().splitlines()[0]
    path = tmp_path / "cdr_x"
    path.write_text(line + ",0\n")
    with pytest.raises(FormatError, match="expected 129 or 133"):
        get_adapter("cucm").parse(path, options=AdapterOptions())


def test_cti_route_points_and_ports_are_not_a_person() -> None:
    """IVRs on CTI route points, attendant-console and native queuing CTI ports answer calls too."""
    parsed = parse("cucm/cdr_StdCluster_01_202403050800_2")
    calls = by_id(parsed)
    outcomes = {k: v["outcome"] for k, v in calls.items()}
    assert outcomes == {
        "StdCluster-1-2001": "abandoned",  # caller hung up in the route point's IVR
        "StdCluster-1-2002": "closed",  # the route point played the closed message and cleared
        "StdCluster-1-2003": "answered",  # queued on a CTI port, then the operator's phone
        "StdCluster-1-2004": "abandoned",  # gave up in the hunt pilot's queue
    }
    assert (parsed.records_read, parsed.calls.height, parsed.merged) == (5, 4, 1)
    operator = calls["StdCluster-1-2003"]
    assert (operator["wait_s"], operator["talk_s"]) == ("33", "90")
    assert calls["StdCluster-1-2004"]["wait_s"] == "61"
