"""The board's tables from the views: weekly (a month's weeks, or a year's) and monthly.

A report is a small polars frame of numbers plus a label column; rendering (terminal, CSV, JSON,
Excel) happens at the edge, so every output shows the same figures.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline import formatting as fmt
from pipeline.store import StoreError, fetch_one

LABELS = {
    "period": {"sv": "Period", "en": "Period"},
    "days": {"sv": "Dagar", "en": "Days"},
    "workdays": {"sv": "Arbetsdagar", "en": "Working days"},
    "calls": {"sv": "Antal samtal", "en": "Calls"},
    "calls_per_workday": {"sv": "Samtal/arbetsdag", "en": "Calls/working day"},
    "answer_rate": {"sv": "Svarsfrekvens", "en": "Answer rate"},
    "calls_prev_year": {"sv": "Samma period föregående år", "en": "Same period last year"},
    "calls_yoy_pct": {"sv": "Förändring", "en": "Change"},
    "calls_per_workday_yoy_pct": {"sv": "Förändring per arbetsdag", "en": "Change per working day"},
    "baseline_calls": {"sv": "Baslinje", "en": "Baseline"},
    "total": {"sv": "Summa", "en": "Total"},
}
# How each numeric column is shown in the terminal.
KINDS = {
    "days": "int",
    "workdays": "workdays",
    "calls": "int",
    "calls_per_workday": "dec1",
    "answer_rate": "share",
    "calls_prev_year": "int",
    "calls_yoy_pct": "pct",
    "calls_per_workday_yoy_pct": "pct",
    "baseline_calls": "int",
}


@dataclass(frozen=True)
class Report:
    title: str
    frame: pl.DataFrame  # 'period' label + numeric columns named as in KINDS
    lang: str


def _scope(org: str | None, view: str) -> tuple[str, str, dict[str, Any]]:
    if org is None:
        return view, "", {}
    return f"{view}_org", " and organisation = $org", {"org": org}


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pl.DataFrame:
    frame: pl.DataFrame = con.sql(sql, params=params).pl()
    return frame


def data_through(con: duckdb.DuckDBPyConnection) -> dt.date:
    row = fetch_one(con, "select cast(value as date) from settings where name = 'data_through'")
    if row is None or row[0] is None:
        raise StoreError("the database holds no calls yet")
    return row[0]  # type: ignore[no-any-return]


def check_org(con: duckdb.DuckDBPyConnection, org: str | None) -> None:
    if org is None:
        return
    known = [r[0] for r in con.execute("select distinct organisation from daily_facts order by 1").fetchall()]
    if org not in known:
        raise StoreError(f"unknown organisation {org!r}; known: {', '.join(known)}")


def weekly_for_month(
    con: duckdb.DuckDBPyConnection, year: int, month: int, org: str | None, lang: str
) -> Report:
    """The weeks of a month, split weeks cut to the month's days, adding up to the month."""
    view, where, params = _scope(org, "calls_by_month_week")
    frame = _query(
        con,
        f"select * from {view} where year = $year and month = $month{where} order by first_date",
        {"year": year, "month": month, **params},
    )
    if frame.is_empty():
        raise StoreError(f"no data for {year}-{month:02d}")
    labels = [_month_week_label(r, lang) for r in frame.iter_rows(named=True)]
    table = pl.DataFrame(
        {
            "period": labels,
            "workdays": frame["workdays"],
            "calls": frame["calls"],
            "calls_per_workday": frame["calls_per_workday"],
        }
    )
    total = pl.DataFrame(
        {
            "period": [f"{LABELS['total'][lang]} {fmt.month_label(year, month, lang)}"],
            "workdays": [frame["workdays"].sum()],
            "calls": [frame["calls"].sum()],
            "calls_per_workday": [
                _per_workday(frame)
            ],
        }
    )
    title = f"{fmt.month_label(year, month, lang)}" + (f" – {org}" if org else "")
    return Report(title, pl.concat([table, total], how="vertical_relaxed"), lang)


def _per_workday(frame: pl.DataFrame) -> float | None:
    workdays = float(frame["workdays"].sum())
    return round(float(frame["calls"].sum()) / workdays, 1) if workdays else None


def _month_week_label(row: dict[str, Any], lang: str) -> str:
    """'v. 48 (1–2 dec, 2 dagar)' for a week cut by the month, 'v. 51 (4,5 dagar)' for a short one."""
    label = fmt.week_label(row["iso_week"], lang)
    days = fmt.days_label(row["workdays"], lang)
    if row["is_split"] or not row["is_complete"]:
        first = row["first_workday"] or row["first_date"]
        last = row["last_workday"] or row["last_date"]
        return f"{label} ({fmt.day_span_label(first, last, lang)}, {days})"
    if row["workdays"] < 5:
        return f"{label} ({days})"
    return label


def weekly_for_year(con: duckdb.DuckDBPyConnection, iso_year: int, org: str | None, lang: str) -> Report:
    view, where, params = _scope(org, "calls_by_week")
    frame = _query(
        con,
        f"select * from {view} where iso_year = $year{where} order by iso_week",
        {"year": iso_year, **params},
    )
    if frame.is_empty():
        raise StoreError(f"no data for ISO year {iso_year}")
    labels = [
        fmt.week_label(r["iso_week"], lang)
        + ("" if r["is_complete"] else f" ({fmt.through_label(r['through_date'], lang)})")
        + (f" ({fmt.days_label(r['workdays'], lang)})" if r["is_complete"] and r["workdays"] < 5 else "")
        for r in frame.iter_rows(named=True)
    ]
    table = _comparison_table(labels, frame, frame["calls_prev_year"])
    return Report(f"{iso_year}" + (f" – {org}" if org else ""), table, lang)


def _comparison_table(labels: list[str], frame: pl.DataFrame, prev: pl.Series) -> pl.DataFrame:
    """The board's columns: working days, calls, per working day, answer rate, last year, change."""
    return pl.DataFrame(
        {
            "period": labels,
            "workdays": frame["workdays"],
            "calls": frame["calls"],
            "calls_per_workday": frame["calls_per_workday"],
            "answer_rate": frame["answer_rate"],
            "calls_prev_year": prev,
            "calls_yoy_pct": frame["calls_yoy_pct"],
            "calls_per_workday_yoy_pct": frame["calls_per_workday_yoy_pct"],
            "baseline_calls": frame["baseline_calls"].round(0),
        }
    )


def monthly(con: duckdb.DuckDBPyConnection, year: int, org: str | None, lang: str) -> Report:
    view, where, params = _scope(org, "calls_by_month")
    frame = _query(
        con, f"select * from {view} where year = $year{where} order by month", {"year": year, **params}
    )
    if frame.is_empty():
        raise StoreError(f"no data for {year}")
    labels = [
        fmt.month_label(r["year"], r["month"], lang)
        + ("" if r["is_complete"] else f" {fmt.through_label(r['through_date'], lang)}")
        for r in frame.iter_rows(named=True)
    ]
    # An incomplete month is compared with the same days a year earlier (like for like).
    prev = [
        r["calls_prev_year"] if r["is_complete"] else r["calls_prev_year_same_days"]
        for r in frame.iter_rows(named=True)
    ]
    table = _comparison_table(labels, frame, pl.Series(prev, dtype=pl.Int64))
    total = pl.DataFrame(
        {
            "period": [f"{LABELS['total'][lang]} {year}"],
            "workdays": [frame["workdays"].sum()],
            "calls": [frame["calls"].sum()],
            "calls_per_workday": [_per_workday(frame)],
            "baseline_calls": [round(frame["baseline_calls"].sum(), 0) if org is None else None],
        }
    )
    return Report(
        f"{year}" + (f" – {org}" if org else ""), pl.concat([table, total], how="diagonal_relaxed"), lang
    )


def _cell(value: Any, kind: str, lang: str) -> str:
    if kind == "int":
        return fmt.number(value, 0, lang)
    if kind == "workdays":
        return fmt.workdays(value, lang)
    if kind == "dec1":
        return fmt.number(value, 1, lang)
    if kind == "share":
        return fmt.share(value, 1, lang)
    if kind == "pct":
        return fmt.percent(value, 1, lang, signed=True)
    return "" if value is None else str(value)


def render_table(report: Report) -> str:
    lang = report.lang
    columns = report.frame.columns
    header = [LABELS[c][lang] for c in columns]
    body = [
        [str(row["period"])] + [_cell(row[c], KINDS[c], lang) for c in columns[1:]]
        for row in report.frame.iter_rows(named=True)
    ]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    lines = [report.title, ""]
    lines.append(
        "  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(header))
    )
    lines.append("  ".join("-" * w for w in widths))
    for r in body:
        lines.append("  ".join(v.ljust(widths[0]) if i == 0 else v.rjust(widths[i]) for i, v in enumerate(r)))
    return "\n".join(lines)


def render_csv(report: Report) -> str:
    """Plain numbers (decimal point, no thousands separator) so spreadsheets and scripts read them."""
    return report.frame.rename({c: LABELS[c][report.lang] for c in report.frame.columns}).write_csv()


def render_json(report: Report) -> str:
    return json.dumps(
        {"title": report.title, "rows": report.frame.to_dicts()}, ensure_ascii=False, indent=2, default=str
    )


def write_xlsx(report: Report, out: Path) -> None:
    frame = report.frame.rename({c: LABELS[c][report.lang] for c in report.frame.columns})
    frame.write_excel(
        out, worksheet=report.title[:31], autofit=True, float_precision=1, table_style="Table Style Light 9"
    )
