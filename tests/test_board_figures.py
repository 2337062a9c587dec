"""The board's own figures (docs/board-figures.md), found in the views of the database built from
sample_data/.

The figures live in tests/golden/board_figures.json; they change only with `pytest --update-golden`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from tests.conftest import rows

GOLDEN = Path(__file__).parent / "golden" / "board_figures.json"


def board_figures(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    weeks = dict(
        rows(
            con,
            "select iso_week, calls from calls_by_week where iso_year = 2016 and iso_week between 49 and 52",
        )
    )
    workdays = dict(
        rows(
            con, "select iso_week, workdays from calls_by_week where iso_year = 2016 and iso_week in (51, 52)"
        )
    )
    months = {f"{y}-{m:02d}": c for y, m, c in rows(con, "select year, month, calls from calls_by_month")}
    first_two = rows(
        con, "select sum(calls) from calls_by_day where date between '2016-12-01' and '2016-12-02'"
    )[0][0]
    feb = rows(
        con,
        "select calls, is_complete, through_date, calls_prev_year_same_days, workdays"
        " from calls_by_month where year = 2017 and month = 2",
    )[0]
    total_2016 = rows(con, "select sum(calls), avg(calls) from calls_by_month where year = 2016")[0]
    return {
        "weeks_2016": {str(k): weeks[k] for k in sorted(weeks)},
        "workdays_2016": {str(k): workdays[k] for k in sorted(workdays)},
        "december_2016": months["2016-12"],
        "december_2016_days_1_2": int(first_two),
        "january_2016": months["2016-01"],
        "january_2017": months["2017-01"],
        "february_2016": months["2016-02"],
        "february_2017_to_21": {
            "calls": feb[0],
            "is_complete": feb[1],
            "through": str(feb[2]),
            "workdays": feb[4],
        },
        "february_2016_days_1_21": feb[3],
        "year_2016": {"calls": int(total_2016[0]), "average_month": float(total_2016[1])},
    }


def test_board_figures_match_golden(sample_con: duckdb.DuckDBPyConnection, update_golden: bool) -> None:
    found = board_figures(sample_con)
    if update_golden:
        GOLDEN.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert found == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_board_numbers_themselves(sample_con: duckdb.DuckDBPyConnection) -> None:
    """Independent of the golden file: the slide's numbers, literally."""
    found = board_figures(sample_con)
    assert found["weeks_2016"] == {"49": 1884, "50": 1664, "51": 1236, "52": 692}
    assert found["workdays_2016"] == {"51": 4.5, "52": 3.5}
    assert found["december_2016"] == 6247
    assert found["december_2016_days_1_2"] == 771
    assert (found["january_2016"], found["january_2017"], found["february_2016"]) == (6331, 6370, 6670)
    assert found["february_2017_to_21"] == {
        "calls": 4270,
        "is_complete": False,
        "through": "2017-02-21",
        "workdays": 15.0,
    }
    assert found["year_2016"] == {"calls": 93600, "average_month": 7800.0}


def test_january_per_working_day_change(sample_con: duckdb.DuckDBPyConnection) -> None:
    """docs/board-figures.md: +0,6 % in calls but −9,2 % per working day (18,5 against 20,5 days)."""
    row = rows(
        sample_con,
        "select calls_yoy_pct, calls_per_workday_yoy_pct, workdays from calls_by_month"
        " where year = 2017 and month = 1",
    )[0]
    assert row == (0.6, -9.2, 20.5)


def test_february_is_compared_like_for_like(sample_con: duckdb.DuckDBPyConnection) -> None:
    calls, prev_same, prev_whole, yoy = rows(
        sample_con,
        "select calls, calls_prev_year_same_days, calls_prev_year, calls_yoy_pct"
        " from calls_by_month where year = 2017 and month = 2",
    )[0]
    days_1_21 = rows(
        sample_con, "select sum(calls) from calls_by_day where date between '2016-02-01' and '2016-02-21'"
    )
    assert prev_same == days_1_21[0][0]
    assert prev_whole == 6670
    assert yoy == round(100 * (calls - prev_same) / prev_same, 1)


def test_baseline_sums_to_the_board_average(sample_con: duckdb.DuckDBPyConnection) -> None:
    total = rows(sample_con, "select sum(baseline_calls) from calls_by_month where year = 2016")[0][0]
    assert round(total) == 12 * 7800
    week51 = rows(
        sample_con, "select baseline_calls from calls_by_week where iso_year = 2016 and iso_week = 51"
    )
    assert week51[0][0] == round(7800 * 12 * 4.5 / 249.5, 1)
