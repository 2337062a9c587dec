"""Any CSV through a TOML mapping: dialect options, outcome words, time zones, strict validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_helpers import FIXTURES, by_id, check_contract

from pipeline.formats import get_adapter
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile
from pipeline.formats.mapping import load_mapping

ROOT = FIXTURES.parent.parent.parent


def run(csv: Path, toml: Path) -> ParsedFile:
    parsed = get_adapter("mapping").parse(csv, options=AdapterOptions(mapping=toml))
    check_contract(parsed)
    return parsed


def telia() -> ParsedFile:
    return run(FIXTURES / "mapping/telia.csv", FIXTURES / "mapping/telia.toml")


def test_semicolon_cp1252_decimal_comma_minutes() -> None:
    calls = by_id(telia())
    assert (calls["T-1"]["wait_s"], calls["T-1"]["talk_s"]) == ("30", "195")  # 0,5 and 3,25 minutes
    assert calls["T-2"]["outcome"] == "abandoned"  # "Forlot kø" decoded from Windows-1252
    assert calls["T-3"]["outcome"] == "answered"
    assert calls["T-3"]["caller"] == "00461234567"  # phone numbers stay text


def test_spreadsheet_dates_and_zone_with_dst() -> None:
    calls = by_id(telia())
    assert calls["T-1"]["started_at"] == "2020-02-10T22:41:00+01:00"  # 2020/2/10 22:41
    assert calls["T-6"]["started_at"] == "2024-10-27T02:30:00+02:00"  # ambiguous hour: earlier offset
    assert calls["T-7"]["started_at"] == "igår"  # unreadable: passed on for the ingest to reject


def test_unmapped_outcome_and_dst_gap_are_rejected() -> None:
    parsed = telia()
    assert [(i.line_no, i.reason) for i in parsed.rejected] == [
        (5, "outcome value 'tidsavbrudd' is not in the mapping"),
        (6, "time does not exist in Europe/Stockholm (clocks moved forward)"),
    ]
    assert parsed.records_read == 7 and parsed.calls.height == 5


def test_documented_example_in_sample_data() -> None:
    folder = ROOT / "sample_formats"
    parsed = run(folder / "mapping-example.csv", folder / "mapping-example.toml")
    assert parsed.calls["outcome"].to_list() == ["answered", "abandoned", "timeout", "answered", "closed"]
    assert parsed.calls["talk_s"].to_list()[3] == "1204"  # "1 204,0": thousands space, decimal comma
    assert parsed.calls["wait_s"].to_list()[0] == "13"  # 12,5 rounds half away from zero
    assert parsed.source_system == "samtalslogg"


def test_headerless_file_with_positions_and_epoch(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(
        '[source]\nheader = false\ndelimiter = "tab"\ntimestamp_format = "epoch"\n'
        "[columns]\ncall_id = 1\nstarted_at = 2\noutcome = 3\ncaller = 4\n"
    )
    (tmp_path / "calls.tsv").write_text("a1\t1709535600\tANSWERED\t0701234567\n")
    parsed = run(tmp_path / "calls.tsv", tmp_path / "m.toml")
    assert parsed.calls.row(0, named=True)["started_at"] == "2024-03-04T07:00:00+00:00"
    assert parsed.calls["outcome"].to_list() == ["answered"]  # canonical words pass case-insensitively


def test_missing_call_id_makes_ids_from_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('[columns]\nstarted_at = "when"\noutcome = "what"\n')
    (tmp_path / "log.csv").write_text("when,what\n2024-03-04 08:00:00,abandoned\n")
    parsed = run(tmp_path / "log.csv", tmp_path / "m.toml")
    assert parsed.calls["call_id"].to_list() == ["log:2"]
    assert parsed.calls["started_at"].to_list() == ["2024-03-04 08:00:00"]  # naive: --source-tz applies


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[colums]\n", "unknown key(s) colums"),
        ("[source]\nseparator = ';'\n[columns]\n", "unknown [source] key(s) separator"),
        ("[columns]\nstarted_at = 'a'\n", "must map outcome"),
        ("[columns]\nstart = 'a'\noutcome = 'b'\nstarted_at = 'c'\n", "start is not a callstats column"),
        ("[columns]\nstarted_at = 'a'\noutcome = 'b'\n[outcomes]\nOK = 'done'\n", "'OK' = 'done'"),
        ("[source]\ntime_zone = 'Europe/Stockholn'\n", "unknown time_zone"),
        ("[source]\nencoding = 'latin-9x'\n", "unknown encoding"),
        ("[source]\ndecimal = ';'\n", "decimal must be"),
        ("[source]\nheader = 'yes'\n", "header must be true or false"),
        ("[columns]\nstarted_at = 2\noutcome = 3\n", "only for header = false"),
        ("format = 'avaya'\n", 'format must be "csv" or "3cx"'),
        ("format = '3cx'\n", "needs fields"),
        ("not toml = = 1\n", "not valid TOML"),
    ],
)
def test_mapping_validation_is_strict_and_one_line(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(FormatError) as err:
        load_mapping(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_column_not_in_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('[columns]\nstarted_at = "Start"\noutcome = "Result"\n')
    (tmp_path / "f.csv").write_text("Start,Outcome\n2024-03-04 08:00:00,answered\n")
    with pytest.raises(FormatError, match="'Result' \\(for outcome\\) not in the header"):
        run(tmp_path / "f.csv", tmp_path / "m.toml")


def test_unknown_3cx_field_name(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('format = "3cx"\nfields = ["historyid", "time_start"]\n')
    (tmp_path / "cdr.log").write_text("Call 1,2024/03/04 08:00:00\n")
    with pytest.raises(FormatError, match="unknown 3CX field name"):
        run(tmp_path / "cdr.log", tmp_path / "m.toml")


def test_mapping_adapter_needs_a_mapping() -> None:
    with pytest.raises(FormatError, match="--mapping"):
        get_adapter("mapping").parse(FIXTURES / "mapping/telia.csv", options=AdapterOptions())
