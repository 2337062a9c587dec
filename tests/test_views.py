"""Given/expect cases for the SQL views on small inputs built through the real ingest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import BuildDb, rows

H = "051317000"  # Herrljunga's switchboard number
V = "0322600600"  # Vårgårda's


def test_working_days_of_the_check_weeks_in_calls_by_week(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2017-12-27T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2019-12-23T10:00:00+01:00,,,answered,5,60,{H},,,
        c,2021-12-20T10:00:00+01:00,,,answered,5,60,{H},,,
        d,2020-12-28T10:00:00+01:00,,,answered,5,60,{H},,,
    """)
    found = {
        (y, w): d for y, w, d in rows(con, "select iso_year, iso_week, workdays_in_week from calls_by_week")
    }
    assert found[(2017, 52)] == 3.0
    assert found[(2019, 52)] == 1.5
    assert found[(2021, 51)] == 3.5
    assert found[(2020, 53)] == 2.5


def test_week_53_has_no_prior_year(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2019-12-30T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2020-12-28T10:00:00+01:00,,,answered,5,60,{H},,,
        c,2020-12-29T10:00:00+01:00,,,answered,5,60,{H},,,
    """)
    ((calls, prev, yoy),) = rows(
        con,
        "select calls, calls_prev_year, calls_yoy_pct from calls_by_week"
        " where iso_year = 2020 and iso_week = 53",
    )
    assert (calls, prev, yoy) == (2, None, None)  # 2019-12-30 is in 2020-W01


def test_29_february_belongs_to_february_and_a_complete_month_compares_whole(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2015-02-10T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2016-02-29T10:00:00+01:00,,,answered,5,60,{H},,,
        c,2016-02-29T11:00:00+01:00,,,abandoned,50,,{V},,,
        d,2017-02-28T10:00:00+01:00,,,answered,5,60,{H},,,
        e,2017-03-01T10:00:00+01:00,,,answered,5,60,{H},,,
    """)
    feb = dict(rows(con, "select year, calls from calls_by_month where month = 2"))
    assert feb == {2015: 1, 2016: 2, 2017: 1}
    ((prev, complete),) = rows(
        con, "select calls_prev_year, is_complete from calls_by_month where year = 2017 and month = 2"
    )
    assert (prev, complete) == (2, True)  # includes 29 February 2016
    day = rows(
        con,
        "select weekday, day_type from calls_by_day where date = '2016-02-29' and organisation = 'Herrljunga'",
    )
    assert day == [(1, "full")]


def test_a_year_without_data_gives_null_not_zero(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2016-03-01T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2016-03-31T10:00:00+02:00,,,answered,5,60,{H},,,
    """)
    ((prev, yoy, prev_wd),) = rows(
        con,
        "select calls_prev_year, calls_yoy_pct, calls_per_workday_prev_year"
        " from calls_by_month where year = 2016 and month = 3",
    )
    assert (prev, yoy, prev_wd) == (None, None, None)
    assert rows(con, "select count(*) from calls_by_month where year = 2015") == [(0,)]


def test_zero_prior_year_calls_give_null_percentages(build_db: BuildDb) -> None:
    # Data covers March 2015 (no calls to this week) through March 2016.
    con, _ = build_db(f"""
        a,2015-03-02T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2015-03-20T10:00:00+01:00,,,answered,5,60,{H},,,
        c,2016-03-02T10:00:00+01:00,,,answered,5,60,{H},,,
        d,2016-03-17T10:00:00+01:00,,,answered,5,60,{H},,,
    """)
    ((prev, yoy),) = rows(
        con,
        "select calls_prev_year, calls_yoy_pct from calls_by_week where iso_year = 2016 and iso_week = 11",
    )
    assert prev == 0
    assert yoy is None


def test_a_call_at_0230_on_the_autumn_change_day_counts_once_on_that_day(build_db: BuildDb) -> None:
    # 30 October 2016: 02:00–02:59 happens twice in Sweden; both are that date, hour 2.
    con, report = build_db(f"""
        a,2016-10-30T02:30:00+02:00,,,closed,,,{H},,,
        b,2016-10-30T02:30:00+01:00,,,closed,,,{H},,,
        c,2016-10-30 02:30:00,,,closed,,,{H},,,
    """)
    assert report.files[0].loaded == 3
    assert rows(
        con,
        "select calls, after_hours from calls_by_day where date = '2016-10-30' and organisation = 'Herrljunga'",
    ) == [(3, 3)]
    assert rows(con, "select hour, calls from calls_by_date_hour where date = '2016-10-30'") == [(2, 3)]


def test_a_naive_0230_on_the_spring_change_day_is_rejected_not_moved(build_db: BuildDb) -> None:
    con, report = build_db(f"""
        a,2016-03-27 02:30:00,,,closed,,,{H},,,
        b,2016-03-27T02:30:00+01:00,,,closed,,,{H},,,
    """)
    assert (report.files[0].loaded, report.files[0].rejected) == (1, 1)
    ((line, reason),) = rows(con, "select line_no, reason from rejected_rows")
    assert line == 2 and "does not exist in Europe/Stockholm" in reason
    # 02:30+01:00 is 03:30 summer time, still 27 March.
    assert rows(con, "select call_date, start_hour from calls") == [(dt.date(2016, 3, 27), 3)]


def test_a_call_at_2330_utc_belongs_to_the_next_local_day(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2016-12-31T23:30:00Z,,,closed,,,{V},,,
        b,2016-06-30T22:30:00+00:00,,,closed,,,{V},,,
    """)
    assert rows(con, "select call_date, start_hour from calls order by call_date") == [
        (dt.date(2016, 7, 1), 0),
        (dt.date(2017, 1, 1), 0),
    ]
    assert rows(con, "select year, month, calls from calls_by_month order by year, month") == [
        (2016, 7, 1),
        (2016, 8, 0),
        (2016, 9, 0),
        (2016, 10, 0),
        (2016, 11, 0),
        (2016, 12, 0),
        (2017, 1, 1),
    ]


def test_incomplete_week_is_compared_with_the_same_weekdays(build_db: BuildDb) -> None:
    # Data ends on Wednesday 2017-02-22 (ISO week 8): compare with Mon–Wed of 2016 week 8 only.
    con, _ = build_db(f"""
        a,2016-02-01T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2016-02-22T10:00:00+01:00,,,answered,5,60,{H},,,
        c,2016-02-24T10:00:00+01:00,,,answered,5,60,{H},,,
        d,2016-02-26T10:00:00+01:00,,,answered,5,60,{H},,,
        e,2017-02-20T10:00:00+01:00,,,answered,5,60,{H},,,
        f,2017-02-22T10:00:00+01:00,,,answered,5,60,{H},,,
    """)
    ((calls, prev, complete, partial, workdays),) = rows(
        con,
        "select calls, calls_prev_year, is_complete, is_partial, workdays from calls_by_week"
        " where iso_year = 2017 and iso_week = 8",
    )
    assert (calls, prev, complete, partial, workdays) == (2, 2, False, True, 3.0)


def test_organisation_comes_from_the_dialled_number_or_the_column(build_db: BuildDb) -> None:
    con, report = build_db("""
        a,2016-03-01T10:00:00+01:00,,,answered,5,60,+46 513-170 00,,,
        b,2016-03-01T10:00:00+01:00,,,answered,5,60,0322-60 06 00,,,
        c,2016-03-01T10:00:00+01:00,,,answered,5,60,,Vårgårda,,
        d,2016-03-01T10:00:00+01:00,,,answered,5,60,031123456,,,
    """)
    assert rows(con, "select call_id, organisation from calls order by call_id") == [
        ("a", "Herrljunga"),
        ("b", "Vårgårda"),
        ("c", "Vårgårda"),
    ]
    assert report.files[0].filtered_reasons == {"not a switchboard number": 1}


def test_a_reassigned_number_follows_its_valid_dates(build_db: BuildDb) -> None:
    numbers = [
        {"number": "0322600600", "organisation": "Vårgårda", "valid_to": "2016-06-30"},
        {"number": "0322600600", "organisation": "Herrljunga", "valid_from": "2016-07-01"},
    ]
    con, _ = build_db(
        f"""
        a,2016-06-30T10:00:00+02:00,,,answered,5,60,{V},,,
        b,2016-07-01T10:00:00+02:00,,,answered,5,60,{V},,,
    """,
        switchboard_numbers=numbers,
    )
    assert rows(con, "select call_id, organisation from calls order by call_id") == [
        ("a", "Vårgårda"),
        ("b", "Herrljunga"),
    ]


def test_answer_rate_and_service_level(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2016-03-01T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2016-03-01T10:05:00+01:00,,,answered,25,60,{H},,,
        c,2016-03-01T10:10:00+01:00,,,abandoned,3,,{H},,,
        d,2016-03-01T10:20:00+01:00,,,abandoned,40,,{H},,,
    """)
    ((calls, answered, abandoned, short, rate, sl, asa),) = rows(
        con,
        "select calls, answered, abandoned, short_abandons, answer_rate, service_level, avg_wait_s"
        " from calls_by_week where iso_year = 2016 and iso_week = 9",
    )
    assert (calls, answered, abandoned, short, rate, sl, asa) == (4, 2, 2, 1, 0.5, 0.25, 15.0)


def test_calls_by_hour_is_a_full_grid(build_db: BuildDb) -> None:
    con, _ = build_db(f"""
        a,2016-03-01T09:10:00+01:00,,,answered,5,60,{H},,,
        b,2016-03-01T09:50:00+01:00,,,answered,5,60,{V},,,
        c,2016-03-08T09:10:00+01:00,,,answered,5,60,{H},,,
    """)
    assert rows(con, "select count(*) from calls_by_hour") == [(7 * 24,)]
    assert rows(
        con, "select calls, days, calls_per_day from calls_by_hour where weekday = 2 and hour = 9"
    ) == [(3, 2, 1.5)]


def test_overlapping_number_periods_are_a_settings_error(tmp_path: Path) -> None:
    from pipeline.config import SettingsError
    from tests.conftest import settings_for

    numbers = [
        {"number": "0322600600", "organisation": "Vårgårda", "valid_to": "2016-07-31"},
        {"number": "0322-600 600", "organisation": "Herrljunga", "valid_from": "2016-07-01"},
    ]
    with pytest.raises(SettingsError, match="overlapping"):
        settings_for(tmp_path, switchboard_numbers=numbers).switchboard_numbers()


def test_a_call_repeated_within_a_file_keeps_its_first_record(build_db: BuildDb) -> None:
    con, report = build_db(f"""
        a,2016-03-01T10:00:00+01:00,,,answered,5,60,{H},,,
        a,2016-03-01T10:00:00+01:00,,,abandoned,50,,{H},,,
        b,2016-03-01T11:00:00+01:00,,,answered,5,60,{V},,,
    """)
    assert (report.files[0].loaded, report.files[0].duplicate) == (2, 1)
    assert rows(con, "select call_id, outcome from calls order by call_id") == [("a", "answered"), ("b", "answered")]
