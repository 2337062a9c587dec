"""Detection by shape: each fixture is recognised as its format; unknown and ambiguous files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_helpers import FIXTURES, check_contract

from pipeline import formats
from pipeline.formats.base import AdapterOptions, FormatError

EXPECTED = {
    "asterisk/Master.csv": "asterisk_cdr",
    "asterisk/Master-linkedid.csv": "asterisk_cdr",
    "asterisk/Master-16.csv": "asterisk_cdr",
    "asterisk/Master-pbx-answers.csv": "asterisk_cdr",
    "queue_log/queue_log": "asterisk_queue_log",
    "queue_log/queue_log-crash": "asterisk_queue_log",
    "queue_log/queue_log-table.csv": "asterisk_queue_log",
    "asterisk/freepbx-cdr-report.csv": "asterisk_cdr_export",
    "asterisk/cdr-table-export.csv": "asterisk_cdr_export",
    "grandstream/cdr-ucm.csv": "asterisk_cdr_export",
    "3cx/cdr-header.csv": "3cx",
    "freeswitch/Master.csv": "freeswitch_csv",
    "freeswitch/default-template.csv": "freeswitch_csv",
    "freeswitch/sql-template.csv": "freeswitch_csv",
    "freeswitch/spreadsheet.csv": "freeswitch_csv",
    "freeswitch/loopback.csv": "freeswitch_csv",
    "cucm/cdr_StdCluster_01_202403040700_1": "cucm",
    "cucm/cdr_headerless_129": "cucm",
    "cucm/cdr_StdCluster_01_202403050800_2": "cucm",
    "3cx/cdr.log": "3cx",
    "3cx/cdr-pbx-answers.log": "3cx",
    "teams/DirectRoutingUsage.csv": "teams",
    "teams/PSTNUsage-CallingPlans.csv": "teams",
    "callstats/calls.csv": "callstats",
}


def test_every_fixture_is_listed() -> None:
    on_disk = {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix != ".toml" and p.parent.name not in ("unknown", "mapping")
    }
    assert on_disk - {"3cx/cdr-custom.log"} == set(EXPECTED)


@pytest.mark.parametrize(("relative", "name"), sorted(EXPECTED.items()))
def test_fixture_detected_as_its_format(relative: str, name: str) -> None:
    assert formats.detect(FIXTURES / relative).name == name


@pytest.mark.parametrize(("relative", "name"), sorted(EXPECTED.items()))
def test_accounting_identity_for_every_fixture(relative: str, name: str) -> None:
    parsed = formats.get_adapter(name).parse(FIXTURES / relative, options=AdapterOptions())
    check_contract(parsed)
    assert parsed.calls.height > 0


@pytest.mark.parametrize("relative", ["unknown/report.csv", "unknown/notes.txt", "3cx/cdr-custom.log"])
def test_unknown_file_is_one_line_error_pointing_to_mapping(relative: str) -> None:
    with pytest.raises(FormatError) as err:
        formats.detect(FIXTURES / relative)
    message = str(err.value)
    assert "\n" not in message
    assert "--mapping" in message
    for name in ("asterisk_cdr", "cucm", "3cx", "teams", "callstats"):
        assert name in message


def test_ambiguous_file_is_refused_naming_candidates(tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_text(
        "call_id,started_at,outcome,Call type,Correlation ID,Time stamp (UTC)\n"
        "1,2024-03-04 08:00:00,answered,dr_in,abc,2024-03-04T07:00:00Z\n"
    )
    with pytest.raises(FormatError) as err:
        formats.detect(path)
    assert "ambiguous" in str(err.value)
    assert "callstats" in str(err.value) and "teams" in str(err.value)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf\n")
    with pytest.raises(FormatError, match="empty"):
        formats.detect(path)


def test_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(FormatError) as err:
        formats.get_adapter("avaya")
    assert "asterisk_queue_log" in str(err.value) and "mapping" in str(err.value)


def test_registry_names_are_unique_and_ordered() -> None:
    names = formats.names()
    assert len(names) == len(set(names))
    assert names[0] == "callstats" and names[-1] == "mapping"


def test_mapping_adapter_never_sniffs() -> None:
    head = (FIXTURES / "callstats/calls.csv").read_text(encoding="utf-8-sig")
    assert not formats.get_adapter("mapping").sniff(head)
