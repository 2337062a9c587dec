"""Pure chart functions: a frame from the views in, a Plotly figure out (no Streamlit, no database).

Partial periods are never drawn as plain dips: an incomplete week or month is hatched and lighter,
labelled with the days it covers, and compared with the same days a year earlier; short weeks carry
their working days in the label ("v. 51 (4,5 dagar)").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import t
from pipeline import board, readable
from pipeline.events import KIND_LABELS

THIS_YEAR = "#1f5f8b"
PREV_YEAR = "#9fb8cc"
BASELINE = "#d95f02"
EVENT = "#7b3294"
HATCH = "/"


def png_config(filename: str) -> dict[str, Any]:
    """Plotly's own modebar camera downloads the chart as PNG under this name."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png", "filename": filename, "scale": 2, "width": 1200, "height": 600,
        },
    }


def _separators(lang: str) -> str:
    # Plotly's separators: decimal mark, then thousands mark.
    return ",\u00a0" if lang == "sv" else ".,"


def _layout(fig: go.Figure, lang: str, title: str = "") -> go.Figure:
    fig.update_layout(
        title=title or None,
        separators=_separators(lang),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hovermode="x unified",
    )
    return fig


def week_label(row: dict[str, Any], lang: str) -> str:
    """A calls_by_week row's label, by the board's one convention (pipeline.board)."""
    return board.week_row_label(row, lang)


def _event_text(event: dict[str, Any], lang: str) -> str:
    sv, en = KIND_LABELS.get(event["kind"], (event["kind"], event["kind"]))
    span = readable.day_span_label(event["first_date"], event["last_date"], lang)
    return f"{span} {event['first_date'].year} – {sv if lang == 'sv' else en}: {event['text']}"


def _add_event_markers(fig: go.Figure, keys: list[str], texts: list[str], lang: str) -> None:
    """One marker per period with events, along the top of the plot, the events' text on hover."""
    if not keys:
        return
    fig.add_scatter(
        x=keys, y=[1.0] * len(keys), yaxis="y2", mode="markers", name=t("series_events", lang),
        marker={"symbol": "triangle-down", "size": 13, "color": EVENT},
        hovertext=texts, hovertemplate="%{hovertext}<extra></extra>",
    )
    fig.update_layout(yaxis2={"overlaying": "y", "range": [0, 1.04], "visible": False, "fixedrange": True})


def _touching(events: pl.DataFrame | None, first: dt.date, last: dt.date, lang: str) -> str:
    """The text of the events that touch [first, last], one line each ('' when none)."""
    if events is None or events.is_empty():
        return ""
    return "<br>".join(
        _event_text(e, lang) for e in events.to_dicts() if e["first_date"] <= last and e["last_date"] >= first
    )


# Up to this many weeks the full labels ('v. 51 (4,5 dagar)') fit, slanted; beyond it each tick is a
# short upright stack ('v. 51' over '4,5 d') and the full label moves to the hover text.
FULL_LABEL_WEEKS = 13


def _week_ticks(
    rows: list[dict[str, Any]], keys: list[str], labels: list[str], lang: str
) -> tuple[list[str], list[str], int]:
    """Tick texts, the weeks that carry them, and the text angle. The year is added on the first
    week and where the ISO year changes, so many weeks read unambiguously."""

    def year_mark(i: int) -> bool:
        return i == 0 or rows[i]["iso_year"] != rows[i - 1]["iso_year"]

    if len(rows) <= FULL_LABEL_WEEKS:
        ticks = [
            f"{lab}<br>{r['iso_year']}" if year_mark(i) else lab
            for i, (lab, r) in enumerate(zip(labels, rows, strict=True))
        ]
        return ticks, keys, -45
    ticks = []
    for i, r in enumerate(rows):
        lines = [readable.week_label(int(r["iso_week"]), lang)]
        if not r["is_complete"] or float(r["workdays_in_week"]) < 5:
            lines.append(f"{readable.workdays(float(r['workdays']), lang)} d")
        if year_mark(i):
            lines.append(str(r["iso_year"]))
        ticks.append("<br>".join(lines))
    # More than a year of weeks: every other week is labelled (and always the latest).
    step = 2 if len(rows) > 52 else 1
    shown = [i for i in range(len(rows)) if (len(rows) - 1 - i) % step == 0]
    return [ticks[i] for i in shown], [keys[i] for i in shown], 0


def weekly_bars(
    weeks: pl.DataFrame, *, lang: str, per_workday: bool, show_baseline: bool, baseline_per_month: float,
    events: pl.DataFrame | None = None,
    flagged: dict[str, str] | None = None,
) -> go.Figure:
    """Bars per ISO week beside the same week a year earlier, with the working-day baseline.

    `flagged` maps week keys ('2016-W10') to what is wrong with their data: marked above the bar.

    `weeks` has the columns of calls_by_week. Per working day, the baseline is the monthly baseline
    spread over the year's working days, which is what baseline_calls ÷ workdays gives.
    """
    rows = weeks.to_dicts()
    keys = [f"{r['iso_year']}-W{r['iso_week']:02d}" for r in rows]
    labels = [week_label(r, lang) for r in rows]
    ticks, tickvals, angle = _week_ticks(rows, keys, labels, lang)
    if per_workday:
        current = [r["calls_per_workday"] for r in rows]
        previous = [r["calls_per_workday_prev_year"] for r in rows]
        baseline = [_ratio(r["baseline_calls"], r["workdays"]) for r in rows]
    else:
        current = [r["calls"] for r in rows]
        previous = [r["calls_prev_year"] for r in rows]
        baseline = [r["baseline_calls"] for r in rows]
    decimals = 1 if per_workday else 0
    incomplete = [not r["is_complete"] for r in rows]
    hover = [
        f"{r['iso_year']} {lab}, {readable.day_span_label(r['week_start'], r['through_date'], lang)}"
        for r, lab in zip(rows, labels, strict=True)
    ]

    fig = go.Figure()
    fig.add_bar(
        x=keys, y=previous, name=t("series_prev", lang), marker_color=PREV_YEAR,
        hovertemplate="%{y:,." + str(decimals) + "f}<extra>" + t("series_prev", lang) + "</extra>",
    )
    fig.add_bar(
        x=keys, y=current, name=t("series_this", lang) if not per_workday else t("measure_per_workday", lang),
        marker={
            "color": THIS_YEAR,
            "opacity": [0.55 if inc else 1.0 for inc in incomplete],
            "pattern": {"shape": [HATCH if inc else "" for inc in incomplete], "fillmode": "overlay"},
        },
        customdata=hover,
        hovertemplate="%{customdata}: %{y:,." + str(decimals) + "f}<extra></extra>",
    )
    if show_baseline:
        fig.add_scatter(
            x=keys, y=baseline, mode="lines", line={"color": BASELINE, "dash": "dash", "shape": "hvh"},
            name=t("series_baseline", lang, baseline=readable.number(baseline_per_month, 0, lang)),
            hovertemplate="%{y:,." + str(decimals) + "f}<extra>" + t("series_baseline", lang,
                          baseline=readable.number(baseline_per_month, 0, lang)) + "</extra>",
        )
    for key, inc in zip(keys, incomplete, strict=True):
        if inc and key == keys[-1]:
            # Above the plot area, clear of the bars and the baseline's step.
            fig.add_annotation(x=key, y=1, yref="paper", yanchor="bottom", text=t("in_progress", lang),
                               showarrow=False)
    marked = [(key, _touching(events, r["week_start"], r["week_end"], lang)) for key, r in zip(keys, rows, strict=True)]
    _add_event_markers(fig, [k for k, text in marked if text], [text for _, text in marked if text], lang)
    _mark_flagged(fig, {k: v for k, v in (flagged or {}).items() if k in keys})
    fig.update_xaxes(type="category", tickmode="array", tickvals=tickvals, ticktext=ticks, tickangle=angle)
    fig.update_yaxes(tickformat=",.1f" if per_workday else ",d")
    fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.05)
    return _layout(fig, lang)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), 1)


def _mark_flagged(fig: go.Figure, flagged: dict[str, str]) -> None:
    """A warning sign above each period whose data has a data-health finding; hover says which."""
    for x, text in flagged.items():
        fig.add_annotation(
            x=x, y=1, yref="paper", yanchor="bottom", yshift=16, text="⚠", hovertext=text,
            showarrow=False, font={"color": "#b45309", "size": 16}, name="data_health",
        )


def monthly_bars(
    months: pl.DataFrame, *, year: int, lang: str, baseline_per_month: float | None,
    events: pl.DataFrame | None = None,
    flagged: dict[int, str] | None = None,
) -> go.Figure:
    """This year's and last year's months as grouped bars, the baseline as a labelled line.

    An incomplete month of `year` is hatched; its like-for-like value a year earlier is marked on last
    year's bar and the projection for the whole month is a separate marker, never a bar.
    """
    names = readable.MONTHS_SHORT[lang]
    this = {r["month"]: r for r in months.filter(pl.col("year") == year).to_dicts()}
    prev = {r["month"]: r for r in months.filter(pl.col("year") == year - 1).to_dicts()}

    fig = go.Figure()
    fig.add_bar(
        x=[names[m - 1] for m in sorted(prev)], y=[prev[m]["calls"] for m in sorted(prev)],
        name=str(year - 1), marker_color=PREV_YEAR, offsetgroup="prev",
        text=[readable.number(prev[m]["calls"], 0, lang) for m in sorted(prev)], textposition="outside",
    )
    texts = []
    for m in sorted(this):
        row = this[m]
        text = readable.number(row["calls"], 0, lang)
        if not row["is_complete"]:
            text += " (" + readable.through_label(row["through_date"], lang) + ")"
        texts.append(text)
    fig.add_bar(
        x=[names[m - 1] for m in sorted(this)], y=[this[m]["calls"] for m in sorted(this)],
        name=str(year), offsetgroup="this", text=texts, textposition="outside",
        marker={
            "color": THIS_YEAR,
            "opacity": [1.0 if this[m]["is_complete"] else 0.55 for m in sorted(this)],
            "pattern": {"shape": ["" if this[m]["is_complete"] else HATCH for m in sorted(this)],
                        "fillmode": "overlay"},
        },
    )
    for m, row in this.items():
        if row["is_complete"]:
            continue
        if row["calls_prev_year_same_days"] is not None:
            fig.add_scatter(
                x=[names[m - 1]], y=[row["calls_prev_year_same_days"]], offsetgroup="prev",
                mode="markers+text",
                marker={"symbol": "line-ew-open", "size": 28, "color": THIS_YEAR,
                        "line": {"width": 3, "color": THIS_YEAR}},
                text=[readable.number(row["calls_prev_year_same_days"], 0, lang)], textposition="middle left",
                name=t("series_same_days", lang, year=year - 1)
                + " (" + readable.day_span_label(row["month_start"], row["through_date"], lang) + ")",
            )
        if row["projected_calls"] is not None:
            fig.add_scatter(
                x=[names[m - 1]], y=[row["projected_calls"]], offsetgroup="this", mode="markers+text",
                marker={"symbol": "line-ew-open", "size": 28, "color": BASELINE,
                        "line": {"width": 3, "color": BASELINE}},
                text=[readable.number(row["projected_calls"], 0, lang)], textposition="top center",
                name=t("series_projection", lang),
            )
    if baseline_per_month:
        fig.add_hline(
            y=baseline_per_month, line_dash="dash", line_color=BASELINE,
            annotation_text=t("baseline_line", lang, baseline=readable.number(baseline_per_month, 0, lang)),
            annotation_position="top left",
        )
    marked = [(names[m - 1], _touching(events, this[m]["month_start"], this[m]["month_end"], lang))
              for m in sorted(this)]
    _add_event_markers(fig, [k for k, text in marked if text], [text for _, text in marked if text], lang)
    _mark_flagged(fig, {names[m - 1]: text for m, text in (flagged or {}).items()})
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=names)
    fig.update_yaxes(tickformat=",d")
    fig.update_layout(barmode="group", scattermode="group", bargap=0.2)
    return _layout(fig, lang)


def hour_heatmap(frame: pl.DataFrame, *, lang: str) -> go.Figure:
    """Average calls per day by weekday (rows, Monday on top) and hour (columns)."""
    weekdays = sorted(set(frame["weekday"].to_list()))
    hours = list(range(24))
    lookup = {(r["weekday"], r["hour"]): r for r in frame.to_dicts()}
    z = [[lookup[(w, h)]["calls_per_day"] if (w, h) in lookup else None for h in hours] for w in weekdays]
    totals = [[lookup[(w, h)]["calls"] if (w, h) in lookup else None for h in hours] for w in weekdays]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[f"{h:02d}" for h in hours], y=[readable.WEEKDAYS[lang][w - 1] for w in weekdays],
            customdata=totals, colorscale="Blues",
            hovertemplate="%{y} %{x}:00 – %{z:,.1f} " + t("per_day", lang)
            + " (%{customdata:,})<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=t("weekday", lang))
    fig.update_xaxes(title=t("hour", lang))
    fig = _layout(fig, lang)
    fig.update_layout(hovermode="closest")
    return fig
