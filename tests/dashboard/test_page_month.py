"""Månad: the figures the board member reads, and the table that goes on the slide."""

from __future__ import annotations

from dashboard_helpers import NBSP, OpenPage, figures, texts


def bars(fig, name):  # type: ignore[no-untyped-def]
    trace = next(t for t in fig["data"] if t["type"] == "bar" and t["name"] == name)
    return dict(zip(trace["x"], trace["y"], strict=True))


def test_december_2016_is_6247_beside_december_2015_with_the_baseline(open_page: OpenPage) -> None:
    at = open_page("manad")
    at.selectbox(key="month_year").set_value(2016).run()
    fig = figures(at)[0]
    assert bars(fig, "2016")["dec"] == 6247
    assert bars(fig, "2016")["jan"] == 6331
    assert bars(fig, "2015")["dec"] > 0
    annotations = [a["text"] for a in fig["layout"]["annotations"]]
    assert f"Baslinje 7{NBSP}800 samtal/månad" in annotations
    assert any(s.get("y0") == 7800 for s in fig["layout"]["shapes"])


def test_incomplete_february_is_compared_like_for_like_with_the_projection_apart(open_page: OpenPage) -> None:
    at = open_page("manad")
    shown = texts(at).replace(NBSP, " ")
    assert "februari t.o.m. 21 feb: 4 270, samma period 2016: 4 730 (−9,7 %)" in shown
    assert "Prognos för hela februari" in shown and "5 693" in shown and "hela februari 2016: 6 670" in shown
    fig = figures(at)[0]
    this_year = next(t for t in fig["data"] if t["type"] == "bar" and t["name"] == "2017")
    assert this_year["y"] == [6370, 4270]
    assert this_year["marker"]["pattern"]["shape"] == ["", "/"]
    assert "4 270 (t.o.m. 21 feb)" in [x.replace(NBSP, " ") for x in this_year["text"]]
    markers = {t["name"]: t["y"] for t in fig["data"] if t["type"] == "scatter"}
    assert markers["Prognos hela månaden"] == [5693]  # a marker, not a bar beside the actuals
    assert markers["Samma period 2016 (1–21 feb)"] == [4730]


def test_board_table_has_swedish_numbers_yoy_and_per_working_day(open_page: OpenPage) -> None:
    at = open_page("manad")
    board = at.dataframe[0].value
    assert list(board["Period"]) == [
        "januari 2017",
        "februari 2017 t.o.m. 21 feb",
        "Summa 2017 t.o.m. 21 feb",
    ]
    january = board.iloc[0]
    assert january["Samtal"] == f"6{NBSP}370"
    assert january["Föregående år"] == f"6{NBSP}331"
    assert january["Förändring"] == f"+0,6{NBSP}%"
    assert january["Arbetsdagar"] == "20,5"
    assert january["Förändring per arbetsdag"] == f"−9,2{NBSP}%"
    february = board.iloc[1]
    assert february["Föregående år"] == f"4{NBSP}730"
    assert february["Arbetsdagar"] == "15"
    total = board.iloc[2]
    assert (total["Samtal"], total["Föregående år"], total["Förändring"]) == (
        f"10{NBSP}640",
        f"11{NBSP}061",
        f"−3,8{NBSP}%",
    )
    assert total["Svarsfrekvens"] == f"89,3{NBSP}%"
    labels = [b.label for b in at.get("download_button")]
    assert "Ladda ner Excel" in labels and any(label.startswith("Ladda ner CSV") for label in labels)


def test_the_weeks_of_december_add_up_to_the_month(open_page: OpenPage) -> None:
    at = open_page("manad")
    at.selectbox(key="month_chosen").set_value("2016-12").run()
    weeks = at.dataframe[1].value
    assert list(weeks["Period"]) == [
        "v. 48 (1–4 dec, 2 dagar)",
        "v. 49",
        "v. 50",
        "v. 51 (4,5 dagar)",
        "v. 52 (26–31 dec, 3,5 dagar)",
        "Summa december 2016",
    ]
    calls = [int(v.replace(NBSP, "")) for v in weeks["Samtal"]]
    assert calls == [771, 1884, 1664, 1236, 692, 6247]
    assert sum(calls[:-1]) == calls[-1]


def test_the_year_at_a_glance_beside_last_year_and_the_baseline(open_page: OpenPage) -> None:
    at = open_page("manad")
    at.selectbox(key="month_year").set_value(2016).run()
    metrics = {m.label: m.value.replace(NBSP, " ") for m in at.metric}
    assert metrics["Samtal 2016"] == "93 600"
    assert metrics["2015"] == "90 985"
    assert metrics["Förändring"] == "+2,9 %"
    assert metrics["Snitt/månad"] == "7 800"
    assert "Genomsnittet för 2016 är 7 800 samtal/månad (baslinje 7 800)." in texts(at).replace(NBSP, " ")


def test_organisation_filter_gives_that_organisations_months(open_page: OpenPage) -> None:
    at = open_page("manad", org="Vårgårda")
    shown = texts(at).replace(NBSP, " ")
    assert "februari t.o.m. 21 feb: 2 384, samma period 2016: 2 608" in shown
    fig = figures(at)[0]
    assert bars(fig, "2017")["feb"] == 2384
    assert not fig["layout"].get("shapes")  # the baseline is the whole switchboard's
    assert "Baslinjen gäller hela växeln" in shown


def test_english_labels_when_switched(open_page: OpenPage) -> None:
    at = open_page("manad", lang="en")
    shown = texts(at)
    assert "February to 21 Feb: 4,270, same period 2016: 4,730 (−9.7%)" in shown
    assert "The month – compared with last year" in shown
    assert list(at.dataframe[0].value.columns)[:3] == ["Period", "Working days", "Calls"]
    at.selectbox(key="month_year").set_value(2016).run()
    assert "Baseline 7,800 calls/month" in [a["text"] for a in figures(at)[0]["layout"]["annotations"]]
