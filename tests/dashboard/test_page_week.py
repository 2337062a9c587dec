"""Vecka: the figures the switchboard manager reads."""

from __future__ import annotations

from pathlib import Path

from dashboard_helpers import NBSP, OpenPage, figures, metric, query, texts


def week_chart(at):  # type: ignore[no-untyped-def]
    return figures(at)[0]


def bar(fig, name_part):  # type: ignore[no-untyped-def]
    return next(t for t in fig["data"] if t["type"] == "bar" and name_part in t["name"])


def test_week_51_reads_1236_calls_over_four_and_a_half_days(open_page: OpenPage) -> None:
    at = open_page("vecka")
    at.selectbox(key="week_selected").set_value("2016-W51").run()
    assert metric(at, "Inkommande samtal").value == f"1{NBSP}236"

    at.slider(key="week_count").set_value(52).run()
    fig = week_chart(at)
    ticks = dict(zip(fig["layout"]["xaxis"]["tickvals"], fig["layout"]["xaxis"]["ticktext"], strict=True))
    # 52 weeks: short upright ticks, the short weeks' working days under the week number.
    assert ticks["2016-W51"] == "v. 51<br>4,5 d"
    assert ticks["2016-W52"] == "v. 52<br>3,5 d"
    assert ticks["2016-W50"] == "v. 50"
    assert fig["layout"]["xaxis"]["tickangle"] == 0
    calls = dict(zip(bar(fig, "Samtal")["x"], bar(fig, "Samtal")["y"], strict=True))
    assert calls["2016-W51"] == 1236
    assert calls["2016-W52"] == 692


def test_current_week_is_marked_incomplete_with_its_days_not_drawn_as_a_dip(open_page: OpenPage) -> None:
    at = open_page("vecka")
    fig = week_chart(at)
    ticks = fig["layout"]["xaxis"]["ticktext"]
    assert ticks[-1] == "v. 8<br>2 d"
    assert "v. 8 (20–21 feb, 2 dagar)" in texts(at)  # spelled out under the chart, in the board's words
    this_year = bar(fig, "Samtal")
    assert this_year["marker"]["pattern"]["shape"][-1] == "/"
    assert this_year["marker"]["pattern"]["shape"][-2] == ""
    # Compared like for like: last year's bar for the week covers the same two days (Mon–Tue).
    assert bar(fig, "föregående år")["y"][-1] == 706
    assert any(a["text"] == "pågår" for a in fig["layout"]["annotations"])


def test_previous_year_and_working_day_baseline_beside_the_weeks(
    open_page: OpenPage, dashboard_db: Path,
) -> None:
    ((prev_51,),) = query(
        dashboard_db, "select sum(calls) from calls_by_day where iso_year = 2015 and iso_week = 51"
    )
    at = open_page("vecka")
    at.slider(key="week_count").set_value(52).run()
    fig = week_chart(at)
    previous = bar(fig, "föregående år")
    assert dict(zip(previous["x"], previous["y"], strict=True))["2016-W51"] == prev_51
    baseline = next(t for t in fig["data"] if t["type"] == "scatter")
    assert "7 800" in baseline["name"].replace(NBSP, " ")
    by_week = dict(zip(baseline["x"], baseline["y"], strict=True))
    # 7 800 × 12 spread over 2016's 249,5 working days, for 4,5 and 5 days.
    assert round(by_week["2016-W51"]) == round(7800 * 12 / 249.5 * 4.5)
    assert round(by_week["2016-W50"]) == round(7800 * 12 / 249.5 * 5)


def test_switch_to_calls_per_working_day(open_page: OpenPage) -> None:
    at = open_page("vecka")
    at.slider(key="week_count").set_value(52).run()
    at.segmented_control(key="week_measure").set_value("per_workday").run()
    fig = week_chart(at)
    values = dict(zip(bar(fig, "arbetsdag")["x"], bar(fig, "arbetsdag")["y"], strict=True))
    assert values["2016-W51"] == 274.7
    baseline = next(t for t in fig["data"] if t["type"] == "scatter")
    assert round(dict(zip(baseline["x"], baseline["y"], strict=True))["2016-W51"]) == 375


def test_key_figures_compare_with_the_same_week_last_year(open_page: OpenPage) -> None:
    at = open_page("vecka")
    at.selectbox(key="week_selected").set_value("2016-W51").run()
    calls = metric(at, "Inkommande samtal")
    assert calls.delta == f"−21,4{NBSP}%"
    for label in ("Svarsfrekvens", "Servicenivå (inom 20 s)", "Genomsnittlig väntetid", "Utanför öppettid"):
        assert metric(at, label).value
    assert "p.e." in metric(at, "Svarsfrekvens").delta


def test_days_of_the_week_show_the_half_day_and_holidays(open_page: OpenPage) -> None:
    at = open_page("vecka")
    at.selectbox(key="week_selected").set_value("2016-W51").run()
    days = at.dataframe[0].value  # the only table on the page
    assert list(days["Datum"]) == [f"2016-12-{d}" for d in range(19, 26)]
    assert days["Dagtyp"][4] == "halvdag (Dag före julafton)"
    assert days["Dagtyp"][5] == "stängt (Julafton)"
    assert sum(int(v.replace(NBSP, "")) for v in days["Samtal"]) == 1236


def test_heatmap_of_weekday_by_hour_over_the_chosen_span(open_page: OpenPage) -> None:
    import datetime as dt

    at = open_page("vecka")
    at.date_input(key="heat_span").set_value((dt.date(2017, 1, 2), dt.date(2017, 1, 29))).run()
    heat = figures(at)[1]["data"][0]
    assert heat["type"] == "heatmap"
    assert heat["y"][0] == "måndag" and len(heat["x"]) == 24
    assert "2017-01-02 – 2017-01-29" in texts(at)


def test_organisation_filter_shows_that_organisations_share(open_page: OpenPage, dashboard_db: Path) -> None:
    rows = dict(query(
        dashboard_db,
        "select organisation, calls from calls_by_week_org where iso_year = 2016 and iso_week = 51",
    ))
    assert rows["Herrljunga"] + rows["Vårgårda"] == 1236
    for org in ("Herrljunga", "Vårgårda"):
        at = open_page("vecka", org=org)
        at.selectbox(key="week_selected").set_value("2016-W51").run()
        assert metric(at, "Inkommande samtal").value == f"{rows[org]:,}".replace(",", NBSP)
        assert f"Organisation: {org}" in texts(at)
        assert not any(t["type"] == "scatter" for t in week_chart(at)["data"])  # the baseline is the board's


def test_english_labels_when_switched(open_page: OpenPage) -> None:
    at = open_page("vecka", lang="en")
    at.selectbox(key="week_selected").set_value("2016-W51").run()
    shown = texts(at)
    assert "The week – calls per week" in shown
    assert "data through 2017-02-21" in shown
    assert metric(at, "Offered calls").value == "1,236"
    at.slider(key="week_count").set_value(52).run()
    assert "wk 51<br>4.5 d" in week_chart(at)["layout"]["xaxis"]["ticktext"]
    at.slider(key="week_count").set_value(8).run()
    assert "wk 51 (4.5 days)" not in week_chart(at)["layout"]["xaxis"]["ticktext"]  # not among the last 8
    assert any("(20–21 Feb, 2 days)" in t for t in week_chart(at)["layout"]["xaxis"]["ticktext"])


def test_the_week_chart_reads_at_26_weeks(open_page: OpenPage) -> None:
    """The default 26 weeks: every tick upright and short enough not to run into its neighbour."""
    fig = week_chart(open_page("vecka"))
    axis = fig["layout"]["xaxis"]
    assert len(axis["tickvals"]) == 26 and axis["tickangle"] == 0
    for tick in axis["ticktext"]:
        assert max(len(line) for line in tick.split("<br>")) <= 6, tick
    # The full label is still there, in the hover text of each bar.
    assert any("v. 51 (4,5 dagar)" in h for h in bar(fig, "Samtal")["customdata"])
