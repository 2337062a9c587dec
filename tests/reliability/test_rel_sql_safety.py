"""Safe SQL on both surfaces that offer it, `callstats query` and the dashboard's SQL page runner
(dashboard.snapshot.run_sql): hostile statements are refused or harmless, nothing is read from or
written to the file system, and the database file is byte-for-byte unchanged afterwards."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rel_helpers import ROOT, run_cli, sha256_file, small_files

from dashboard import snapshot
from pipeline import sql_guard, store
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
# Statements that change nothing on a read-only file, but are not queries: refused by the one guard
# on both surfaces (once only the dashboard refused them).
NOT_QUERIES = (
    "checkpoint",
    "force checkpoint",
    "vacuum",
    "begin transaction",
    "create temp table t as select * from calls",
    "create temp macro m(x) as x + 1",
    "set variable v = 1",
    "update extensions",
    "pivot calls on outcome",
)
# Write paths and statement-type bypasses. {tmp} is the reader's own temporary folder beside the
# database, which DuckDB lets a connection write to even with external access off.
WRITE_PATHS = (
    "copy calls to '{tmp}/x.csv'",
    "copy (select * from calls) to '{tmp}/x.parquet' (format parquet)",
    "export database '{tmp}/exp'",
    "explain analyze copy calls to '{tmp}/y.csv'",
    "explain copy calls to '{tmp}/z.csv'",
    "explain (analyze) export database '{tmp}/exp2'",
    "explain analyze explain analyze copy calls to '{tmp}/w.csv'",
    "import database '{tmp}/exp'",
    "copy from database callstats to memory",
    "pragma import_database('{tmp}/exp')",
    "pragma threads = 1",
    "pragma profiling_output = '{tmp}/p.json'",
    "call pragma_table_info('calls')",
    "select 1; select 2",
    "",
    "   ",
    "-- only a comment",
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
# Memory that DuckDB's buffer manager does not see or cannot stop: a plan built from a long chain
# (planning time), a list built outside the buffers, wide values that make a few rows huge.
PLANNING_MEMORY = " union all ".join(["select 1"] * 10_000)
OUT_OF_BUFFER = "select len(range(500000000))"
WIDE_ROWS = "select repeat('x', 1000000) as x from range(1000)"
NOT_PYTHON = "select interval 100000000 years as long_time"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlsafety")
    settings = settings_for(folder)
    ingest(small_files(folder / "in", 3), settings)
    return settings.db


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str  # the one error line, or ""
    text: str  # the result as CSV-like text (rows joined), or ""
    truncated_by: str | None


def _cli(db: Path, sql: str, *extra: str) -> subprocess.CompletedProcess[str]:
    if len(sql) > 100_000:  # longer than one command-line argument may be: through stdin
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "query", "--db", str(db), "--format", "csv", *extra, "-"],
            input=sql,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
    return run_cli("query", "--db", str(db), "--format", "csv", *extra, sql)


def via_cli(db: Path, sql: str, **limits: str) -> Outcome:
    extra = [part for name, value in limits.items() for part in (f"--{name.replace('_', '-')}", value)]
    done = _cli(db, sql, *extra)
    assert "Traceback" not in done.stderr, (sql, done.stderr)
    if done.returncode != 0:
        assert done.returncode == 2, (sql, done.stderr)
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("callstats: "), (sql, done.stderr)
        return Outcome(False, done.stderr.strip(), "", None)
    truncated = "rows" if "--max-rows" in done.stderr else "bytes" if "--max-bytes" in done.stderr else None
    return Outcome(True, "", done.stdout, truncated)


def via_dashboard(db: Path, sql: str, **limits: str) -> Outcome:
    snap = snapshot.current_snapshot(db)
    arguments: dict[str, Any] = {}
    if "timeout" in limits:
        arguments["timeout_s"] = float(limits["timeout"])
    if "max_rows" in limits:
        arguments["max_rows"] = int(limits["max_rows"])
    if "max_bytes" in limits:
        arguments["max_bytes"] = sql_guard.parse_size(limits["max_bytes"], "max_bytes")
    try:
        result = snapshot.run_sql(snap, sql, **arguments)
    except (snapshot.SqlRefused, snapshot.SqlFailed, snapshot.QueryTimeout) as exc:
        assert "\n" not in str(exc), (sql, str(exc))
        return Outcome(False, str(exc), "", None)
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in result.frame.iter_rows())
    return Outcome(True, "", text, result.truncated_by)


SURFACES = {"cli": via_cli, "dashboard": via_dashboard}


@pytest.fixture(params=list(SURFACES))
def run(request: pytest.FixtureRequest) -> Callable[..., Outcome]:
    return SURFACES[request.param]


def test_there_are_enough_hostile_statements() -> None:
    assert len(REFUSED) + len(NOT_QUERIES) + len(WRITE_PATHS) >= 60


def _statements(db: Path, out: Path) -> list[str]:
    tmp = db.with_name(db.name + ".tmp")
    return [s.format(out=out, tmp=tmp) for s in (*REFUSED, *NOT_QUERIES, *WRITE_PATHS)]


@pytest.mark.slow
def test_both_surfaces_refuse_every_hostile_statement(
    db: Path, tmp_path: Path, run: Callable[..., Outcome]
) -> None:
    before = sha256_file(db)
    out = tmp_path / "out"
    out.mkdir()
    statements = _statements(db, out)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(statements, pool.map(lambda s: run(db, s), statements), strict=True))
    for statement, outcome in outcomes.items():
        assert not outcome.ok, (statement, outcome.text[:200])
        assert "root:" not in outcome.message, statement  # nothing of /etc/passwd
    # Nothing was written: not in the given folder, not in the reader's own temporary folder.
    assert list(out.iterdir()) == []
    assert not db.with_name(db.name + ".tmp").exists()
    assert sha256_file(db) == before


def test_reads_inside_the_database_run_on_both_surfaces(db: Path, run: Callable[..., Outcome]) -> None:
    assert run(db, "select count(*) from query_table('calls')").ok
    assert run(db, "select count(*) from query('select * from calls')").ok
    assert not run(db, "select count(*) from query_table('/etc/passwd')").ok
    for allowed in (
        "explain select count(*) from calls",
        "explain analyze select count(*) from calls",
        "/* why */ explain (format json) select 1",
        "pragma table_info('calls')",
        "describe calls",
        "from calls limit 1",
    ):
        assert run(db, allowed).ok, allowed
    settings = run(db, "select current_setting('temp_directory'), current_setting('allowed_directories')")
    assert settings.text.strip().splitlines()[-1] == ",[]"  # no temporary folder, nothing allowed


def test_a_runaway_query_is_stopped_from_outside(db: Path, run: Callable[..., Outcome]) -> None:
    before = sha256_file(db)
    outcome = run(db, RUNAWAY, timeout="1")
    assert not outcome.ok and "stopped after 1 s" in outcome.message
    assert run(db, "select 42 as n").text.strip().endswith("42")  # usable afterwards
    assert sha256_file(db) == before


@pytest.mark.parametrize("statement", [PLANNING_MEMORY, OUT_OF_BUFFER, WIDE_ROWS])
def test_memory_is_bounded_for_the_whole_query_process(
    db: Path, run: Callable[..., Outcome], statement: str
) -> None:
    outcome = run(db, statement, timeout="120")
    if outcome.ok:  # the only acceptable success: a result cut by the byte cap
        assert outcome.truncated_by == "bytes", statement[:60]
    else:
        assert "memory" in outcome.message, outcome.message


def test_the_row_cap_and_the_byte_cap(db: Path, run: Callable[..., Outcome]) -> None:
    rows = run(db, HUGE, max_rows="500")
    assert rows.ok and rows.truncated_by == "rows"
    assert len(rows.text.strip().splitlines()) in (500, 501)  # the CLI adds a header line
    wide = run(db, "select repeat('x', 100000) as x from range(1000)", max_bytes="1MB")
    assert wide.ok and wide.truncated_by == "bytes"
    assert 9 <= len(wide.text.strip().splitlines()) <= 11  # ten rows of 100 kB, plus the CLI's header


def test_values_python_cannot_hold_are_shown_as_text(db: Path, run: Callable[..., Outcome]) -> None:
    outcome = run(db, NOT_PYTHON)
    assert outcome.ok and "100000000 years" in outcome.text


def test_times_are_shown_in_the_sites_zone(db: Path, run: Callable[..., Outcome]) -> None:
    """The input wrote the times with +01:00 (Stockholm in March); a reader shows them so, not in UTC."""
    sql = (
        "select min(started_at) as first,"
        " strftime(timezone('Europe/Stockholm', min(started_at)), '%H:%M') as local from calls"
    )
    first, local = run(db, sql).text.strip().splitlines()[-1].split(",")
    assert first.endswith(f"{local}:00+01:00"), (first, local)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeout", "0"),
        ("timeout", "-5"),
        ("timeout", "nan"),
        ("timeout", "inf"),
        ("max-rows", "-1"),
        ("max-rows", "0"),
        ("max-bytes", "0"),
        ("max-bytes", "lots"),
        ("memory", "1MB"),
    ],
)
def test_invalid_limits_are_refused_in_one_line(db: Path, name: str, value: str) -> None:
    done = _cli(db, "select 1", f"--{name}", value)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("callstats: ")
    assert value in done.stderr or name.split("-")[0] in done.stderr


def test_the_dashboard_refuses_invalid_limits(db: Path) -> None:
    snap = snapshot.current_snapshot(db)
    for arguments in ({"timeout_s": 0.0}, {"timeout_s": float("nan")}, {"max_rows": -1}, {"max_bytes": 0}):
        with pytest.raises(sql_guard.SqlLimitError):
            snapshot.run_sql(snap, "select 1", **arguments)


def test_the_dashboards_own_reader_shows_times_in_the_sites_zone_and_stays_locked(db: Path) -> None:
    con = store.connect_readonly(db)
    try:
        [(zone, first)] = con.execute(
            "select current_setting('TimeZone'), min(started_at) from calls"
        ).fetchall()
        assert zone == "Europe/Stockholm" and first.utcoffset() == dt.timedelta(hours=1)
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("set TimeZone = 'UTC'")
    finally:
        con.close()
