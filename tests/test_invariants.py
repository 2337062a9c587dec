"""Invariants on the sample database: sums agree at every grain, and every input row is accounted for."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.ingest import IngestReport
from tests.conftest import rows


def test_daily_weekly_monthly_sums_equal_the_call_rows(sample_con: duckdb.DuckDBPyConnection) -> None:
    calls = rows(sample_con, "select count(*) from calls")[0][0]
    assert rows(sample_con, "select sum(calls) from calls_by_day")[0][0] == calls
    assert rows(sample_con, "select sum(calls) from calls_by_week")[0][0] == calls
    assert rows(sample_con, "select sum(calls) from calls_by_month")[0][0] == calls
    assert rows(sample_con, "select sum(calls) from calls_by_month_week")[0][0] == calls
    assert rows(sample_con, "select sum(calls) from calls_by_hour")[0][0] == calls
    assert rows(sample_con, "select sum(calls) from calls_by_week_org")[0][0] == calls


def test_weeks_of_each_month_sum_to_the_month(sample_con: duckdb.DuckDBPyConnection) -> None:
    offending = rows(
        sample_con,
        """
        select m.year, m.month, m.calls, sum(w.calls), m.workdays, sum(w.workdays)
        from calls_by_month as m
        join calls_by_month_week as w using (year, month)
        group by m.year, m.month, m.calls, m.workdays
        having m.calls <> sum(w.calls) or m.workdays <> sum(w.workdays)
    """,
    )
    assert offending == []


def test_organisations_sum_to_the_switchboard(sample_con: duckdb.DuckDBPyConnection) -> None:
    offending = rows(
        sample_con,
        """
        select m.year, m.month
        from calls_by_month as m
        join (select year, month, sum(calls) as calls from calls_by_month_org group by all) as o using (year, month)
        where m.calls <> o.calls
    """,
    )
    assert offending == []
    orgs = dict(rows(sample_con, "select organisation, sum(calls) from calls_by_day group by all"))
    assert set(orgs) == {"Herrljunga", "Vårgårda"}


def test_every_input_row_is_accounted_for(
    sample_build: tuple[Settings, IngestReport], sample_con: duckdb.DuckDBPyConnection
) -> None:
    _, report = sample_build
    for file in report.files:
        assert file.status == "loaded", file
        assert file.rows_read == file.loaded + file.merged + file.duplicate + file.rejected + file.filtered
    stored = rows(sample_con, "select sum(rows_read), sum(loaded), sum(duplicate) from ingested_files")[0]
    data_lines = 0
    import gzip

    for path in sorted(Path(report.files[0].path).parent.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data_lines += sum(1 for _ in handle) - 1
    assert stored[0] == data_lines
    assert stored[1] == rows(sample_con, "select count(*) from calls")[0][0]
    assert stored[2] == 6065  # the monthly exports repeat the previous month's last day


def test_call_ids_are_unique_per_source(sample_con: duckdb.DuckDBPyConnection) -> None:
    assert rows(sample_con, "select count(*) - count(distinct (source_system, call_id)) from calls") == [(0,)]
