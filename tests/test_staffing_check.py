"""Erlang C against the history: one operator, callers who give up, and what the check reports."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.staffing_check import check_weeks, summary
from tests.conftest import BuildDb
from tests.test_callers import call


def test_where_callers_give_up_the_measured_service_beats_erlang_c(build_db: BuildDb) -> None:
    """Tuesday 6 December 2016, 09–10: one operator takes seven calls one after the other, each
    answered within 5 s and talked for 8 minutes; three callers hang up after 40 s. Erlang C for one
    operator and 10 calls × 485 s (1,35 Erlang: more than one operator can carry) predicts no call
    answered in time; seven of the ten were."""
    lines = []
    for n in range(7):
        lines.append(
            call(
                f"a{n}",
                f"2016-12-06 09:{n * 8 + 1:02d}",
                "answered",
                f"07011111{n:02d}",
                wait_s=5,
                talk_s=480,
            )
        )
    for n in range(3):
        lines.append(
            call(f"g{n}", f"2016-12-06 09:{n * 8 + 3:02d}", "abandoned", f"07022222{n:02d}", wait_s=40)
        )
    con, _ = build_db("\n".join(lines))
    (week,) = check_weeks(con, dt.date(2016, 12, 11), weeks=1, target_s=20)
    assert week.week_start == dt.date(2016, 12, 5)
    assert week.calls == 10
    assert week.abandon_share == pytest.approx(0.3)
    assert week.measured == pytest.approx(0.7)
    assert week.predicted == pytest.approx(0.0)
    assert week.gap == pytest.approx(0.7)
    text = summary([week])
    assert text is not None and "overstates the need here (by 70,0 points)" in text
    assert "30,0\u00a0% gave up" in text


def test_no_call_rows_no_check(build_db: BuildDb) -> None:
    con, _ = build_db(call("a1", "2016-12-06 09:00", "answered", "0701234567"))
    assert check_weeks(con, dt.date(2016, 11, 27), weeks=2) == []
    assert summary([]) is None
