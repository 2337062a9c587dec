"""What every page shares: the context chosen in the sidebar, the page header, friendly errors.

app.py builds the Context once per run (language, organisation, the current snapshot) and the page
it runs reads it back with `context()`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
import streamlit as st

from dashboard import snapshot
from dashboard.i18n import t
from pipeline import board_files, health, readable
from pipeline.board import BoardTable, YearSummary

_KEY = "_dashboard_context"


@dataclass(frozen=True)
class Context:
    lang: str
    org: str  # '' = the whole switchboard
    snap: snapshot.Snapshot
    data_through: dt.date
    baseline_per_month: float
    service_level_s: int

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)


def build_context(snap: snapshot.Snapshot, lang: str, org: str) -> Context:
    values = snapshot.settings(snap)
    return Context(
        lang=lang,
        org=org,
        snap=snap,
        data_through=dt.date.fromisoformat(values["data_through"]),
        baseline_per_month=float(values.get("baseline_calls_per_month") or 0),
        service_level_s=int(float(values.get("service_level_s") or 20)),
    )


def set_context(ctx: Context) -> None:
    st.session_state[_KEY] = ctx


def context() -> Context:
    return st.session_state[_KEY]  # type: ignore[no-any-return]


def through_text(ctx: Context) -> str:
    return ctx.t("data_through", date=ctx.data_through.isoformat())


_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")


def plain(text: object) -> str:
    """Text that came from users or files (organisation names, file names, reasons, messages),
    made safe to put into Streamlit's markdown: every character markdown, its HTML, its
    `:material/…:` icons, `:color[…]` directives or LaTeX could act on is backslash-escaped, so
    `![x](http://…)` shows as those characters and loads nothing."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", str(text)).replace("\n", " ")


def page_header(ctx: Context, title_key: str) -> None:
    st.title(ctx.t(title_key))
    org = plain(ctx.org) if ctx.org else ctx.t("org_both")
    st.caption(f"{through_text(ctx)} · {ctx.t('org_label')}: {org}")


def show_unavailable(exc: snapshot.DataUnavailable, lang: str) -> None:
    if exc.kind == "replacing":
        st.warning(t("replacing_db", lang))
    else:
        st.warning(t("missing_db", lang, reason=plain(exc.detail or exc.kind)))


def date_span(value: object, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """st.date_input gives one date while the second is being picked; use the defaults until both are."""
    if isinstance(value, tuple | list) and len(value) == 2 and all(isinstance(v, dt.date) for v in value):
        return value[0], value[1]
    return first, last


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or not previous:
        return None
    return round(100.0 * (current - previous) / previous, 1)


def _arrow(delta: float | None) -> Literal["up", "down", "off"]:
    # Swedish text uses a real minus sign, which Streamlit's own sign detection does not recognise,
    # so direction and colour are decided here from the number.
    if delta is None or delta == 0:
        return "off"
    return "up" if delta > 0 else "down"


def _colour(delta: float | None, good: Literal["up", "down", "none"]) -> Literal["green", "red", "gray"]:
    if delta is None or delta == 0 or good == "none":
        return "gray"
    return "green" if (delta > 0) == (good == "up") else "red"


def week_key_figures(ctx: Context, figures: pl.DataFrame) -> None:
    """Five metrics for a week, each with its change against the same days a year earlier."""
    by_period = {r["period"]: r for r in figures.to_dicts()}
    cur = by_period.get("current")
    prev = by_period.get("previous")
    if cur is None:
        return
    lang = ctx.lang
    if prev:
        st.caption(
            ctx.t(
                "vs_prev_year",
                span=readable.day_span_label(prev["first_date"], prev["last_date"], lang),
                year=prev["first_date"].year,
            )
        )
    pp = ctx.t("pp")

    def points(key: str) -> tuple[str | None, float | None]:
        if prev is None or cur[key] is None or prev[key] is None:
            return None, None
        delta = round(100 * (cur[key] - prev[key]), 1)
        return f"{'+' if delta > 0 else ''}{readable.number(delta, 1, lang)} {pp}", delta

    def percent(key: str) -> tuple[str | None, float | None]:
        delta = _change(cur[key], prev[key]) if prev else None
        return (None if delta is None else readable.percent(delta, 1, lang, signed=True)), delta

    # Which way is better: more answered calls, shorter waits; volume is neither good nor bad.
    metrics: list[tuple[str, str, tuple[str | None, float | None], Literal["up", "down", "none"]]] = [
        (ctx.t("kf_calls"), readable.number(cur["calls"], 0, lang), percent("calls"), "none"),
        (ctx.t("kf_answer_rate"), readable.share(cur["answer_rate"], 1, lang), points("answer_rate"), "up"),
        (
            ctx.t("kf_service_level", s=ctx.service_level_s),
            readable.share(cur["service_level"], 1, lang),
            points("service_level"),
            "up",
        ),
        (ctx.t("kf_asa"), f"{readable.number(cur['avg_wait_s'], 1, lang)} s", percent("avg_wait_s"), "down"),
        (ctx.t("kf_after_hours"), readable.number(cur["after_hours"], 0, lang), percent("after_hours"), "none"),
    ]
    columns = st.columns(len(metrics))
    for column, (label, value, (delta_text, delta), good) in zip(columns, metrics, strict=True):
        column.metric(
            label,
            value,
            delta=delta_text,
            delta_color=_colour(delta, good),
            delta_arrow=_arrow(delta),
            border=True,
        )


def board_downloads(ctx: Context, name: str, sheets: dict[str, BoardTable], key: str) -> None:
    """The board's tables as the CLI writes them: one printable Excel workbook, one CSV per table."""
    columns = st.columns(1 + len(sheets))
    columns[0].download_button(
        ctx.t("download_xlsx"),
        board_files.tables_xlsx_bytes(sheets, ctx.data_through, None if ctx.org else ctx.baseline_per_month),
        file_name=f"{name}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
    )
    for column, (sheet, table) in zip(columns[1:], sheets.items(), strict=True):
        column.download_button(
            f"{ctx.t('download_csv')} ({sheet})", board_files.render_csv(table).encode("utf-8"),
            file_name=f"{name}-{sheet.lower()}.csv", mime="text/csv", key=f"{key}_csv_{sheet}",
            on_click="ignore", icon=":material/download:",
        )


def year_summary(ctx: Context, summary: YearSummary) -> None:
    """The year at a glance: total, last year on the same terms, change, answer rate, average a month."""
    lang = ctx.lang
    prev_label = ctx.t("ys_prev", year=summary.year - 1)
    if not summary.is_complete:
        prev_label += " " + ctx.t("ys_same_days")
    metrics = [
        (ctx.t("ys_calls", year=summary.year), readable.number(summary.calls, 0, lang), None),
        (prev_label, readable.number(summary.calls_prev_year, 0, lang), None),
        (ctx.t("ys_change"), readable.percent(summary.calls_yoy_pct, 1, lang, signed=True), None),
        (ctx.t("ys_change_per_workday"), readable.percent(summary.calls_per_workday_yoy_pct, 1, lang, signed=True), None),
        (ctx.t("kf_answer_rate"), readable.share(summary.answer_rate, 1, lang), None),
        (
            ctx.t("ys_average"),
            readable.number(summary.average_per_month, 0, lang),
            ctx.t("ys_baseline", baseline=readable.number(summary.baseline_per_month, 0, lang))
            if summary.baseline_per_month else None,
        ),
    ]
    for column, (label, value, help_text) in zip(st.columns(len(metrics)), metrics, strict=True):
        column.metric(label, value, border=True, help=help_text)
    sentence = summary.sentence(lang)
    if sentence:
        st.caption(sentence)


def findings_in(findings: list[dict[str, Any]], first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The data-health findings touching first..last."""
    return [f for f in findings if f["first_date"] <= last and f["last_date"] >= first]


def health_banner(ctx: Context, flagged: dict[str, list[dict[str, Any]]]) -> None:
    """One warning over a page naming each affected period and what is wrong with its data."""
    if not flagged:
        return
    items = "; ".join(
        f"{period}: " + ", ".join(health.describe(f, ctx.lang) for f in findings)
        for period, findings in flagged.items()
    )
    st.warning(ctx.t("health_banner", items=items), icon=":material/report:")
