"""The ingest loads the same calls, facts and accounting whether an adapter's file is staged whole
or in partitions: generated queue_log, CUCM, 3CX and FreeSWITCH files ingested both ways into two
databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from bench.generate import canonical_frame, write_freeswitch_csv, write_threecx_log
from pipeline.formats import partitioned
from pipeline.formats.asterisk_queue_log import QueueLogAdapter
from pipeline.formats.base import AdapterOptions, ParsedFile, stage_frame
from pipeline.formats.cucm import CucmAdapter
from pipeline.formats.freeswitch_csv import FreeswitchAdapter
from pipeline.formats.threecx import ThreeCxAdapter
from pipeline.ingest import ingest
from pipeline.sample_writers import write_asterisk, write_cucm
from tests.conftest import settings_for

pytestmark = pytest.mark.usefixtures("new_site")

TABLES = {
    "calls": "select * exclude (file_id) from calls order by call_id",
    "facts": "select * from calls_by_day order by all",
    "files": "select rows_read, loaded, merged, rejected, filtered from ingested_files order by all",
    "filtered": "select reason, rows from filtered_rows order by all",
    "rejected": "select line_no, reason from rejected_rows order by all",
}


def contents(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


def whole_file(
    self: object, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions
) -> ParsedFile:
    """The stage before partitions: the whole-file parse, then stage_frame."""
    return stage_frame(con, self.parse(path, options=options))  # type: ignore[attr-defined]


def tiny(original: Callable[..., ParsedFile]) -> Callable[..., ParsedFile]:
    def stage(con: duckdb.DuckDBPyConnection, plan: partitioned.Plan, sizes: partitioned.Sizes) -> ParsedFile:
        return original(con, plan, partitioned.Sizes(chunk_records=97, partition_records=300))

    return stage


def inputs(folder: Path) -> list[Path]:
    con = duckdb.connect()
    try:
        calls = canonical_frame(con, 600, per_day=150)
        threecx = write_threecx_log(con, 600, folder / "3cx" / "cdr.log", per_day=150)
        generated = write_freeswitch_csv(con, 600, folder / "freeswitch.csv", per_day=150)
    finally:
        con.close()
    write_asterisk(calls, folder / "asterisk")
    # FreeSWITCH with every B leg far from its A leg: at the end of the file, in reverse.
    lines = generated.read_text(encoding="utf-8").splitlines(keepends=True)
    freeswitch = folder / "freeswitch" / "Master.csv"
    freeswitch.parent.mkdir()
    freeswitch.write_text(
        "".join([*(x for x in lines if '"public"' in x), *(x for x in lines[::-1] if '"public"' not in x)]),
        encoding="utf-8",
    )
    generated.unlink()
    return [folder / "asterisk" / "queue_log", *write_cucm(calls, folder / "cucm"), threecx, freeswitch]


def test_partitions_load_what_the_whole_file_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "3cx").mkdir()
    files = inputs(tmp_path)
    key = tmp_path / "private" / "key"  # one key: the same callers get the same pseudonyms
    with monkeypatch.context() as whole:
        for adapter in (QueueLogAdapter, CucmAdapter, ThreeCxAdapter, FreeswitchAdapter):
            whole.setattr(adapter, "stage", whole_file)
        reference = ingest(files, settings_for(tmp_path / "whole", site=None, key_file=str(key)))
    monkeypatch.setattr(partitioned, "stage_partitioned", tiny(partitioned.stage_partitioned))
    report = ingest(files, settings_for(tmp_path / "parts", site=None, key_file=str(key)))
    assert [f.status for f in report.files] == [f.status for f in reference.files]
    assert all(f.status == "loaded" and f.accounted for f in report.files)
    assert [f.notices for f in report.files] == [f.notices for f in reference.files]
    whole_db, parts_db = (
        contents(tmp_path / "whole" / "callstats.duckdb"),
        contents(tmp_path / "parts" / "callstats.duckdb"),
    )
    assert len(whole_db["calls"]) > 1000
    assert parts_db == whole_db
