"""SQL: the analyst's queries run read-only, time-limited and row-capped, with DuckDB's own errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from dashboard_helpers import NBSP, OpenPage, query
from streamlit.testing.v1 import AppTest

from dashboard import snapshot

ROOT = Path(__file__).resolve().parents[2]


def run_query(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="sql_text").input(sql)
    at.button(key="sql_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_query_shows_its_result_with_a_csv_download(open_page: OpenPage) -> None:
    sql = "select year, month, calls from calls_by_month where year = 2016 and month = 12"
    at = run_query(open_page("sql"), sql)
    result = at.dataframe[0].value
    assert list(result.columns) == ["year", "month", "calls"]
    assert result["calls"].tolist() == [6247]
    assert not at.error
    assert any(b.label == "Ladda ner CSV" for b in at.get("download_button"))


def test_every_example_query_runs(open_page: OpenPage) -> None:
    at = open_page("sql")
    for index, example in enumerate(snapshot.examples()):
        at.selectbox(key="sql_example").set_value(index)
        at.button(key="sql_use_example").click().run()
        assert at.text_area(key="sql_text").value == example.sql
        at.button(key="sql_run").click().run()
        assert not at.error, (example.title_sv, [e.value for e in at.error])
        assert at.dataframe[0].value.shape[0] > 0, example.title_sv


WRITES = [
    "drop table calls",
    "delete from calls",
    "insert into settings values ('x', 'y')",
    "update settings set value = '1' where name = 'baseline_calls_per_month'",
    "create table t as select 1",
    "copy calls to '/tmp/stolen.csv'",
    "attach '/tmp/other.duckdb' as other",
    "install httpfs",
    "load httpfs",
    "set threads = 1",
    "pragma enable_profiling",
    "checkpoint",
    "select 1; drop table calls",
    "export database '/tmp/export'",
]


@pytest.mark.parametrize("statement", WRITES)
def test_statements_that_change_anything_are_refused(
    open_page: OpenPage,
    dashboard_db: Path,
    statement: str,
) -> None:
    state = "select count(*), (select value from settings where name = 'build_id') from calls"
    before = query(dashboard_db, state)
    at = run_query(open_page("sql"), statement)
    assert len(at.error) == 1
    # Refused by the page's statement check, or (a state-changing PRAGMA) by the locked connection.
    assert at.error[0].value.startswith(("Bara en fråga i taget", "Frågan kunde inte köras: "))
    assert not any(b.label == "Ladda ner CSV" for b in at.get("download_button"))  # no result shown
    assert query(dashboard_db, state) == before
    assert not Path("/tmp/stolen.csv").exists()


@pytest.mark.parametrize("statement", [w for w in WRITES if w != "checkpoint" and ";" not in w])
def test_the_query_process_connection_refuses_them_even_without_the_statement_check(
    dashboard_db: Path,
    statement: str,
) -> None:
    """Defence in depth: the guard's statement check goes first, the query process's locked
    read-only connection refuses what slips past it. (`checkpoint` on a read-only file is a harmless
    no-op; chains of statements are refused by the one-statement rule.)"""
    script = (
        "import sys\n"
        "from pipeline import sql_reader\n"
        "request = {'db': sys.argv[1], 'duckdb_memory_bytes': 2**28, 'site_tz': 'Europe/Stockholm'}\n"
        "sql_reader.connect(request).execute(sys.argv[2]).fetchall()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(dashboard_db), statement],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode != 0
    refused = "read-only|disabled (by|through) configuration|configuration has been locked"
    assert re.search(refused, done.stderr), done.stderr


@pytest.mark.parametrize(
    "statement",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "select * from glob('/etc/*')",
        "select * from read_parquet('https://example.com/x.parquet')",
    ],
)
def test_file_and_network_access_is_refused_with_duckdbs_message(open_page: OpenPage, statement: str) -> None:
    at = run_query(open_page("sql"), statement)
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("Frågan kunde inte köras: ")
    assert "disabled by configuration" in message
    assert "Traceback" not in message


def test_a_syntax_error_shows_duckdbs_message(open_page: OpenPage) -> None:
    at = run_query(open_page("sql"), "selec 1")
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value)  # user text is escaped for markdown
    assert 'Parser Error: syntax error at or near "selec"' in shown


def test_a_runaway_query_is_stopped(open_page: OpenPage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "SQL_TIMEOUT_S", 2.0)
    at = run_query(open_page("sql"), "select count(*) from range(100000000) as a, range(100000) as b")
    assert at.error[0].value.startswith("Frågan stoppades efter 2 s")
    # The page still answers after the stop (with room for a fresh query process on a busy machine).
    monkeypatch.setattr(snapshot, "SQL_TIMEOUT_S", 60.0)
    run_query(at, "select 42 as answer")
    assert at.dataframe[0].value["answer"].tolist() == [42]


def test_results_are_capped_with_a_visible_note(open_page: OpenPage) -> None:
    at = run_query(open_page("sql"), "select * from range(25000)")
    assert at.dataframe[0].value.shape[0] == snapshot.SQL_MAX_ROWS
    assert at.warning[0].value == f"Resultatet är avkortat till de första 10{NBSP}000 raderna."


def test_browser_lists_tables_and_views_with_columns_and_descriptions(open_page: OpenPage) -> None:
    at = open_page("sql")
    labels = [e.label for e in at.expander]
    assert {"calls · table", "calls_by_week · view", "calls_by_month_week · view"} <= set(labels)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("ISO-vecka, hela växeln") for c in captions)


def test_the_browser_in_english_shows_the_database_comments_on_views_and_columns(
    open_page: OpenPage, dashboard_db: Path
) -> None:
    """The English help is what the database says about itself (COMMENT ON, from the SQL files)."""
    at = open_page("sql", lang="en")
    (view_comment,) = query(
        dashboard_db, "select comment from duckdb_views() where view_name = 'calls_by_week'"
    )[0]
    assert view_comment.startswith("calls_by_week: the whole switchboard per ISO week")
    assert view_comment in [c.value for c in at.caption]
    (table_comment,) = query(dashboard_db, "select comment from duckdb_tables() where table_name = 'calls'")[
        0
    ]
    assert table_comment in [c.value for c in at.caption]
    week = next(
        frame.value
        for frame in at.dataframe
        if "calls_per_workday_yoy_pct" in frame.value["Column"].tolist()
        and "iso_week" in frame.value["Column"].tolist()
    )
    assert list(week.columns) == ["Column", "Type", "Description"]
    described = dict(zip(week["Column"], week["Description"], strict=True))
    assert described["calls_yoy_pct"].startswith("change in per cent from calls_prev_year to calls")
    assert all(described.values())
