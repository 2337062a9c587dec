"""Forecast and staffing: a hand-made history with a known answer, the sample's backtest, the commands."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import forecast as fc
from pipeline.staffing import Target, open_hours, parse_week
from pipeline.workdays import WorkingCalendar
from tests.test_cli import ROOT


def flat_history(first: dt.date, last: dt.date) -> fc.History:
    """100 calls on every full day (Monday 150), 50 on half days, 2 on closed days."""
    calendar = {
        d.date: fc.CalendarDay(d.date, d.date.isoweekday(), d.day_type, d.opens_at, d.closes_at)
        for d in WorkingCalendar().days(first - dt.timedelta(days=7), last + dt.timedelta(days=70))
    }
    calls = {}
    for day in (first + dt.timedelta(days=i) for i in range((last - first).days + 1)):
        info = calendar[day]
        full = 150.0 if info.weekday == 1 else 100.0
        calls[day] = {"full": full, "half": full / 2, "closed": 2.0}[info.day_type]
    hourly = {
        (d, h): c / 8 for d, c in calls.items() if calendar[d].day_type != "closed" for h in range(8, 16)
    }
    return fc.History(calls, calendar, hourly, {d: 100.0 * c for d, c in calls.items()}, dict(calls))


def test_a_steady_history_is_forecast_exactly_with_half_days_at_half() -> None:
    history = flat_history(dt.date(2015, 1, 1), dt.date(2016, 12, 14))
    result = fc.make_forecast(history, weeks=3)
    by_date = {d.date: d for d in result.days}
    assert by_date[dt.date(2016, 12, 15)].calls == pytest.approx(100, rel=0.02)  # Thursday
    assert by_date[dt.date(2016, 12, 19)].calls == pytest.approx(150, rel=0.02)  # Monday
    eve = by_date[dt.date(2016, 12, 23)]  # the Friday before Christmas Eve: a half day
    assert eve.kind == "half"
    assert eve.calls == pytest.approx(50, rel=0.05)
    assert by_date[dt.date(2016, 12, 26)].kind == "closed"
    assert by_date[dt.date(2016, 12, 26)].calls == pytest.approx(2)
    assert by_date[dt.date(2016, 12, 27)].kind == "after_holiday"
    # every hour of a full day gets an eighth of it
    assert result.hourly[(dt.date(2016, 12, 15), 9)] == pytest.approx(100 / 8, rel=0.02)
    forecast_error = next(e for e in result.errors if e.method == "forecast")
    assert forecast_error.wape < 0.02


def test_the_sample_forecast_beats_both_seasonal_naive_baselines(sample_db: Path) -> None:
    import duckdb

    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        history = fc.load_history(con)
    finally:
        con.close()
    result = fc.make_forecast(history, weeks=6)
    assert result.data_through == dt.date(2017, 2, 21)
    assert result.days[0].date == dt.date(2017, 2, 22)
    assert len(result.days) == 42
    wape = {e.method: e.wape for e in result.errors}
    assert wape["forecast"] < wape[fc.BASELINES[0]]
    assert wape["forecast"] < wape[fc.BASELINES[1]]
    assert all(d.low <= d.calls <= d.high for d in result.days)
    december = fc.make_forecast(history, weeks=5, as_of=dt.date(2016, 12, 1))
    assert december.data_through == dt.date(2016, 11, 30)
    assert december.actual[dt.date(2016, 12, 1)] > 0
    outcome = {e.method: e.wape for e in december.outcome_errors}
    assert outcome["forecast"] < min(outcome[fc.BASELINES[0]], outcome[fc.BASELINES[1]])


def test_targets_weeks_and_opening_hours_parse_as_planners_write_them() -> None:
    assert Target.parse("80/20") == Target(0.8, 20)
    assert Target.parse("90 % / 30 s") == Target(0.9, 30)
    assert parse_week("2017-W09") == dt.date(2017, 2, 27)
    assert list(open_hours(dt.time(8), dt.time(16))) == list(range(8, 16))
    assert list(open_hours(dt.time(8), dt.time(12, 30))) == [8, 9, 10, 11, 12]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_forecast_command_prints_the_forecast_and_the_backtest(sample_db: Path) -> None:
    table = run_cli("forecast", "--db", str(sample_db))
    assert table.returncode == 0, table.stderr
    assert "this forecast" in table.stdout and "baseline: same weekday last week" in table.stdout
    assert "2017-03-06 mån" in table.stdout
    document = json.loads(
        run_cli("forecast", "--db", str(sample_db), "--format", "json", "--weeks", "2").stdout
    )
    assert len(document["days"]) == 14
    monday = [h for h in document["hours"] if h["date"] == "2017-02-27"]
    assert sum(h["forecast_calls"] for h in monday) == pytest.approx(
        document["days"][5]["forecast_calls"], abs=0.5
    )
    assert {e["method"] for e in document["backtest"]["errors"]} == {"forecast", *fc.BASELINES}
    wrong = run_cli("forecast", "--db", str(sample_db), "--weeks", "40")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1


def test_staffing_command_for_a_week_and_for_one_interval(sample_db: Path) -> None:
    week = run_cli("staffing", "--db", str(sample_db), "--week", "2017-W09")
    assert week.returncode == 0, week.stderr
    assert "week 2017-W09" in week.stdout
    assert "08–09" in week.stdout and "15–16" in week.stdout and "16–17" not in week.stdout
    roster = run_cli(
        "staffing", "--db", str(sample_db), "--week", "2017-W09", "--format", "csv"
    ).stdout.splitlines()
    assert roster[0].startswith("date,weekday,hour,forecast_calls,handle_s,operators")
    assert len(roster) == 1 + 5 * 8  # five full days of eight opening hours
    assert all(int(line.split(",")[5]) >= 1 for line in roster[1:])
    outside = run_cli("staffing", "--db", str(sample_db), "--week", "2017-W30")
    assert outside.returncode == 2 and "outside the forecast" in outside.stderr
    plain = run_cli("staffing", "--calls-per-hour", "200", "--handle-time", "180", "--target", "80/20")
    assert plain.returncode == 0, plain.stderr
    assert "operators needed: 14" in plain.stdout
    assert "88,8\u00a0%" in plain.stdout
