"""Changing a setting that shapes the statistics recounts the calls already loaded."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.ingest import ingest
from tests.conftest import HEADER, rows, settings_for

H = "051317000"
CALLS = f"""{HEADER}
a,2016-12-23T13:00:00+01:00,2016-12-23T13:00:10+01:00,,answered,10,60,{H},,,
b,2016-12-22T10:00:00+01:00,2016-12-22T10:00:25+01:00,,answered,25,60,{H},,,
c,2016-12-31T23:30:00+00:00,,,closed,,,{H},,,
"""


def build(tmp_path: Path, **overrides: object) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "calls.csv"
    path.write_text(CALLS, encoding="utf-8")
    report = ingest([path], settings_for(tmp_path, **overrides))
    assert report.files[0].status in ("loaded", "already loaded")
    return duckdb.connect(str(tmp_path / "callstats.duckdb"), read_only=True)


def test_a_half_day_rule_switched_off_recounts_days_and_after_hours(tmp_path: Path) -> None:
    con = build(tmp_path)
    before = rows(con, "select workdays_in_week, after_hours from calls_by_week where iso_year = 2016 and iso_week = 51")
    con.close()
    assert before == [(4.5, 1)]  # 13:00 on dag före julafton is after the 12:00 closing
    con = build(tmp_path, half_day_rules_off=["Julafton"])
    after = rows(con, "select workdays_in_week, after_hours from calls_by_week where iso_year = 2016 and iso_week = 51")
    assert after == [(5.0, 0)]
    assert rows(con, "select value from settings where name = 'half_day_rules_off'") == [("['Julafton']",)]


def test_a_new_service_level_threshold_recounts_answered_within(tmp_path: Path) -> None:
    con = build(tmp_path)
    assert rows(con, "select sum(answered_within_sl) from calls_by_day") == [(1,)]
    con.close()
    con = build(tmp_path, service_level_s=30)
    assert rows(con, "select sum(answered_within_sl) from calls_by_day") == [(2,)]


def test_another_site_zone_moves_calls_to_their_new_local_date(tmp_path: Path) -> None:
    con = build(tmp_path)
    assert rows(con, "select call_date::varchar from calls where call_id = 'c'") == [("2017-01-01",)]
    con.close()
    con = build(tmp_path, site_tz="UTC")
    assert rows(con, "select call_date::varchar from calls where call_id = 'c'") == [("2016-12-31",)]
    assert rows(con, "select sum(calls) from calls_by_day") == [(3,)]
    assert rows(con, "select count(*) from calls_by_day where date = '2017-01-01' and calls > 0") == [(0,)]
