"""Cached loaders over one read-only connection per published snapshot.

A snapshot is the published file as it is now: (path, inode, mtime, size). Each publish renames a new
file over the old one, so the identity changes and every cache keyed on it misses once. Two things
keep that correct:

- DuckDB caches database instances by path inside a process: while any connection to the path is
  open, a new `connect(path)` still sees the old file. So the old connection is closed (the resource
  cache is cleared, its on_release closes it) *before* the new snapshot is opened.
- A DuckDB connection is not safe to share between threads (Streamlit runs each session in its own
  thread), so every query runs on a short-lived cursor of the shared connection.

Loaders return polars frames; values are always bound parameters.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import polars as pl
import streamlit as st

from pipeline import sql_guard
from pipeline.forecast import Forecast, load_history, make_forecast
from pipeline.sql_guard import SqlFailed, SqlRefused
from pipeline.sql_guard import SqlTimeout as QueryTimeout
from pipeline.staffing_check import WeekCheck, check_weeks
from pipeline.store import StoreError, connect_readonly, snapshot_identity

QUERIES = Path(__file__).resolve().parent / "queries"
SQL_TIMEOUT_S = 10.0
SQL_MAX_ROWS = 10_000
SQL_MAX_BYTES = 20_000_000
SQL_MEMORY = "2GB"
REJECTED_ROWS_SHOWN = 1_000

__all__ = ["DataUnavailable", "QueryTimeout", "Snapshot", "SqlFailed", "SqlRefused", "SqlResult"]


class DataUnavailable(Exception):
    """The database is missing or is being replaced: shown as a friendly message, not a traceback."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind  # "missing" or "replacing"
        self.detail = detail


class Snapshot(NamedTuple):
    db: str
    identity: tuple[int, int, int]


def current_snapshot(db: Path) -> Snapshot:
    try:
        return Snapshot(str(db.resolve()), snapshot_identity(db))
    except FileNotFoundError:
        raise DataUnavailable("missing", f"no database at {db}") from None


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=1, on_release=_close, show_spinner=False)
def _open(db: str, identity: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    return connect_readonly(Path(db))


_switch = threading.Lock()
_opened: list[Snapshot] = []


def connection(snap: Snapshot) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to this snapshot, opened once."""
    with _switch:
        if _opened and _opened[0] != snap:
            _open.clear()  # closes the old snapshot's connection first (see the module docstring)
            _opened.clear()
        try:
            con = _open(snap.db, snap.identity)
        except StoreError as exc:
            raise DataUnavailable("missing", str(exc)) from None
        if not _opened:
            _opened.append(snap)
        return con


def _forget(snap: Snapshot) -> None:
    """Drop a connection that was closed under us, so that the next run opens the file afresh."""
    with _switch:
        if _opened and _opened[0] == snap:
            _open.clear()
            _opened.clear()


def _cursor(snap: Snapshot) -> duckdb.DuckDBPyConnection:
    try:
        return connection(snap).cursor()
    except duckdb.ConnectionException as exc:
        _forget(snap)
        raise DataUnavailable("replacing", str(exc)) from None


def _frame(snap: Snapshot, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    cursor = _cursor(snap)
    try:
        frame: pl.DataFrame = cursor.sql(sql, params=params or {}).pl()
        return frame
    except duckdb.ConnectionException as exc:
        # Another session switched to a newer snapshot and closed this one under us.
        _forget(snap)
        raise DataUnavailable("replacing", str(exc)) from None
    finally:
        cursor.close()


@cache
def query_text(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


# --- settings and period tables ------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def settings(snap: Snapshot) -> dict[str, str]:
    frame = _frame(snap, "select name, coalesce(value, '') as value from settings order by name")
    return dict(zip(frame["name"].to_list(), frame["value"].to_list(), strict=True))


def data_through(snap: Snapshot) -> dt.date:
    return dt.date.fromisoformat(settings(snap)["data_through"])


def _period_view(
    snap: Snapshot, view: str, org: str, where: str, order: str, params: dict[str, Any]
) -> pl.DataFrame:
    """A period view for the whole switchboard, or its `_org` twin for one organisation.

    `view`, `where` and `order` are fixed strings of this module, never user input; values are bound.
    """
    if not org:
        return _frame(snap, f"select * from {view} {where} order by {order}", params)
    org_where = f"{where} and organisation = $org" if where else "where organisation = $org"
    return _frame(
        snap,
        f"select * exclude (organisation) from {view}_org {org_where} order by {order}",
        {**params, "org": org},
    )


@st.cache_data(max_entries=16, show_spinner=False)
def data_health(snap: Snapshot) -> list[dict[str, Any]]:
    """The snapshot's data-health findings (none for a database built before they existed)."""
    try:
        return _frame(snap, query_text("data_health")).to_dicts()
    except duckdb.CatalogException:
        return []


@st.cache_data(max_entries=32, show_spinner=False)
def weeks(snap: Snapshot, org: str) -> pl.DataFrame:
    """calls_by_week (whole switchboard) or calls_by_week_org for one organisation."""
    return _period_view(snap, "calls_by_week", org, "", "iso_year, iso_week", {})


@st.cache_data(max_entries=32, show_spinner=False)
def months(snap: Snapshot, org: str) -> pl.DataFrame:
    return _period_view(snap, "calls_by_month", org, "", "year, month", {})


@st.cache_data(max_entries=64, show_spinner=False)
def month_weeks(snap: Snapshot, org: str, year: int, month: int) -> pl.DataFrame:
    return _period_view(
        snap,
        "calls_by_month_week",
        org,
        "where year = $year and month = $month",
        "first_date",
        {"year": year, "month": month},
    )


@st.cache_data(max_entries=32, show_spinner=False)
def events(snap: Snapshot, org: str) -> pl.DataFrame:
    """The recorded events (pipeline.events); none in a database from before events existed."""
    exists = _frame(snap, "select count(*) as n from duckdb_tables() where table_name = 'events'")
    if not exists["n"][0]:
        return pl.DataFrame(schema={"id": pl.Int32, "first_date": pl.Date, "last_date": pl.Date,
                                    "organisation": pl.String, "kind": pl.String, "text": pl.String})
    return _frame(snap, query_text("events"), {"org": org})


@st.cache_data(max_entries=64, show_spinner=False)
def week_key_figures(snap: Snapshot, org: str, iso_year: int, iso_week: int) -> pl.DataFrame:
    params = {"org": org, "iso_year": iso_year, "iso_week": iso_week}
    return _frame(snap, query_text("week_key_figures"), params)


@st.cache_data(max_entries=64, show_spinner=False)
def days(snap: Snapshot, org: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    return _frame(snap, query_text("week_days"), {"org": org, "first": first, "last": last})


@st.cache_data(max_entries=64, show_spinner=False)
def hour_heatmap(snap: Snapshot, org: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    return _frame(snap, query_text("hour_heatmap"), {"org": org, "first": first, "last": last})


# --- the data page -------------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def overview(snap: Snapshot) -> dict[str, Any]:
    # From the daily facts, not the call rows: after a purge the rows are gone, the statistics not.
    frame = _frame(
        snap,
        "select cast(coalesce(sum(calls), 0) as bigint) as calls, min(date) as first_date from daily_facts",
    )
    return frame.row(0, named=True)


@st.cache_data(max_entries=16, show_spinner=False)
def ingested_files(snap: Snapshot) -> pl.DataFrame:
    return _frame(
        snap,
        "select file_id, path, format, source_system, rows_read, loaded, merged, duplicate, rejected, "
        "filtered, status, message, finished_at from ingested_files order by file_id",
    )


@st.cache_data(max_entries=16, show_spinner=False)
def rejected_rows(snap: Snapshot) -> pl.DataFrame:
    return _frame(
        snap,
        "select f.path, r.line_no, r.reason, r.raw from rejected_rows as r "
        "left join ingested_files as f using (file_id) order by r.file_id, r.line_no limit $cap",
        {"cap": REJECTED_ROWS_SHOWN},
    )


@st.cache_data(max_entries=16, show_spinner=False)
def rejected_reasons(snap: Snapshot) -> pl.DataFrame:
    return _frame(
        snap,
        "select reason, count(*) as rows from rejected_rows group by reason order by rows desc",
    )


@st.cache_data(max_entries=16, show_spinner=False)
def filtered_reasons(snap: Snapshot) -> pl.DataFrame:
    return _frame(
        snap,
        "select reason, cast(sum(rows) as bigint) as rows from filtered_rows "
        "group by reason order by rows desc",
    )


# --- the SQL page --------------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def catalog(snap: Snapshot) -> pl.DataFrame:
    """Tables and views of the main schema with their columns and the database's descriptions of both."""
    return _frame(snap, query_text("catalog"))


@dataclass(frozen=True)
class SqlResult:
    frame: pl.DataFrame
    truncated: bool
    seconds: float
    truncated_by: str | None = None  # "rows" or "bytes"


def run_sql(
    snap: Snapshot,
    sql: str,
    timeout_s: float = SQL_TIMEOUT_S,
    max_rows: int = SQL_MAX_ROWS,
    max_bytes: int = SQL_MAX_BYTES,
) -> SqlResult:
    """Run the analyst's query through the pipeline's SQL guard, the same one `callstats query` uses:
    one reading statement, in a child process bounded in time, memory, rows and bytes. Never cached:
    the analyst expects Run to run."""
    limits = sql_guard.Limits(
        timeout_s=timeout_s,
        max_rows=max_rows,
        max_bytes=max_bytes,
        memory_bytes=sql_guard.parse_size(SQL_MEMORY, "memory"),
    )
    site_tz = settings(snap).get("site_tz") or "Europe/Stockholm"
    started = time.perf_counter()
    result = sql_guard.run_query(Path(snap.db), sql, limits, site_tz)
    return SqlResult(
        _rows_frame(result.columns, result.rows),
        result.truncated,
        time.perf_counter() - started,
        result.truncated_by,
    )


def _rows_frame(columns: list[str], rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    names = _unique(columns)
    try:
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    except Exception:
        # Mixed or exotic types (unions, nested structs with varying keys): show them as text.
        as_text = [tuple(None if v is None else str(v) for v in row) for row in rows]
        return pl.DataFrame(as_text, schema=dict.fromkeys(names, pl.String), orient="row")


def _unique(columns: list[str]) -> list[str]:
    """`select 1, 1` gives two columns named "1"; a frame needs distinct names."""
    seen: dict[str, int] = {}
    out = []
    for name in columns:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}_{count + 1}")
    return out


@st.cache_data(max_entries=16, show_spinner=False)
def organisations(snap: Snapshot) -> list[str]:
    frame = _frame(snap, "select distinct organisation from daily_facts order by organisation")
    return [str(v) for v in frame["organisation"].to_list()]


@dataclass(frozen=True)
class Example:
    title_sv: str
    title_en: str
    sql: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_sv


@cache
def examples() -> tuple[Example, ...]:
    """Example queries from queries/examples/*.sql; the first two lines are `-- sv:` and `-- en:` titles."""
    out = []
    for path in sorted((QUERIES / "examples").glob("*.sql")):
        lines = path.read_text(encoding="utf-8").splitlines()
        titles = {line[3:5]: line[7:].strip() for line in lines[:2]}
        out.append(Example(titles["sv"], titles["en"], "\n".join(lines[2:]).strip()))
    return tuple(out)


# --- callers, forecast and staffing (the Vecka page's planning sections) ---------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def week_callers(snap: Snapshot, org: str, iso_year: int, iso_week: int) -> pl.DataFrame:
    return _frame(snap, query_text("week_callers"), {"org": org, "iso_year": iso_year, "iso_week": iso_week})


@st.cache_data(max_entries=8, show_spinner=False)
def forecast(snap: Snapshot, org: str, weeks: int = 6) -> Forecast:
    """The forecast and its backtest, by the same code as `callstats forecast`."""
    cursor = _cursor(snap)
    try:
        return make_forecast(load_history(cursor, org, horizon_days=7 * (weeks + 1)), org, weeks)
    except duckdb.ConnectionException as exc:
        _forget(snap)
        raise DataUnavailable("replacing", str(exc)) from None
    finally:
        cursor.close()


@st.cache_data(max_entries=8, show_spinner=False)
def staffing_check(snap: Snapshot, org: str, target_s: float, wrap_up_s: float, last_day: dt.date) -> list[WeekCheck]:
    cursor = _cursor(snap)
    try:
        return check_weeks(cursor, last_day, org=org, target_s=target_s, wrap_up_s=wrap_up_s)
    except duckdb.ConnectionException as exc:
        _forget(snap)
        raise DataUnavailable("replacing", str(exc)) from None
    finally:
        cursor.close()
