"""Pure builders for the Vecka page's callers, forecast and staffing sections: data in, frames and
Plotly figures out (no Streamlit, no database). Their words live here, in Swedish and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import THIS_YEAR, _layout
from pipeline import erlang, readable
from pipeline.forecast import BASELINES, Forecast
from pipeline.staffing import WeekPlan, grid

LABELS: dict[str, tuple[str, str]] = {
    "callers_title": ("Uppringare – hur många kom fram?", "Callers – how many got through?"),
    "callers": ("Unika uppringare", "Unique callers"),
    "reached_share": ("Andel som nådde en person", "Share who reached a person"),
    "never_through": ("Gav upp och kom inte fram", "Gave up, never got through"),
    "resolution_rate": ("Ringde inte igen inom 2 arbetsdagar", "Did not call again within 2 working days"),
    "callers_note": (
        "Räknat på pseudonymer, aldrig nummer. {anonymous} samtal från dolda nummer räknas för sig. "
        "{repeat} ringde tre gånger eller fler. Av dem som gav upp kom {hour} fram inom en timme, "
        "{same} samma dag och {next} senast nästa arbetsdag (räknat per dag).",
        "Counted on pseudonyms, never numbers. {anonymous} calls from withheld numbers are counted apart. "
        "{repeat} called three times or more. Of those who gave up, {hour} got through within an hour, "
        "{same} the same day and {next} by the next working day (counted per day).",
    ),
    "callers_provisional": (
        "Veckans sista dagar är preliminära: uppföljningen (två arbetsdagar) pågår fortfarande.",
        "The week's last days are provisional: the two-working-day follow-up is still running.",
    ),
    "no_callers": ("Inga uppringare med pseudonym denna vecka.", "No callers with a pseudonym this week."),
    "staffing_title": ("Bemanning – operatörer per timme", "Staffing – operators per hour"),
    "staffing_week": ("Prognosvecka", "Forecast week"),
    "staffing_note": (
        "Erlang C för {share} inom {seconds} s; hanteringstid {handle} s (samtalstid {talk} s + "
        "efterarbete {wrap} s). Ändra antalen för att se förväntad servicenivå.",
        "Erlang C for {share} within {seconds} s; handling time {handle} s (talk time {talk} s + "
        "wrap-up {wrap} s). Change the numbers to see the expected service level.",
    ),
    "staffing_expected": ("Förväntad servicenivå", "Expected service level"),
    "staffing_hours": ("Operatörstimmar", "Operator hours"),
    "staffing_abandon": (
        "Erlang C antar att ingen lägger på. Där många ger upp (här {abandon} av samtalen de senaste "
        "12 veckorna) överskattar den behovet.",
        "Erlang C assumes nobody hangs up. Where many give up (here {abandon} of calls in the last "
        "12 weeks) it overstates the need.",
    ),
    "hour": ("Timme", "Hour"),
    "forecast_title": ("Prognos – samtal per arbetsdag", "Forecast – calls per working day"),
    "forecast_series": ("Prognos", "Forecast"),
    "forecast_band": ("80 % intervall", "80 % interval"),
    "forecast_method": (
        "Metod: arbetsdagsprofil (veckodag × dagtyp × nivån de senaste 4 veckorna × fjolårets säsong). "
        "Träffsäkerhet: var och en av de senaste {weeks} veckorna prognostiserad från data före den.",
        "Method: working-day profile (weekday × day kind × level of the last 4 weeks × last year's season). "
        "Accuracy: each of the last {weeks} weeks forecast from the data before it.",
    ),
    "col_method": ("Metod", "Method"),
    "col_days": ("Arbetsdagar", "Working days"),
    "col_mae": ("Medelfel (samtal/dag)", "Mean abs. error (calls/day)"),
    "col_wape": ("Fel i % av samtalen", "Error as % of calls"),
    "this_forecast": ("Denna prognos", "This forecast"),
    BASELINES[0]: ("Samma veckodag förra veckan", "Same weekday last week"),
    BASELINES[1]: ("Samma veckodag 52 veckor tidigare", "Same weekday 52 weeks earlier"),
}
WEEKDAY_SHORT = {
    "sv": ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def tr(key: str, lang: str, **values: object) -> str:
    text = LABELS[key][0 if lang == "sv" else 1]
    return text.format(**values) if values else text


def day_column(day: dt.date, lang: str) -> str:
    return f"{WEEKDAY_SHORT[lang][day.isoweekday() - 1]} {day.day}"


def staffing_grid(plan: WeekPlan, lang: str) -> pl.DataFrame:
    """Hours as rows, the week's working days as columns, operators needed in the cells (editable)."""
    hours, days, cells = grid(plan)
    columns: dict[str, list[Any]] = {tr("hour", lang): [f"{h:02d}–{h + 1:02d}" for h in hours]}
    for day in days:
        columns[day_column(day, lang)] = [
            cells[(day, h)].need.agents if (day, h) in cells else None for h in hours
        ]
    return pl.DataFrame(columns, schema_overrides={day_column(d, lang): pl.Int64 for d in days})


def expected_service_level(plan: WeekPlan, entered: pl.DataFrame, lang: str) -> tuple[float | None, int]:
    """The week's service level expected with the operators entered in a staffing grid (weighted by
    forecast calls), and the operator hours entered."""
    hours, days, cells = grid(plan)
    calls = answered_in_time = 0.0
    operator_hours = 0
    for day in days:
        column = entered[day_column(day, lang)].to_list()
        for hour, agents in zip(hours, column, strict=True):
            cell = cells.get((day, hour))
            if cell is None or agents is None:
                continue
            agents = max(int(agents), 0)
            operator_hours += agents
            result = erlang.expected(agents, cell.need.calls, plan.handle_s, plan.target.seconds)
            calls += cell.need.calls
            answered_in_time += cell.need.calls * result.service_level
    return (answered_in_time / calls if calls else None), operator_hours


def forecast_chart(fc: Forecast, lang: str) -> go.Figure:
    """Working days ahead: the forecast with its 80 % interval as a band."""
    days = [d for d in fc.days if d.kind != "closed"]
    x = [d.date for d in days]
    labels = [f"{WEEKDAY_SHORT[lang][d.weekday - 1]} {readable.number(d.calls, 0, lang)}" for d in days]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x + x[::-1],
            y=[d.high for d in days] + [d.low for d in days][::-1],
            fill="toself",
            fillcolor="rgba(31,95,139,0.18)",
            line={"width": 0},
            name=tr("forecast_band", lang),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[round(d.calls, 1) for d in days],
            mode="lines+markers",
            line={"color": THIS_YEAR},
            name=tr("forecast_series", lang),
            text=labels,
            hovertemplate="%{x|%Y-%m-%d} – %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    return _layout(fig, lang)


def errors_table(fc: Forecast, lang: str) -> pl.DataFrame:
    """The backtest's errors per method, as display text."""
    rows = [
        {
            tr("col_method", lang): tr("this_forecast" if e.method == "forecast" else e.method, lang),
            tr("col_days", lang): readable.number(e.days, 0, lang),
            tr("col_mae", lang): readable.number(e.mae, 1, lang),
            tr("col_wape", lang): readable.share(e.wape, 1, lang),
        }
        for e in fc.errors
    ]
    return pl.DataFrame(rows)


def callers_note(row: dict[str, Any], lang: str) -> str:
    return tr(
        "callers_note",
        lang,
        anonymous=readable.number(row["anonymous_calls"], 0, lang),
        repeat=readable.number(row["repeat_callers"], 0, lang),
        hour=readable.number(row["through_within_hour"], 0, lang),
        same=readable.number(row["through_same_day"], 0, lang),
        next=readable.number(row["through_by_next_workday"], 0, lang),
    )
