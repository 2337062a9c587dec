"""Vecka – the switchboard manager's week: recent weeks against last year and the baseline, the
key figures of one week, its days, and when in the week calls arrive."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import charts, planning_sections, snapshot, tables, ui
from pipeline import health, readable

ctx = ui.context()
ui.page_header(ctx, "week_title")
weeks = snapshot.weeks(ctx.snap, ctx.org)

left, right = st.columns([2, 3])
count = left.slider(ctx.t("weeks_shown"), min_value=4, max_value=104, value=26, key="week_count")
measure = right.segmented_control(
    ctx.t("measure"), ["calls", "per_workday"], default="calls", required=True, key="week_measure",
    format_func=lambda m: ctx.t("measure_calls" if m == "calls" else "measure_per_workday"),
)
shown = weeks.tail(count)
findings = snapshot.data_health(ctx.snap)
flagged = {
    f"{r['iso_year']}-W{r['iso_week']:02d}": (
        f"{readable.week_label(r['iso_week'], ctx.lang)} {r['iso_year']}",
        ui.findings_in(findings, r["week_start"], r["week_end"]),
    )
    for r in shown.to_dicts()
}
flagged = {key: value for key, value in flagged.items() if value[1]}
ui.health_banner(ctx, dict(flagged.values()))
figure = charts.weekly_bars(
    shown, lang=ctx.lang, per_workday=measure == "per_workday", show_baseline=not ctx.org,
    baseline_per_month=ctx.baseline_per_month, events=snapshot.events(ctx.snap, ctx.org),
    flagged={key: "; ".join(health.describe(f, ctx.lang) for f in found) for key, (_, found) in flagged.items()},
)
st.plotly_chart(figure, config=charts.png_config("vaxel-veckor"), key="week_chart")
latest = shown.row(-1, named=True)
if not latest["is_complete"]:
    st.caption(ctx.t("incomplete_note", label=charts.week_label(latest, ctx.lang)))
if ctx.org:
    st.caption(ctx.t("baseline_org_note"))

st.divider()
by_key = {f"{r['iso_year']}-W{r['iso_week']:02d}": r for r in weeks.to_dicts()}
choice = st.selectbox(
    ctx.t("selected_week"), list(reversed(by_key)), key="week_selected",
    format_func=lambda k: f"{by_key[k]['iso_year']} {charts.week_label(by_key[k], ctx.lang)}",
)
week = by_key[choice]
week_name = f"{readable.week_label(week['iso_week'], ctx.lang)} {week['iso_year']}"
st.subheader(ctx.t("key_figures", week=week_name))
ui.week_key_figures(ctx, snapshot.week_key_figures(ctx.snap, ctx.org, week["iso_year"], week["iso_week"]))

st.subheader(ctx.t("days_of_week"))
days = snapshot.days(ctx.snap, ctx.org, week["week_start"], week["through_date"])
st.dataframe(tables.display(tables.week_days(days, ctx.lang), ctx.lang), hide_index=True, key="week_days")
planning_sections.callers_section(ctx, week)

st.divider()
st.subheader(ctx.t("heatmap_title"))
first_data: dt.date = weeks.row(0, named=True)["week_start"]
default_first = max(ctx.data_through - dt.timedelta(weeks=8) + dt.timedelta(days=1), first_data)
span = st.date_input(
    ctx.t("heatmap_span"), value=(default_first, ctx.data_through), min_value=first_data,
    max_value=ctx.data_through, format="YYYY-MM-DD", key="heat_span",
)
first, last = ui.date_span(span, default_first, ctx.data_through)
st.caption(ctx.t("heatmap_note", first=first.isoformat(), last=last.isoformat()))
heat = snapshot.hour_heatmap(ctx.snap, ctx.org, first, last)
forecast = snapshot.forecast(ctx.snap, ctx.org)
heat_column, staffing_column = st.columns([1, 1])
heat_column.plotly_chart(
    charts.hour_heatmap(heat, lang=ctx.lang), config=charts.png_config("vaxel-timmar"), key="heatmap",
)
with staffing_column:
    planning_sections.staffing_section(ctx, forecast)
st.caption(ctx.t("png_hint"))

st.divider()
planning_sections.forecast_section(ctx, forecast)
