"""The merging adapters staged in partitions give exactly what their whole-file `parse` gives.

`parse` (what `callstats inspect` shows) reads the whole file into polars and merges it; `stage`
(what the ingest runs) reads records in chunks into DuckDB and merges one partition of calls at a
time. With chunks of a few records and several partitions, every fixture of these formats, a
generated sample and a file whose calls' records lie far apart must give the same canonical rows,
rejects (line numbers and reasons), filtered records, notices, facets and accounting. FreeSWITCH,
whose partitions are cut from the whole file, has generated files of its own in
test_format_freeswitch_partitioned.py.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from formats_helpers import FIXTURES

from bench.generate import canonical_frame, write_threecx_log
from pipeline.formats import get_adapter, partitioned
from pipeline.formats.base import CANONICAL_COLUMNS, AdapterOptions, ParsedFile
from pipeline.sample_writers import write_asterisk, write_cucm

TINY = [partitioned.Sizes(chunk_records=3, partition_records=4), partitioned.Sizes(2, 1_000_000)]

# (adapter, fixture, options): every fixture of the partitioned formats, with the switchboard
# filters their tests use.
FIXTURE_FILES: list[tuple[str, str, dict[str, Any]]] = [
    ("cucm", "cucm/cdr_StdCluster_01_202403040700_1", {}),
    ("cucm", "cucm/cdr_StdCluster_01_202403050800_2", {}),
    ("cucm", "cucm/cdr_headerless_129", {}),
    ("3cx", "3cx/cdr.log", {}),
    ("3cx", "3cx/cdr.log", {"switchboard_queues": ("800",)}),
    ("3cx", "3cx/cdr-header.csv", {}),
    ("3cx", "3cx/cdr-pbx-answers.log", {}),
    ("mapping", "3cx/cdr-custom.log", {"mapping": FIXTURES / "3cx/3cx-mapping.toml"}),
    ("mapping", "mapping/telia.csv", {"mapping": FIXTURES / "mapping/telia.toml"}),
    ("asterisk_queue_log", "queue_log/queue_log", {}),
    ("asterisk_queue_log", "queue_log/queue_log", {"switchboard_queues": ("vaxel",)}),
    ("asterisk_queue_log", "queue_log/queue_log-crash", {}),
    ("asterisk_queue_log", "queue_log/queue_log-table.csv", {}),
    ("teams", "teams/DirectRoutingUsage.csv", {}),
    ("teams", "teams/PSTNUsage-CallingPlans.csv", {}),
    ("asterisk_cdr_export", "asterisk/cdr-table-export.csv", {}),
    ("asterisk_cdr_export", "asterisk/cdr-table-export.csv", {"switchboard_contexts": ("from-trunk",)}),
    ("asterisk_cdr_export", "asterisk/freepbx-cdr-report.csv", {}),
    ("asterisk_cdr_export", "asterisk/freepbx-cdr-report.csv", {"source_tz": "Europe/Stockholm"}),
    ("asterisk_cdr_export", "grandstream/cdr-ucm.csv", {}),
    ("freeswitch_csv", "freeswitch/Master.csv", {}),
    ("freeswitch_csv", "freeswitch/Master.csv", {"switchboard_contexts": ("public",)}),
    ("freeswitch_csv", "freeswitch/default-template.csv", {}),
    ("freeswitch_csv", "freeswitch/sql-template.csv", {}),
    ("freeswitch_csv", "freeswitch/spreadsheet.csv", {}),
    ("freeswitch_csv", "freeswitch/loopback.csv", {}),
    ("freeswitch_csv", "freeswitch/loopback.csv", {"switchboard_contexts": ("public",)}),
]


def staged_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    frame = con.sql(f"select line_no, {', '.join(CANONICAL_COLUMNS)} from staged order by line_no").pl()
    return frame.to_dicts()


def assert_same(
    adapter_name: str, path: Path, options: AdapterOptions | None = None, sizes: partitioned.Sizes = TINY[0]
) -> ParsedFile:
    options = options or AdapterOptions()
    adapter = get_adapter(adapter_name)
    reference = adapter.parse(path, options=options)
    con = duckdb.connect()
    staged = adapter.stage(con, path, options=options, sizes=sizes)  # type: ignore[call-arg]
    expected = reference.calls.select(["line_no", *CANONICAL_COLUMNS]).sort("line_no")
    rows = staged_rows(con)
    con.close()
    assert rows == expected.to_dicts()
    assert staged.records_read == reference.records_read
    assert staged.merged == reference.merged
    assert sorted((i.line_no, i.reason) for i in staged.rejected) == sorted(
        (i.line_no, i.reason) for i in reference.rejected
    )
    assert sorted(i.raw for i in staged.rejected) == sorted(i.raw for i in reference.rejected)
    filtered = Counter(i.reason for i in staged.filtered) + Counter(staged.filtered_counts)
    assert filtered == Counter(i.reason for i in reference.filtered) + Counter(reference.filtered_counts)
    assert staged.notices == reference.notices
    assert staged.facets == reference.facets
    assert staged.direction_known == reference.direction_known
    accounted = (
        len(rows)
        + staged.merged
        + len(staged.rejected)
        + len(staged.filtered)
        + sum(staged.filtered_counts.values())
    )
    assert accounted == staged.records_read
    return staged


@pytest.mark.parametrize("sizes", TINY, ids=["tiny-partitions", "one-partition"])
@pytest.mark.parametrize(
    ("adapter", "relative", "options"), FIXTURE_FILES, ids=[f"{f[1]}{sorted(f[2])}" for f in FIXTURE_FILES]
)
def test_every_fixture_stages_as_it_parses(
    adapter: str, relative: str, options: dict[str, Any], sizes: partitioned.Sizes
) -> None:
    assert_same(adapter, FIXTURES / relative, AdapterOptions(**options), sizes=sizes)


def test_an_empty_file_after_the_header_stages_no_calls(tmp_path: Path) -> None:
    lines = (FIXTURES / "cucm/cdr_StdCluster_01_202403040700_1").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cdr_empty"
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    staged = assert_same("cucm", path)
    assert staged.records_read == 0


def test_combined_notices_sum_the_calls_they_count() -> None:
    notices = partitioned.combined_notices(
        [
            ["fixed", "2 call(s) entered more than one queue"],
            ["fixed", "3 call(s) entered more than one queue"],
        ]
    )
    assert notices == ["fixed", "5 call(s) entered more than one queue"]


# --- generated files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_calls() -> pl.DataFrame:
    con = duckdb.connect()
    try:
        return canonical_frame(con, 400, per_day=60)
    finally:
        con.close()


SAMPLE_SIZES = partitioned.Sizes(chunk_records=37, partition_records=120)


def test_generated_cucm_day_files_stage_as_they_parse(sample_calls: pl.DataFrame, tmp_path: Path) -> None:
    paths = write_cucm(sample_calls, tmp_path)
    assert len(paths) > 1
    for path in paths:
        assert_same("cucm", path, sizes=SAMPLE_SIZES)


def test_generated_queue_log_stages_as_it_parses(sample_calls: pl.DataFrame, tmp_path: Path) -> None:
    write_asterisk(sample_calls, tmp_path)
    staged = assert_same("asterisk_queue_log", tmp_path / "queue_log", sizes=SAMPLE_SIZES)
    assert staged.records_read > 3 * SAMPLE_SIZES.partition_records


def test_generated_3cx_log_stages_as_it_parses(tmp_path: Path) -> None:
    con = duckdb.connect()
    try:
        path = write_threecx_log(con, 400, tmp_path / "cdr.log", per_day=60)
    finally:
        con.close()
    assert_same("3cx", path, sizes=SAMPLE_SIZES)


def partition_heights(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The records of each partition the stage merges from now on, in order."""
    heights: list[int] = []
    stage_one = partitioned._stage_one

    def counting(
        con: duckdb.DuckDBPyConnection, merge: partitioned.Merge, frame: pl.DataFrame, *, first: bool
    ) -> ParsedFile:
        heights.append(frame.height)
        return stage_one(con, merge, frame, first=first)

    monkeypatch.setattr(partitioned, "_stage_one", counting)
    return heights


def test_the_stage_merges_more_than_one_partition(
    sample_calls: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_asterisk(sample_calls, tmp_path)
    merged = partition_heights(monkeypatch)
    staged = assert_same("asterisk_queue_log", tmp_path / "queue_log", sizes=SAMPLE_SIZES)
    assert len(merged) >= 3
    assert sum(merged) <= staged.records_read
    assert max(merged) < staged.records_read


def _queue_log_far_apart(calls: int, *, datetime_calls: int = 0) -> str:
    """Every call enters its queues at the top of the file and leaves at the bottom; every third
    overflows into a second queue (a counted notice); the first `datetime_calls` calls write their
    times as datetime text, the way one damaged stretch of a file might."""
    first: list[str] = []
    last: list[str] = []
    for i in range(calls):
        t = 1_700_000_000 + 60 * i
        stamp = (
            dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            if i < datetime_calls
            else str(t)
        )
        callid = f"{t}.{i}"
        first.append(f"{stamp}|{callid}|vaxel|NONE|ENTERQUEUE||0701234{i:03d}|1")
        if i % 3 == 0:
            first.append(f"{stamp}|{callid}|vaxel|NONE|EXITWITHTIMEOUT|1|1|30")
            first.append(f"{stamp}|{callid}|overflow|NONE|ENTERQUEUE||0701234{i:03d}|1")
        first.append(f"{stamp}|NONE|NONE|PJSIP/201|PAUSE|")
        if i % 2:
            last.append(f"{stamp}|{callid}|vaxel|PJSIP/201|CONNECT|12|{callid}|3")
            last.append(f"{stamp}|{callid}|vaxel|PJSIP/201|COMPLETECALLER|12|95|1")
        else:
            last.append(f"{stamp}|{callid}|vaxel|NONE|ABANDON|1|1|40")
    return "\n".join([*first, *last]) + "\n"


def test_a_calls_events_far_apart_in_the_file_stay_one_call(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(_queue_log_far_apart(30), encoding="utf-8")
    staged = assert_same("asterisk_queue_log", path)
    assert staged.notices == ["10 call(s) entered more than one queue: counted once, under the first queue"]


def test_the_time_layout_is_voted_over_the_whole_file(tmp_path: Path) -> None:
    # 10 of 30 calls write datetime text: the file writes epochs, so their events are unreadable,
    # even in a partition where datetime text is the majority.
    path = tmp_path / "queue_log"
    path.write_text(_queue_log_far_apart(30, datetime_calls=10), encoding="utf-8")
    staged = assert_same(
        "asterisk_queue_log", path, sizes=partitioned.Sizes(chunk_records=5, partition_records=8)
    )
    assert any(i.reason == "unreadable event time" for i in staged.rejected)


def _cdr_report(calls: int, *, local_calls: int) -> str:
    """A FreePBX CDR Reports download: one record per call; the first `local_calls` write their
    start an hour after their uniqueid epoch (server local time), the rest at it (UTC)."""
    header = "calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield"
    lines = [header]
    for i in range(calls):
        epoch = 1_709_712_000 + 97 * i
        start = dt.datetime.fromtimestamp(epoch + (3600 if i < local_calls else 0), dt.UTC)
        lines.append(
            f'{start:%Y-%m-%d %H:%M:%S},"""Caller {i}"" <070{i:07d}>",070{i:07d},051317000,ext-queues,'
            f'PJSIP/telia-{i:08x},PJSIP/201-{i:08x},Queue,"600,t,,,300",90,{60 if i % 2 else 0},'
            f"{'ANSWERED' if i % 2 else 'NO ANSWER'},3,,{epoch}.{i},"
        )
    return "\n".join(lines) + "\n"


def test_the_time_zone_evidence_is_the_whole_files(tmp_path: Path) -> None:
    # 12 of 30 records are an hour off their uniqueid: the file's median says UTC, though a
    # partition of mostly those records would say local time.
    path = tmp_path / "cdr-report.csv"
    path.write_text(_cdr_report(30, local_calls=12), encoding="utf-8")
    staged = assert_same(
        "asterisk_cdr_export", path, sizes=partitioned.Sizes(chunk_records=4, partition_records=3)
    )
    assert staged.notices[0] == "uniqueid epochs match start: times read as UTC (usegmtime=yes)"


def test_a_cucm_calls_records_far_apart_stay_one_call(sample_calls: pl.DataFrame, tmp_path: Path) -> None:
    # A generated day file with every other record moved to the end, in reverse: the records of
    # a transferred call lie at both ends of the file.
    day = write_cucm(sample_calls, tmp_path / "days")[0]
    lines = day.read_text(encoding="utf-8").splitlines(keepends=True)
    header, data = lines[:2], lines[2:]
    path = tmp_path / "cdr_far_apart"
    path.write_text("".join([*header, *data[::2], *data[1::2][::-1]]), encoding="utf-8")
    staged = assert_same("cucm", path, sizes=partitioned.Sizes(chunk_records=7, partition_records=10))
    assert staged.merged > 0
