"""Pure table builders: frames from the views in, tables for reading and downloading out.

Each table exists twice: numeric (for Excel, where the reader's Excel shows its own number format)
and as display text in Swedish or English conventions ("6 247", "+0,6 %"), which is also what the
CSV holds, so the CSV reads like the board's slide.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import polars as pl

from dashboard.i18n import t
from pipeline import formatting as fmt

Formatter = Callable[[Any, str], str]


def _int(value: Any, lang: str) -> str:
    return fmt.number(value, 0, lang)


def _one(value: Any, lang: str) -> str:
    return fmt.number(value, 1, lang)


def _days(value: Any, lang: str) -> str:
    return fmt.workdays(value, lang)


def _pct(value: Any, lang: str) -> str:
    return fmt.percent(value, 1, lang, signed=True)


def _share(value: Any, lang: str) -> str:
    return fmt.share(value, 1, lang)


def _text(value: Any, lang: str) -> str:
    return "" if value is None else str(value)


# Column → (label key, formatter) for every numeric table below.
COLUMNS: dict[str, tuple[str, Formatter]] = {
    "period": ("col_period", _text),
    "week": ("col_week", _text),
    "days": ("col_days", _text),
    "calls": ("col_calls", _int),
    "calls_prev": ("col_prev", _int),
    "change_pct": ("col_change", _pct),
    "workdays": ("col_workdays", _days),
    "per_workday": ("col_per_workday", _one),
    "change_per_workday_pct": ("col_change_per_workday", _pct),
    "date": ("col_date", _text),
    "weekday": ("col_weekday", _text),
    "day_type": ("col_day_type", _text),
    "answered": ("col_answered", _int),
    "answer_rate": ("col_answer_rate", _share),
    "service_level": ("col_service_level", _share),
    "avg_wait_s": ("col_asa", _one),
    "after_hours": ("col_after_hours", _int),
}


def display(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Every cell as text in the reader's conventions, headers in the reader's language."""
    out: dict[str, list[str]] = {}
    for name in frame.columns:
        key, formatter = COLUMNS[name]
        out[t(key, lang)] = [formatter(v, lang) for v in frame[name].to_list()]
    return pl.DataFrame(out, schema=dict.fromkeys(out, pl.String))


def board_months(months: pl.DataFrame, year: int, lang: str) -> pl.DataFrame:
    """The board's month rows for `year`: calls against last year (like for like when the month is
    incomplete) and per working day."""
    rows = []
    for r in months.filter(pl.col("year") == year).sort("month").to_dicts():
        period = fmt.month_label(r["year"], r["month"], lang)
        if not r["is_complete"]:
            period += " " + fmt.through_label(r["through_date"], lang)
        prev = r["calls_prev_year"] if r["is_complete"] else r["calls_prev_year_same_days"]
        rows.append({
            "period": period,
            "calls": r["calls"],
            "calls_prev": prev,
            "change_pct": r["calls_yoy_pct"],
            "workdays": r["workdays"],
            "per_workday": r["calls_per_workday"],
            "change_per_workday_pct": r["calls_per_workday_yoy_pct"],
        })
    return pl.DataFrame(rows, schema={
        "period": pl.String, "calls": pl.Int64, "calls_prev": pl.Int64, "change_pct": pl.Float64,
        "workdays": pl.Float64, "per_workday": pl.Float64, "change_per_workday_pct": pl.Float64,
    })


def month_week_label(row: dict[str, Any], lang: str) -> str:
    """'v. 49', 'v. 51 (4,5 dagar)', and for a week cut by the month or the data its days:
    'v. 48 (1–2 dec, 2 dagar)'."""
    label = fmt.week_label(int(row["iso_week"]), lang)
    days = fmt.days_label(float(row["workdays"]), lang)
    if row["is_split"] or not row["is_complete"]:
        return f"{label} ({fmt.day_span_label(row['first_date'], row['last_date'], lang)}, {days})"
    if float(row["workdays"]) < 5:
        return f"{label} ({days})"
    return label


def board_month_weeks(weeks: pl.DataFrame, month: dict[str, Any], lang: str) -> pl.DataFrame:
    """The weeks of one month, split weeks cut at its edges, and the month's total: they add up."""
    rows = [
        {
            "week": month_week_label(r, lang),
            "days": fmt.day_span_label(r["first_date"], r["last_date"], lang),
            "workdays": r["workdays"],
            "calls": r["calls"],
            "per_workday": r["calls_per_workday"],
        }
        for r in weeks.sort("first_date").to_dicts()
    ]
    total = fmt.month_label(month["year"], month["month"], lang)
    if not month["is_complete"]:
        total += " " + fmt.through_label(month["through_date"], lang)
    rows.append({
        "week": t("sum_of", lang, month=total),
        "days": fmt.day_span_label(month["month_start"], month["through_date"], lang),
        "workdays": month["workdays"],
        "calls": month["calls"],
        "per_workday": month["calls_per_workday"],
    })
    return pl.DataFrame(rows, schema={
        "week": pl.String, "days": pl.String, "workdays": pl.Float64, "calls": pl.Int64,
        "per_workday": pl.Float64,
    })


def week_days(days: pl.DataFrame, lang: str) -> pl.DataFrame:
    rows = []
    for r in days.to_dicts():
        day_type = t(f"day_{r['day_type']}", lang)
        if r["holiday_name"]:
            day_type += f" ({r['holiday_name']})"
        rows.append({
            "date": r["date"].isoformat(),
            "weekday": fmt.WEEKDAYS[lang][r["weekday"] - 1],
            "day_type": day_type,
            "calls": r["calls"],
            "answered": r["answered"],
            "answer_rate": r["answer_rate"],
            "service_level": r["service_level"],
            "avg_wait_s": r["avg_wait_s"],
            "after_hours": r["after_hours"],
        })
    return pl.DataFrame(rows, schema={
        "date": pl.String, "weekday": pl.String, "day_type": pl.String, "calls": pl.Int64,
        "answered": pl.Int64, "answer_rate": pl.Float64, "service_level": pl.Float64,
        "avg_wait_s": pl.Float64, "after_hours": pl.Int64,
    })


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens å, ä, ö correctly; nested values as text."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested() or dtype == pl.Object]
    if nested:
        frame = frame.with_columns(pl.col(name).map_elements(str, return_dtype=pl.String) for name in nested)
    return "\ufeff".encode() + frame.write_csv().encode("utf-8")


def xlsx_bytes(sheets: dict[str, pl.DataFrame], lang: str) -> bytes:
    """One worksheet per table, numbers as numbers, headers in the reader's language."""
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as workbook:
        for name, frame in sheets.items():
            headers = {c: t(COLUMNS[c][0], lang) for c in frame.columns}
            frame.rename(headers).write_excel(
                workbook, worksheet=name[:31], autofit=True, float_precision=1,
                table_style="Table Style Light 9",
            )
    return buffer.getvalue()
