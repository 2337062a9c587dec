"""The Vecka page's planning sections: callers of the chosen week, operators per hour for a forecast
week (beside the heatmap), and the forecast with its backtest. Figures come from pure builders in
dashboard.planning_charts; the forecast and staffing are computed by the same code as the commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from dashboard import charts, snapshot
from dashboard.planning_charts import (
    callers_note,
    errors_table,
    expected_service_level,
    forecast_chart,
    staffing_grid,
    tr,
)
from dashboard.ui import Context
from pipeline import readable
from pipeline.forecast import Forecast
from pipeline.staffing import Target, forecast_weeks, plan_week
from pipeline.staffing_check import summary


def callers_section(ctx: Context, week: dict[str, Any]) -> None:
    st.subheader(tr("callers_title", ctx.lang))
    found = snapshot.week_callers(ctx.snap, ctx.org, week["iso_year"], week["iso_week"])
    if found.is_empty():
        st.caption(tr("no_callers", ctx.lang))
        return
    row = found.row(0, named=True)
    columns = st.columns(4)
    columns[0].metric(tr("callers", ctx.lang), readable.number(row["callers"], 0, ctx.lang))
    columns[1].metric(tr("reached_share", ctx.lang), readable.share(row["reached_share"], 1, ctx.lang))
    columns[2].metric(tr("never_through", ctx.lang), readable.number(row["never_through"], 0, ctx.lang))
    columns[3].metric(tr("resolution_rate", ctx.lang), readable.share(row["resolution_rate"], 1, ctx.lang))
    st.caption(callers_note(row, ctx.lang))
    if not row["is_final"]:
        st.caption(tr("callers_provisional", ctx.lang))


def _settings_target(ctx: Context) -> tuple[Target, float]:
    values = snapshot.settings(ctx.snap)
    share = float(values.get("service_level_share") or 0.8)
    wrap_up = float(values.get("wrap_up_s") or 30)
    return Target(share, float(ctx.service_level_s)), wrap_up


def staffing_section(ctx: Context, fc: Forecast) -> None:
    st.subheader(tr("staffing_title", ctx.lang))
    mondays = forecast_weeks(fc)
    whole = [m for m in mondays if m >= fc.days[0].date] or mondays
    choice: dt.date = st.selectbox(
        tr("staffing_week", ctx.lang),
        whole,
        key="staff_week",
        format_func=lambda m: f"{m.isocalendar()[0]} {readable.week_label(m.isocalendar()[1], ctx.lang)}",
    )
    target, wrap_up = _settings_target(ctx)
    plan = plan_week(fc, choice, target, wrap_up)
    table = staffing_grid(plan, ctx.lang)
    days = [c for c in table.columns if c != tr("hour", ctx.lang)]
    entered = st.data_editor(
        table,
        hide_index=True,
        disabled=[tr("hour", ctx.lang)],
        column_config={c: st.column_config.NumberColumn(c, min_value=0, step=1, width="small") for c in days},
        key="staff_grid",
    )
    level, hours = expected_service_level(plan, entered, ctx.lang)
    left, right = st.columns(2)
    left.metric(tr("staffing_expected", ctx.lang), readable.share(level, 1, ctx.lang))
    right.metric(tr("staffing_hours", ctx.lang), readable.number(hours, 0, ctx.lang))
    st.caption(
        tr(
            "staffing_note",
            ctx.lang,
            share=readable.share(target.share, 0, ctx.lang),
            seconds=readable.number(target.seconds, 0, ctx.lang),
            handle=readable.number(plan.handle_s, 0, ctx.lang),
            talk=readable.number(fc.handle_talk_s, 0, ctx.lang),
            wrap=readable.number(wrap_up, 0, ctx.lang),
        )
    )
    if fc.abandon_share is not None:
        st.caption(tr("staffing_abandon", ctx.lang, abandon=readable.share(fc.abandon_share, 1, ctx.lang)))
    checks = snapshot.staffing_check(ctx.snap, ctx.org, target.seconds, wrap_up, fc.data_through)
    checked = summary(checks, ctx.lang, ctx.lang)
    if checked:
        st.caption(checked)


def forecast_section(ctx: Context, fc: Forecast) -> None:
    st.subheader(tr("forecast_title", ctx.lang))
    st.plotly_chart(forecast_chart(fc, ctx.lang), config=charts.png_config("vaxel-prognos"), key="forecast")
    st.caption(tr("forecast_method", ctx.lang, weeks=fc.backtest_weeks))
    st.dataframe(errors_table(fc, ctx.lang), hide_index=True, key="forecast_errors")
