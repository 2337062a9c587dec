"""Vecka's planning sections: callers of the chosen week, operators per hour, the forecast's accuracy."""

from __future__ import annotations

from pathlib import Path

from dashboard_helpers import NBSP, OpenPage, figures, metric, query, texts


def test_callers_of_week_51_are_counted_once_with_withheld_numbers_apart(
    open_page: OpenPage, dashboard_db: Path
) -> None:
    ((callers, reached, anonymous),) = query(
        dashboard_db,
        "select callers, reached_share, anonymous_calls from callers_by_week"
        " where iso_year = 2016 and iso_week = 51 and organisation = '(alla)'",
    )
    at = open_page("vecka")
    at.selectbox(key="week_selected").set_value("2016-W51").run()
    assert metric(at, "Unika uppringare").value == f"{callers:,}".replace(",", NBSP)
    assert (
        metric(at, "Andel som nådde en person").value == f"{reached * 100:.1f}".replace(".", ",") + f"{NBSP}%"
    )
    assert f"{anonymous} samtal från dolda nummer räknas för sig" in texts(at)


def test_staffing_beside_the_heatmap_meets_the_target_it_was_sized_for(open_page: OpenPage) -> None:
    at = open_page("vecka")
    expected = metric(at, "Förväntad servicenivå").value
    share = float(expected.replace(NBSP, "").rstrip("%").replace(",", "."))
    assert 80 <= share < 100
    assert int(metric(at, "Operatörstimmar").value.replace(NBSP, "")) > 0
    assert "Erlang C för 80 % inom 20 s".replace(" %", f"{NBSP}%") in texts(at)
    assert "överskattar den behovet" in texts(at)


def test_forecast_chart_and_backtest_errors_are_on_the_page(open_page: OpenPage) -> None:
    at = open_page("vecka", lang="en")
    band, line = figures(at)[-1]["data"]
    assert band["name"] == "80 % interval" and line["name"] == "Forecast"
    assert len(line["x"]) == 30  # six weeks of working days after 21 February 2017
    errors = at.dataframe[-1].value
    assert errors["Method"].to_list() == [
        "This forecast",
        "Same weekday last week",
        "Same weekday 52 weeks earlier",
    ]
    assert "each of the last 12 weeks forecast from the data before it" in texts(at)
