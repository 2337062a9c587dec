"""Pure table builders: frames from the views in, tables for reading and downloading out.

The day table exists twice: numeric and as display text in Swedish or English conventions
("6 247", "+0,6 %"). The board's tables are built by pipeline.board and only rendered here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from dashboard.i18n import t
from pipeline import readable
from pipeline.board import BoardTable
from pipeline.board_files import neutralise

Formatter = Callable[[Any, str], str]


def _int(value: Any, lang: str) -> str:
    return readable.number(value, 0, lang)


def _one(value: Any, lang: str) -> str:
    return readable.number(value, 1, lang)


def _days(value: Any, lang: str) -> str:
    return readable.workdays(value, lang)


def _pct(value: Any, lang: str) -> str:
    return readable.percent(value, 1, lang, signed=True)


def _share(value: Any, lang: str) -> str:
    return readable.share(value, 1, lang)


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


def board_display(table: BoardTable) -> pl.DataFrame:
    """A board table (pipeline.board) as the page shows it: the same labels and cells as the
    terminal report, the Summa row last."""
    headers = table.headers()
    rows = table.display_rows()
    return pl.DataFrame(
        {h: [r[i] for r in rows] for i, h in enumerate(headers)}, schema=dict.fromkeys(headers, pl.String)
    )


def week_days(days: pl.DataFrame, lang: str) -> pl.DataFrame:
    rows = []
    for r in days.to_dicts():
        day_type = t(f"day_{r['day_type']}", lang)
        if r["holiday_name"]:
            day_type += f" ({r['holiday_name']})"
        rows.append({
            "date": r["date"].isoformat(),
            "weekday": readable.WEEKDAYS[lang][r["weekday"] - 1],
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
    """UTF-8 with a byte-order mark, so Excel opens å, ä, ö correctly; nested values as text; text a
    spreadsheet would run as a formula ('=…', '+…', '-…', '@…') shown as text."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested() or dtype == pl.Object]
    if nested:
        frame = frame.with_columns(pl.col(name).map_elements(str, return_dtype=pl.String) for name in nested)
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if text:
        frame = frame.with_columns(
            pl.col(name).map_elements(neutralise, return_dtype=pl.String) for name in text
        )
    return "\ufeff".encode() + frame.write_csv().encode("utf-8")
