"""Callers, not calls: given a few hand-made calls, expect the caller measures of the views.

Times carry their offset (Swedish winter time, +01:00) as the canonical CSV documents them; the
numbers are made up and dialled to Herrljunga's switchboard number (051317000) unless noted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from pipeline.retention import purge
from tests.conftest import BuildDb, settings_for

HERRLJUNGA = "051317000"
VARGARDA = "0322600600"


def call(
    call_id: str,
    start: str,
    outcome: str,
    caller: str,
    *,
    number: str = HERRLJUNGA,
    wait_s: int = 30,
    talk_s: int = 120,
) -> str:
    """One canonical CSV line; `start` is local time 'YYYY-MM-DD HH:MM' (+01:00)."""
    started = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone(dt.timedelta(hours=1)))
    answered = started + dt.timedelta(seconds=wait_s)
    if outcome == "answered":
        ended = answered + dt.timedelta(seconds=talk_s)
        return (
            f"{call_id},{started.isoformat()},{answered.isoformat()},{ended.isoformat()},answered,"
            f"{wait_s},{talk_s},{number},,vaxel,{caller}"
        )
    return f"{call_id},{started.isoformat()},,{answered.isoformat()},{outcome},{wait_s},,{number},,vaxel,{caller}"


def day(con: duckdb.DuckDBPyConnection, date: str, organisation: str = "(alla)") -> dict[str, Any]:
    cursor = con.execute(
        "select * from callers_by_day where date = $d and organisation = $o", {"d": date, "o": organisation}
    )
    columns = [c[0] for c in cursor.description or []]
    found = cursor.fetchall()
    assert len(found) == 1, found
    return dict(zip(columns, found[0], strict=True))


def test_a_caller_who_gives_up_twice_then_gets_through_is_one_caller(build_db: BuildDb) -> None:
    con, _ = build_db(
        "\n".join(
            [
                call("a1", "2016-12-06 09:00", "abandoned", "0701234567"),
                call("a2", "2016-12-06 09:10", "abandoned", "0701234567"),
                call("a3", "2016-12-06 09:40", "answered", "+46701234567"),  # same person, other form
                call("b1", "2016-12-06 10:00", "answered", "0709876543"),
            ]
        )
    )
    got = day(con, "2016-12-06")
    assert got["callers"] == 2
    assert got["repeat_callers"] == 1
    assert got["reached_callers"] == 2
    assert got["reached_share"] == 1.0
    assert got["gave_up_callers"] == 1
    assert got["through_within_hour"] == 1
    assert got["through_same_day"] == 1
    assert got["through_by_next_workday"] == 1
    assert got["never_through"] == 0
    assert got["anonymous_calls"] == 0


def test_two_withheld_numbers_are_counted_as_calls_not_as_one_caller(build_db: BuildDb) -> None:
    con, _ = build_db(
        "\n".join(
            [
                call("w1", "2016-12-06 09:00", "answered", ""),
                call("w2", "2016-12-06 09:05", "abandoned", "anonymous"),
                call("k1", "2016-12-06 09:30", "answered", "0701234567"),
            ]
        )
    )
    got = day(con, "2016-12-06")
    assert got["callers"] == 1
    assert got["repeat_callers"] == 0
    assert got["gave_up_callers"] == 0  # the withheld abandon belongs to nobody
    assert (got["anonymous_calls"], got["anonymous_answered"], got["anonymous_abandoned"]) == (2, 1, 1)
    week = con.execute(
        "select callers, anonymous_calls from callers_by_week where organisation = '(alla)'"
    ).fetchall()
    assert week == [(1, 2)]


def test_a_call_back_after_midnight_is_within_the_hour_but_not_the_same_day(build_db: BuildDb) -> None:
    con, _ = build_db(
        "\n".join(
            [
                call("m1", "2016-12-05 23:45", "abandoned", "0701234567"),
                call("m2", "2016-12-06 00:20", "answered", "0701234567"),
            ]
        )
    )
    monday = day(con, "2016-12-05")
    assert monday["gave_up_callers"] == 1
    assert monday["through_within_hour"] == 1
    assert monday["through_same_day"] == 0
    assert monday["through_by_next_workday"] == 1
    assert monday["reached_callers"] == 0
    assert day(con, "2016-12-06")["reached_callers"] == 1


def test_a_caller_not_through_by_the_end_of_the_next_working_day_never_got_through(
    build_db: BuildDb,
) -> None:
    con, _ = build_db(
        "\n".join(
            [
                # Friday: the next working day is Monday; a Tuesday answer is too late.
                call("n1", "2016-12-09 15:00", "abandoned", "0701234567"),
                call("n2", "2016-12-13 09:00", "answered", "0701234567"),
                # Friday: answered on Monday, the next working day.
                call("p1", "2016-12-09 15:30", "abandoned", "0702222222"),
                call("p2", "2016-12-12 15:59", "answered", "0702222222"),
            ]
        )
    )
    friday = day(con, "2016-12-09")
    assert friday["gave_up_callers"] == 2
    assert friday["through_by_next_workday"] == 1
    assert friday["never_through"] == 1
    assert friday["through_same_day"] == 0
    assert friday["is_final"] is True


def test_a_half_day_is_a_working_day_for_the_follow_up_windows(build_db: BuildDb) -> None:
    """4 January 2017: the next working day is the half day before Epiphany (the 5th); the 6th is a
    holiday, so the second working day is Monday the 9th."""
    con, _ = build_db(
        "\n".join(
            [
                call("h1", "2017-01-04 14:00", "abandoned", "0701234567"),
                call("h2", "2017-01-05 11:30", "answered", "0701234567"),
                # answered on the 4th, calls again on the 9th: within two working days
                call("r1", "2017-01-04 10:00", "answered", "0703333333"),
                call("r2", "2017-01-09 08:30", "answered", "0703333333"),
                # answered on the 4th, calls again on the 10th: resolved at first contact
                call("s1", "2017-01-04 10:30", "answered", "0704444444"),
                call("s2", "2017-01-10 08:30", "answered", "0704444444"),
            ]
        )
    )
    wednesday = day(con, "2017-01-04")
    assert wednesday["day_type"] == "full"
    assert wednesday["through_by_next_workday"] == 1
    assert wednesday["never_through"] == 0
    assert wednesday["reached_callers"] == 2
    assert wednesday["resolved_callers"] == 1
    assert wednesday["resolution_rate"] == 0.5
    assert day(con, "2017-01-05")["day_type"] == "half"
    # the 10th is the last day of data: its own follow-up window is still open
    assert day(con, "2017-01-10")["is_final"] is False


def test_weeks_count_each_caller_once_and_three_calls_as_a_repeat(build_db: BuildDb) -> None:
    con, _ = build_db(
        "\n".join(
            [
                call("x1", "2016-12-05 09:00", "answered", "0701234567"),
                call("x2", "2016-12-07 09:00", "abandoned", "0701234567", number=VARGARDA),
                call("x3", "2016-12-09 09:00", "answered", "0701234567"),
                call("y1", "2016-12-07 10:00", "abandoned", "0705555555", number=VARGARDA),
            ]
        )
    )
    weeks = {
        org: (callers, repeats, reached)
        for org, callers, repeats, reached in con.execute(
            "select organisation, callers, repeat_callers, reached_callers from callers_by_week"
        ).fetchall()
    }
    # the first caller called both municipalities: one caller of the switchboard, one of each
    assert weeks == {"(alla)": (2, 1, 1), "Herrljunga": (1, 0, 1), "Vårgårda": (2, 0, 0)}
    month = con.execute(
        "select callers, reached_share from callers_by_month where organisation = '(alla)'"
    ).fetchall()
    assert month == [(2, 0.5)]


def test_no_view_or_fact_holds_a_number_or_a_pseudonym(build_db: BuildDb) -> None:
    con, _ = build_db(call("a1", "2016-12-06 09:00", "answered", "0701234567"))
    for table in ("caller_day_facts", "caller_period_facts", "callers_by_day", "callers_by_week"):
        columns = [c[0] for c in con.execute(f"select * from {table} limit 0").description or []]
        assert not any("caller_key" in c or "number" in c for c in columns), table
        text = repr(con.execute(f"select * from {table}").fetchall())
        assert "701234567" not in text
    key = con.execute("select caller_key from calls").fetchone()
    assert key is not None and key[0] not in repr(con.execute("select * from caller_day_facts").fetchall())


def test_caller_facts_outlive_a_purge(build_db: BuildDb, tmp_path: Any) -> None:
    con, _ = build_db(
        "\n".join(
            [
                call("a1", "2016-12-06 09:00", "abandoned", "0701234567"),
                call("a2", "2016-12-06 09:20", "answered", "0701234567"),
                call("b1", "2016-12-20 09:00", "answered", "0702222222"),
            ]
        )
    )
    before = con.execute("select * from callers_by_day order by all").fetchall()
    weeks_before = con.execute("select * from callers_by_week order by all").fetchall()
    con.close()
    settings = settings_for(tmp_path)
    purge(settings, dt.date(2016, 12, 15))
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        assert con.execute("select count(*) from calls where call_date < '2016-12-15'").fetchone() == (0,)
        assert con.execute("select * from callers_by_day order by all").fetchall() == before
        assert con.execute("select * from callers_by_week order by all").fetchall() == weeks_before
    finally:
        con.close()


def test_a_new_closed_day_moves_the_next_working_day_at_the_next_ingest(build_db: BuildDb) -> None:
    body = "\n".join(
        [
            call("f1", "2016-12-09 15:00", "abandoned", "0701234567"),  # Friday
            call("f2", "2016-12-13 09:00", "answered", "0701234567"),  # Tuesday
        ]
    )
    con, _ = build_db(body)
    assert day(con, "2016-12-09")["never_through"] == 1
    con.close()  # DuckDB would keep showing this snapshot to a new connection in this process
    # The site closes on Monday 12 December: Tuesday becomes the next working day.
    con, _ = build_db(body, extra_closed_days=["2016-12-12"])
    friday = day(con, "2016-12-09")
    assert friday["through_by_next_workday"] == 1
    assert friday["never_through"] == 0


def test_board_lines_count_people_and_keep_withheld_numbers_apart(build_db: BuildDb) -> None:
    from pipeline.callers import board_lines, month_callers

    con, _ = build_db(
        "\n".join(
            [
                call("a1", "2016-12-05 09:00", "abandoned", "0701234567"),
                call("a2", "2016-12-05 09:30", "answered", "0701234567"),
                call("b1", "2016-12-06 10:00", "abandoned", "0702222222"),
                call("w1", "2016-12-06 10:05", "answered", ""),
                call("z1", "2016-12-20 10:00", "answered", "0709999999"),
            ]
        )
    )
    figures = month_callers(con, 2016, 12)
    assert figures is not None
    assert (figures.callers, figures.never_through, figures.anonymous_calls) == (3, 1, 1)
    lines = board_lines(figures)
    assert lines[0].startswith("Uppringare december 2016: 3 personer, varav 66,7\u00a0% nådde")
    assert "kom inte fram senast nästa arbetsdag: 1 tillfällen" in lines[1]
    assert lines[3].endswith(": 1")
    assert month_callers(con, 2016, 11) is None
    assert month_callers(con, 2016, 12, "Vårgårda") is None
