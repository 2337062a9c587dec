"""Månad – the board member's month: this year's months beside last year's with the baseline, an
incomplete month compared like for like, the year at a glance, the board's table and the weeks that
make up a month. The tables come from pipeline.board, as in the CLI report and the board's pack."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import charts, snapshot, tables, ui
from pipeline import board, health, readable

ctx = ui.context()
ui.page_header(ctx, "month_title")
months = snapshot.months(ctx.snap, ctx.org)
org = ctx.org or None

years = sorted(set(months["year"].to_list()), reverse=True)
year = st.selectbox(ctx.t("year"), years, key="month_year")

for row in months.filter((pl.col("year") == year) & ~pl.col("is_complete")).to_dicts():
    name = readable.MONTHS[ctx.lang][row["month"] - 1]
    change = readable.percent(row["calls_yoy_pct"], 1, ctx.lang, signed=True)
    lines = [ctx.t(
        "like_for_like", month=name, through=readable.through_label(row["through_date"], ctx.lang),
        calls=readable.number(row["calls"], 0, ctx.lang), prev_year=year - 1,
        prev=readable.number(row["calls_prev_year_same_days"], 0, ctx.lang), change=change,
    )]
    if row["projected_calls"] is not None:
        lines.append(ctx.t(
            "projection_text", month=name, days=readable.workdays(row["workdays_in_month"], ctx.lang),
            projected=readable.number(row["projected_calls"], 0, ctx.lang), prev_year=year - 1,
            prev_full=readable.number(row["calls_prev_year"], 0, ctx.lang),
        ))
    st.info("  \n".join(lines))

findings = snapshot.data_health(ctx.snap)
flagged = {}
for row in months.filter(pl.col("year") == year).to_dicts():
    first = dt.date(year, row["month"], 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    found = ui.findings_in(findings, first, last)
    if found:
        flagged[row["month"]] = (readable.month_label(year, row["month"], ctx.lang), found)
ui.health_banner(ctx, dict(flagged.values()))
baseline = None if ctx.org else ctx.baseline_per_month
figure = charts.monthly_bars(
    months, year=year, lang=ctx.lang, baseline_per_month=baseline, events=snapshot.events(ctx.snap, ctx.org),
    flagged={m: "; ".join(health.describe(f, ctx.lang) for f in found) for m, (_, found) in flagged.items()},
)
st.plotly_chart(figure, config=charts.png_config(f"vaxel-manader-{year}"), key="month_chart")
if ctx.org:
    st.caption(ctx.t("baseline_org_note"))
st.caption(ctx.t("png_hint"))

board_months = board.months_table(months, year, ctx.lang, org, baseline)
st.subheader(ctx.t("year_heading", year=year))
assert board_months.summary is not None
ui.year_summary(ctx, board_months.summary)

st.subheader(ctx.t("board_table"))
st.dataframe(tables.board_display(board_months), hide_index=True, key="board_months")

by_key = {f"{r['year']}-{r['month']:02d}": r for r in months.to_dicts()}
choice = st.selectbox(
    ctx.t("chosen_month"), list(reversed(by_key)), key="month_chosen",
    format_func=lambda k: readable.month_label(by_key[k]["year"], by_key[k]["month"], ctx.lang),
)
month = by_key[choice]
st.subheader(ctx.t("month_weeks", month=readable.month_label(month["year"], month["month"], ctx.lang)))
month_weeks = snapshot.month_weeks(ctx.snap, ctx.org, month["year"], month["month"])
board_weeks = board.month_weeks_table(month_weeks, month, ctx.lang, org)
st.dataframe(tables.board_display(board_weeks), hide_index=True, key="board_weeks")

ui.board_downloads(
    ctx, f"vaxel-{year}-{choice}",
    {ctx.t("sheet_months"): board_months, ctx.t("sheet_weeks"): board_weeks}, key="board",
)
