"""The `forecast` and `staffing` commands' texts: the forecast with its backtest, operators per hour."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from pipeline import erlang, readable, store
from pipeline import report as reports
from pipeline.errors import UsageError
from pipeline.forecast import BASELINES, Errors, Forecast, load_history, make_forecast
from pipeline.staffing import Target, WeekPlan, as_csv, forecast_weeks, grid, parse_week, plan_week

KIND_LABELS = {"full": "", "half": "half day", "after_holiday": "after a holiday", "closed": "closed"}
WEEKDAY_SHORT = ["mån", "tis", "ons", "tor", "fre", "lör", "sön"]


def load_forecast(db: Path, org: str | None, weeks: int = 6, as_of: dt.date | None = None) -> Forecast:
    con = store.connect_readonly(db)
    try:
        reports.check_org(con, org)
        history = load_history(con, org or "", horizon_days=7 * (weeks + 1))
    finally:
        con.close()
    if as_of is not None and not history.first + dt.timedelta(days=28) <= as_of <= history.last:
        raise UsageError(
            f"--as-of {as_of}: a date inside the data, at least four weeks after its start"
            f" ({history.first + dt.timedelta(days=28)} … {history.last})"
        )
    return make_forecast(history, org or "", weeks, as_of=as_of)


def load_check(db: Path, org: str | None, target: Target, wrap_up_s: float, last_day: dt.date) -> str | None:
    """Erlang C against the last 12 weeks of call rows (pipeline.staffing_check), in one sentence."""
    from pipeline.staffing_check import check_weeks, summary

    con = store.connect_readonly(db)
    try:
        checks = check_weeks(con, last_day, org=org or "", target_s=target.seconds, wrap_up_s=wrap_up_s)
    finally:
        con.close()
    return summary(checks)


def load_plan(
    db: Path, org: str | None, week: str | None, target: Target, wrap_up_s: float
) -> tuple[WeekPlan, Forecast]:
    fc = load_forecast(db, org)
    if week:
        start = parse_week(week)
    else:
        whole = [m for m in forecast_weeks(fc) if m >= fc.days[0].date]
        start = whole[0] if whole else forecast_weeks(fc)[0]
    return plan_week(fc, start, target, wrap_up_s), fc


def _scope(org: str) -> str:
    return org or "whole switchboard"


def backtest_lines(fc: Forecast) -> list[str]:
    lines = [
        f"backtest: each of the last {fc.backtest_weeks} weeks forecast from the data before it"
        " (working days; MAE = mean absolute error in calls a day, WAPE = Σ|error| ÷ Σ calls)",
        *_error_rows(fc.errors),
    ]
    return lines


def _error_rows(errors: list[Errors]) -> list[str]:
    lines = [f"  {'method':<42} {'days':>5} {'MAE':>8} {'WAPE':>8}"]
    for e in errors:
        label = "this forecast" if e.method == "forecast" else f"baseline: {e.method}"
        lines.append(f"  {label:<42} {e.days:>5} {readable.number(e.mae, 1):>8} {readable.share(e.wape):>8}")
    return lines


def forecast_table(fc: Forecast) -> str:
    has_actual = bool(fc.actual)
    actual_head = f" {'actual':>7}" if has_actual else ""
    lines = [
        f"forecast of offered calls, {_scope(fc.org)}, from data through {fc.data_through}",
        f"method: {fc.method}",
        "",
        f"{'date':<10} {'day':<4} {'calls':>7} {'80 % interval':>15}{actual_head}  note",
    ]
    for d in fc.days:
        if d.kind == "closed":
            continue
        span = f"{readable.number(d.low)}–{readable.number(d.high)}"
        came = f" {readable.number(fc.actual.get(d.date)):>7}" if has_actual else ""
        lines.append(
            f"{d.date.isoformat():<10} {WEEKDAY_SHORT[d.weekday - 1]:<4} {readable.number(d.calls):>7} {span:>15}"
            f"{came}  {KIND_LABELS[d.kind]}".rstrip()
        )
    lines += ["", f"{'week':<10} {'days':<13} {'calls':>7}{actual_head}"]
    for first, last, total, week_actual in weekly_totals(fc):
        year, week, _ = first.isocalendar()
        days = readable.day_span_label(first, last, "en")
        shown = f" {readable.number(week_actual):>7}" if has_actual else ""
        lines.append(f"{year}-W{week:02d}   {days:<13} {readable.number(total):>7}{shown}")
    if fc.outcome_errors:
        lines += ["", "errors over these days (working days):", *_error_rows(fc.outcome_errors)]
    return "\n".join([*lines, "", *backtest_lines(fc)])


def weekly_totals(fc: Forecast) -> list[tuple[dt.date, dt.date, float, float | None]]:
    """Per ISO week of the forecast: first and last day forecast, forecast calls, actual calls
    (None unless every day of it is in the data)."""
    weeks: dict[dt.date, list[dt.date]] = {}
    for d in fc.days:
        weeks.setdefault(d.date - dt.timedelta(days=d.weekday - 1), []).append(d.date)
    by_date = {d.date: d.calls for d in fc.days}
    out = []
    for dates in weeks.values():
        came = [fc.actual.get(day) for day in dates]
        actual = None if any(c is None for c in came) else sum(c for c in came if c is not None)
        out.append((min(dates), max(dates), sum(by_date[day] for day in dates), actual))
    return out


def forecast_csv(fc: Forecast) -> str:
    rows = ["date,weekday,day_kind,forecast_calls,low_80,high_80"]
    rows += [
        f"{d.date.isoformat()},{d.weekday},{d.kind},{d.calls:.1f},{d.low:.1f},{d.high:.1f}" for d in fc.days
    ]
    return "\n".join(rows) + "\n"


def forecast_json(fc: Forecast) -> str:
    document = {
        "organisation": fc.org or None,
        "data_through": fc.data_through.isoformat(),
        "method": fc.method,
        "interval": "80 % (10th–90th percentile of backtest actual ÷ forecast)",
        "days": [
            {
                "date": d.date.isoformat(),
                "weekday": d.weekday,
                "day_kind": d.kind,
                "forecast_calls": round(d.calls, 1),
                "low_80": round(d.low, 1),
                "high_80": round(d.high, 1),
                "actual_calls": fc.actual.get(d.date),
            }
            for d in fc.days
        ],
        "hours": [
            {"date": day.isoformat(), "hour": hour, "forecast_calls": round(calls, 1)}
            for (day, hour), calls in sorted(fc.hourly.items())
        ],
        "backtest": {
            "weeks": fc.backtest_weeks,
            "baselines": list(BASELINES),
            "errors": [dataclasses.asdict(e) for e in fc.errors],
        },
        "errors_over_forecast_days": [dataclasses.asdict(e) for e in fc.outcome_errors],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def plan_table(plan: WeekPlan, fc: Forecast) -> str:
    hours, days, cells = grid(plan)
    target = f"{readable.share(plan.target.share, 0)} within {readable.number(plan.target.seconds)} s"
    lines = [
        f"operators needed, {_scope(fc.org)}, week {plan.iso_label} (forecast from data through {fc.data_through})",
        f"Erlang C for {target}; handling time {readable.number(plan.handle_s)} s"
        f" (mean talk time {readable.number(fc.handle_talk_s)} s + wrap-up)",
        "",
        "hour   " + "".join(f"{WEEKDAY_SHORT[d.isoweekday() - 1] + ' ' + str(d.day):>9}" for d in days),
    ]
    for hour in hours:
        row = f"{hour:02d}–{hour + 1:02d}  "
        for day in days:
            cell = cells.get((day, hour))
            row += f"{cell.need.agents if cell else '':>9}"
        lines.append(row)
    total_hours = sum(c.need.agents for c in plan.cells)
    calls = sum(c.need.calls for c in plan.cells)
    answered_in_time = sum(c.need.calls * c.need.service_level for c in plan.cells)
    lines += [
        "",
        f"operator hours {readable.number(total_hours)}; forecast calls in opening hours {readable.number(calls)};"
        f" expected service level {readable.share(answered_in_time / calls if calls else None)}",
        "Erlang C assumes nobody hangs up: where many callers abandon, it overstates the need.",
    ]
    if not plan.cells:
        lines.append("no working days in this week")
    return "\n".join(lines)


def plan_csv(plan: WeekPlan) -> str:
    return as_csv(plan)


def interval_text(calls: float, handle_s: float, target: Target, agents: int | None) -> str:
    needed = erlang.agents_needed(calls, handle_s, target.share, target.seconds)
    lines = [
        f"{readable.number(calls, 1)} calls an hour × {readable.number(handle_s)} s = {readable.number(needed.traffic, 2)} Erlang;"
        f" target {readable.share(target.share, 0)} within {readable.number(target.seconds)} s",
        f"operators needed: {needed.agents}",
        "",
        f"{'operators':>9} {'service level':>14} {'mean wait':>10} {'occupancy':>10}",
    ]
    shown = sorted(
        {max(needed.agents - 1, 1), needed.agents, needed.agents + 1, *([agents] if agents else [])}
    )
    for n in shown:
        e = erlang.expected(n, calls, handle_s, target.seconds)
        wait = "∞" if e.mean_wait_s == float("inf") else f"{readable.number(e.mean_wait_s, 1)} s"
        mark = "  ← entered" if n == agents else ("  ← needed" if n == needed.agents else "")
        lines.append(
            f"{n:>9} {readable.share(e.service_level):>14} {wait:>10} {readable.share(min(e.occupancy, 1.0)):>10}{mark}"
        )
    return "\n".join(lines)
