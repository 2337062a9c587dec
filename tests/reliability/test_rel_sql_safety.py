"""Safe SQL on both surfaces that offer it, `callstats query` and the dashboard's SQL page runner
(dashboard.data.run_sql): hostile statements are refused or harmless, nothing is read from or
written to the file system, and the database file is byte-for-byte unchanged afterwards."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rel_helpers import run_cli, sha256_file, small_files

from dashboard import data
from pipeline.ingest import ingest
from tests.conftest import settings_for

# Statements that must be refused by both surfaces. {out} is a folder that must stay empty.
REFUSED = (
    "drop table calls",
    "drop view calls_by_day",
    "delete from calls",
    "truncate calls",
    "insert into settings values ('x', 'y')",
    "update calls set outcome = 'answered'",
    "create table stolen as select * from calls",
    "create macro evil(x) as x",
    "create view v as select 1",
    "alter table calls add column x int",
    "copy calls to '{out}/calls.csv'",
    "copy (select * from calls) to '{out}/calls.parquet' (format parquet)",
    "export database '{out}/export'",
    "attach '{out}/other.duckdb' as other",
    "attach ':memory:' as scratch",
    "detach callstats",
    "install httpfs",
    "load httpfs",
    "load '{out}/evil.duckdb_extension'",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset threads",
    "pragma threads = 1",
    "pragma enable_profiling",
    "set profiling_output = '{out}/profile.json'",
    "set temp_directory = '{out}/spill'",
    "select * from read_csv('/etc/passwd')",
    "select * from read_csv_auto('/etc/hostname')",
    "select * from read_parquet('{out}/x.parquet')",
    "select * from read_text('/etc/passwd')",
    "select * from read_blob('/etc/passwd')",
    "select * from read_json('/etc/passwd')",
    "select * from glob('/etc/*')",
    "select * from sniff_csv('/etc/passwd')",
    "select * from '/etc/passwd'",
    "select * from read_csv('http://127.0.0.1:9/x.csv')",
    "copy calls from '/etc/passwd'",
    "select 1; drop table calls",
    "select 1; copy calls to '{out}/second.csv'",
    "select getenv('HOME')",
    "create secret s (type s3, key_id 'a', secret 'b')",
    "select * from duckdb_secrets()",
    "call enable_logging()",
)
# Allowed by the read-only CLI connection because they change nothing (the file is opened read-only;
# a temporary object dies with the connection); the dashboard refuses them as statements that do
# not read. Both leave the file unchanged.
HARMLESS = (
    "checkpoint",
    "force checkpoint",
    "vacuum",
    "begin transaction",
    "create temp table t as select * from calls",
    "create temp macro m(x) as x + 1",
    "set variable v = 1",
)
# Reads that stay inside the database: query_table/query only see its own tables and views.
READS = (
    "select count(*) from query_table('calls')",
    "select count(*) from query('select * from calls')",
    "select count(*) from query_table('/etc/passwd')",
    "select current_setting('enable_external_access')",
)
RUNAWAY = "select count(*) from range(10000000000) as a, range(1000) as b"
HUGE = "select * from range(200000)"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlsafety")
    settings = settings_for(folder)
    ingest(small_files(folder / "in", 3), settings)
    return settings.db


def _cli(db: Path, sql: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("query", "--db", str(db), "--format", "csv", *extra, sql)


def test_there_are_enough_hostile_statements() -> None:
    assert len(REFUSED) + len(HARMLESS) + 2 >= 25


@pytest.mark.slow
def test_callstats_query_refuses_or_is_harmless(db: Path, tmp_path: Path) -> None:
    before = sha256_file(db)
    out = tmp_path / "out"
    out.mkdir()
    statements = [s.format(out=out) for s in (*REFUSED, *HARMLESS, *READS)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(statements, pool.map(lambda s: _cli(db, s), statements), strict=True))
    for statement in statements:
        result = results[statement]
        assert "Traceback" not in result.stderr, statement
        assert "root:" not in result.stdout, statement  # nothing of /etc/passwd
        if any(statement == s.format(out=out) for s in REFUSED):
            assert result.returncode == 2, (statement, result.stdout)
            assert result.stderr.count("\n") == 1 and result.stderr.startswith("callstats: "), statement
        elif any(statement == s.format(out=out) for s in HARMLESS):
            assert result.returncode == 0, (statement, result.stderr)
    assert results["select count(*) from query_table('/etc/passwd')"].returncode == 2
    assert list(out.iterdir()) == []
    assert sha256_file(db) == before


def test_callstats_query_stops_a_runaway_query_and_caps_a_huge_result(db: Path) -> None:
    before = sha256_file(db)
    runaway = _cli(db, RUNAWAY, "--timeout", "1")
    assert runaway.returncode == 2 and "stopped after 1 s" in runaway.stderr
    huge = _cli(db, HUGE, "--max-rows", "500")
    assert huge.returncode == 0
    assert len(huge.stdout.splitlines()) == 501  # header and the cap
    assert "showing the first 500 rows" in huge.stderr
    assert sha256_file(db) == before


def test_the_dashboard_runner_refuses_or_is_harmless(db: Path, tmp_path: Path) -> None:
    before = sha256_file(db)
    out = tmp_path / "out"
    out.mkdir()
    snap = data.current_snapshot(db)
    for statement in (s.format(out=out) for s in (*REFUSED, *HARMLESS)):
        with pytest.raises((data.SqlRefused, data.SqlFailed)):
            data.run_sql(snap, statement, timeout_s=30)
    assert data.run_sql(snap, "select count(*) from query_table('calls')").frame.item() > 0
    with pytest.raises(data.SqlFailed):
        data.run_sql(snap, "select count(*) from query_table('/etc/passwd')")
    # After all of that the shared connection still answers, with nothing left behind.
    assert data.run_sql(snap, "select count(*) as n from duckdb_temporary_files()").frame.item() == 0
    assert list(out.iterdir()) == []
    assert sha256_file(db) == before


def test_the_dashboard_runner_stops_a_runaway_query_and_caps_a_huge_result(db: Path) -> None:
    before = sha256_file(db)
    snap = data.current_snapshot(db)
    with pytest.raises(data.QueryTimeout):
        data.run_sql(snap, RUNAWAY, timeout_s=1)
    result = data.run_sql(snap, HUGE, max_rows=500)
    assert result.truncated and result.frame.height == 500
    assert data.run_sql(snap, "select 42 as n").frame.item() == 42  # usable after an interrupt
    assert sha256_file(db) == before
