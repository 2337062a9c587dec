"""Layouts with a header line, read by their header names in any column order.

FreePBX's CDR Reports download, a CSV export of the Asterisk `cdr` table, Grandstream UCM's CDR
download, a 3CX CDR with a header row and the `queue_log` table export. A header file is never taken
for a headerless one with the same column count, nor the other way round.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from formats_helpers import FIXTURES, by_id, parse

from pipeline import formats
from pipeline.formats import asterisk_cdr, asterisk_cdr_export, textio, threecx
from pipeline.formats.base import AdapterOptions


def _counts(relative: str) -> tuple[int, int, int, int, int, int]:
    parsed = parse(relative)
    answered = parsed.calls.filter(pl.col("outcome") == "answered").height
    return (
        parsed.records_read, parsed.calls.height, answered, parsed.merged, len(parsed.rejected),
        len(parsed.filtered),
    )  # fmt: skip


def test_freepbx_cdr_report_is_read_by_name_with_times_from_durations() -> None:
    assert formats.detect(FIXTURES / "asterisk/freepbx-cdr-report.csv").name == "asterisk_cdr_export"
    assert _counts("asterisk/freepbx-cdr-report.csv") == (6, 4, 1, 2, 0, 0)
    calls = by_id(parse("asterisk/freepbx-cdr-report.csv"))
    outcomes = {k: v["outcome"] for k, v in calls.items()}
    assert outcomes == {
        "1709712000.41": "answered",
        "1709712600.45": "voicemail",
        "1709713200.50": "abandoned",
        "1709713800.55": "busy",
    }
    queue = calls["1709712000.41"]
    # calldate 09:00:20 + duration 200 = end 09:03:40; answer = end − billsec 180 = 09:00:40.
    assert (queue["answered_at"], queue["ended_at"]) == ("2024-03-06 09:00:40", "2024-03-06 09:03:40")
    assert (queue["wait_s"], queue["talk_s"]) == ("40", "180")


def test_cdr_table_export_with_null_extras_and_unescaped_caller_quotes() -> None:
    parsed = parse("asterisk/cdr-table-export.csv")
    assert parsed.format == "asterisk_cdr_export"
    assert _counts("asterisk/cdr-table-export.csv") == (5, 3, 1, 2, 0, 0)
    calls = by_id(parsed)
    assert {k: v["outcome"] for k, v in calls.items()} == {
        "1709715600.60": "answered",  # ring group on Local channels, one linkedid
        "1709716200.70": "closed",
        "1709716800.75": "abandoned",
    }
    assert calls["1709715600.60"]["talk_s"] == "120"
    assert calls["1709715600.60"]["caller"] == "0701234567"


def test_unescaped_caller_id_is_repaired_before_reading() -> None:
    line = '"2024-03-06 10:00:00",""Berg, Anna" <0701234567>",0701234567,NULL'
    assert textio.split_line(asterisk_cdr_export.repair_clid(line)) == [
        "2024-03-06 10:00:00", '"Berg, Anna" <0701234567>', "0701234567", "NULL",
    ]  # fmt: skip
    proper = '"x","""Anna"" <1>",2'
    assert asterisk_cdr_export.repair_clid(proper) == proper


def test_grandstream_ucm_download_is_one_call_per_session() -> None:
    assert formats.detect(FIXTURES / "grandstream/cdr-ucm.csv").name == "asterisk_cdr_export"
    assert _counts("grandstream/cdr-ucm.csv") == (4, 3, 1, 1, 0, 0)
    calls = by_id(parse("grandstream/cdr-ucm.csv"))
    transferred = calls["1709712000.301"]
    assert (transferred["outcome"], transferred["wait_s"], transferred["talk_s"]) == ("answered", "20", "120")
    assert calls["1709713200.320"]["outcome"] == "abandoned"  # the UCM's IVR app answered


def test_3cx_header_row_in_another_order() -> None:
    parsed = parse("3cx/cdr-header.csv")
    assert parsed.format == "3cx"
    assert _counts("3cx/cdr-header.csv") == (4, 3, 1, 0, 0, 1)  # the header is not a record
    assert {k: v["outcome"] for k, v in by_id(parsed).items()} == {
        "4001": "answered",
        "4002": "abandoned",
        "4004": "failed",
    }
    assert by_id(parsed)["4001"]["wait_s"] == "22"


def test_queue_log_table_export() -> None:
    parsed = parse("queue_log/queue_log-table.csv")
    assert parsed.format == "asterisk_queue_log"
    assert _counts("queue_log/queue_log-table.csv") == (8, 3, 1, 4, 0, 1)
    calls = by_id(parsed)
    assert [calls[c]["outcome"] for c in sorted(calls)] == ["answered", "abandoned", "timeout"]
    assert calls["1709712010.401"]["started_at"] == "2024-03-06 09:00:10"  # datetime text: naive
    assert (calls["1709712010.401"]["wait_s"], calls["1709712010.401"]["talk_s"]) == ("15", "180")


def test_header_and_headerless_files_with_the_same_column_count_are_told_apart() -> None:
    report = textio.read_head(FIXTURES / "asterisk/freepbx-cdr-report.csv")
    master16 = textio.read_head(FIXTURES / "asterisk/Master-16.csv")
    assert (
        len(textio.split_line(report.splitlines()[0]))
        == len(textio.split_line(master16.splitlines()[0]))
        == 16
    )
    assert not asterisk_cdr.ADAPTER.sniff(report)
    assert not asterisk_cdr_export.ADAPTER.sniff(master16)
    header_3cx = textio.read_head(FIXTURES / "3cx/cdr-header.csv")
    plain_3cx = textio.read_head(FIXTURES / "3cx/cdr.log")
    assert threecx.header_fields(header_3cx.splitlines()[0]) is not None
    assert threecx.header_fields(plain_3cx.splitlines()[0]) is None


def test_master_csv_with_its_field_names_as_a_header_reads_like_master_csv(tmp_path: Path) -> None:
    """A Master.csv someone gave a header line (its own order, start/answer/end by name) is read by
    those names: the same calls as the headerless file, and the header is not a rejected record."""
    source = FIXTURES / "asterisk/Master.csv"
    header = ",".join([*asterisk_cdr.BASE, "uniqueid", "userfield"])
    path = tmp_path / "Master-with-header.csv"
    path.write_bytes(header.encode() + b"\n" + source.read_bytes())
    assert formats.detect(path).name == "asterisk_cdr_export"
    with_header = formats.get_adapter("asterisk_cdr_export").parse(path, options=AdapterOptions())
    plain = parse("asterisk/Master.csv")
    assert with_header.calls.drop("line_no").equals(plain.calls.drop("line_no"))
    assert with_header.records_read == plain.records_read
