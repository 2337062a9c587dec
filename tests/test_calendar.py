"""The working-day calendar against the check table of docs/calendar.md and the switches a site can
change."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipeline.workdays import CalendarRules, WorkingCalendar


def week_workdays(iso_year: int, iso_week: int, rules: CalendarRules | None = None) -> float:
    monday = dt.date.fromisocalendar(iso_year, iso_week, 1)
    days = WorkingCalendar(rules or CalendarRules()).days(monday, monday + dt.timedelta(days=6))
    return sum(d.day_fraction for d in days)


def span_workdays(start: dt.date, end: dt.date) -> float:
    return sum(d.day_fraction for d in WorkingCalendar().days(start, end))


@pytest.mark.parametrize(
    ("iso_year", "iso_week", "expected"),
    [(2016, 51, 4.5), (2016, 52, 3.5), (2017, 52, 3.0), (2019, 52, 1.5), (2021, 51, 3.5), (2020, 53, 2.5)],
)
def test_week_working_days_match_the_check_table(iso_year: int, iso_week: int, expected: float) -> None:
    assert week_workdays(iso_year, iso_week) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2016, 12, 1), dt.date(2016, 12, 31), 20.0),
        (dt.date(2016, 1, 1), dt.date(2016, 1, 31), 18.5),
        (dt.date(2017, 1, 1), dt.date(2017, 1, 31), 20.5),
        (dt.date(2016, 2, 1), dt.date(2016, 2, 29), 21.0),
        (dt.date(2017, 2, 1), dt.date(2017, 2, 21), 15.0),
        (dt.date(2016, 1, 1), dt.date(2016, 12, 31), 249.5),
    ],
)
def test_period_working_days_match_the_check_table(start: dt.date, end: dt.date, expected: float) -> None:
    assert span_workdays(start, end) == expected


def test_december_2016_day_types_and_swedish_names() -> None:
    days = {d.date: d for d in WorkingCalendar().days(dt.date(2016, 12, 22), dt.date(2016, 12, 31))}
    assert days[dt.date(2016, 12, 23)].day_type == "half"
    assert days[dt.date(2016, 12, 23)].closes_at == dt.time(12, 0)
    assert days[dt.date(2016, 12, 24)].holiday_name == "Julafton"
    assert days[dt.date(2016, 12, 26)].day_type == "closed"
    assert days[dt.date(2016, 12, 26)].holiday_name == "Annandag jul"
    assert days[dt.date(2016, 12, 30)].day_type == "half"
    assert days[dt.date(2016, 12, 22)].day_fraction == 1.0


def test_named_eves_are_half_days() -> None:
    half = {
        d.date: d.holiday_name
        for d in WorkingCalendar().days(dt.date(2017, 1, 1), dt.date(2017, 12, 31))
        if d.day_type == "half"
    }
    assert half[dt.date(2017, 1, 5)] == "Trettondagsafton"
    assert half[dt.date(2017, 4, 13)] == "Skärtorsdagen"
    assert dt.date(2017, 5, 24) in half  # the day before Kristi himmelsfärd
    assert dt.date(2017, 6, 5) in half  # the day before nationaldagen
    assert dt.date(2017, 6, 22) in half  # the day before midsommarafton
    assert half[dt.date(2017, 11, 3)] == "Allhelgonaafton"


def test_a_half_day_rule_can_be_switched_off() -> None:
    rules = CalendarRules(half_day_rules_off=frozenset({"Julafton"}))
    assert week_workdays(2016, 51, rules) == 5.0
    assert week_workdays(2016, 52, rules) == 3.5  # 30 December still half


def test_half_days_can_be_switched_off_altogether() -> None:
    assert week_workdays(2016, 51, CalendarRules(half_days_enabled=False)) == 5.0


def test_extra_closed_and_half_days() -> None:
    rules = CalendarRules(
        extra_closed_days=frozenset({dt.date(2016, 12, 27)}),
        extra_half_days=frozenset({dt.date(2016, 12, 28)}),
    )
    assert week_workdays(2016, 52, rules) == 2.0


def test_another_country() -> None:
    days = {
        d.date: d
        for d in WorkingCalendar(CalendarRules(country="NO", language="en_US")).days(
            dt.date(2017, 5, 16), dt.date(2017, 5, 17)
        )
    }
    assert days[dt.date(2017, 5, 17)].day_type == "closed"  # Norway's constitution day
    assert days[dt.date(2017, 5, 16)].day_type == "half"


def test_frame_has_iso_keys_for_week_53() -> None:
    frame = WorkingCalendar().frame(dt.date(2020, 12, 28), dt.date(2021, 1, 3))
    assert frame["iso_year"].unique().to_list() == [2020]
    assert frame["iso_week"].unique().to_list() == [53]
    assert frame.filter(pl.col("date") == dt.date(2021, 1, 1))["year"].item() == 2021
