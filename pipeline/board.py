"""The board's tables as data: rows, labels, totals and comparisons, built once for every output.

The terminal report, the CSV/JSON/Excel files, the board's pack and the dashboard's Månad page all
render a `BoardTable` from here and compute nothing of their own, so they cannot disagree.

Labelling a week (one convention, everywhere a week is a row):

- ``v. 49``: a whole ISO week with five working days;
- ``v. 51 (4,5 dagar)``: a whole week with fewer working days (holidays, half days);
- ``v. 48 (1–4 dec, 2 dagar)``: a week of which the row covers only some days, because the month
  cuts it (a split week) or the data begins or ends inside it. The dates are the calendar days the
  row covers, so the rows of a month tile the month without gap or overlap (1–4, 5–11, …, 26–31
  dec); the count is the working days among them.

A month whose data ends inside it reads ``februari 2017 t.o.m. 21 feb`` and is compared with the
same days a year earlier (like for like). The Summa row of a year sets the year beside the previous
year on the same terms: complete months against whole months, the incomplete one against the same
days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from pipeline import readable
from pipeline.store import StoreError, sql_text

ALL = "(alla)"  # the scope of the whole switchboard in the base_* views


@dataclass(frozen=True)
class Column:
    sv: str
    en: str
    kind: str  # int | workdays | dec1 | share (0–1) | pct (already in percent)

    def label(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


COLUMNS: dict[str, Column] = {
    "workdays": Column("Arbetsdagar", "Working days", "workdays"),
    "calls": Column("Samtal", "Calls", "int"),
    "calls_per_workday": Column("Per arbetsdag", "Per working day", "dec1"),
    "answer_rate": Column("Svarsfrekvens", "Answer rate", "share"),
    "calls_prev_year": Column("Föregående år", "Previous year", "int"),
    "calls_yoy_pct": Column("Förändring", "Change", "pct"),
    "calls_per_workday_yoy_pct": Column("Förändring per arbetsdag", "Change per working day", "pct"),
    "baseline_calls": Column("Baslinje", "Baseline", "int"),
}
PERIOD = {"sv": "Period", "en": "Period"}
WEEK_COLUMNS = ("workdays", "calls", "calls_per_workday", "answer_rate")
MONTH_COLUMNS = tuple(COLUMNS)
YEAR_WEEK_COLUMNS = (
    "workdays",
    "calls",
    "calls_per_workday",
    "answer_rate",
    "calls_prev_year",
    "calls_yoy_pct",
    "calls_per_workday_yoy_pct",
)


@dataclass(frozen=True)
class Row:
    """One line of a board table: its label, its figures by column, and what it covers."""

    label: str
    values: dict[str, Any]
    year: int | None = None
    month: int | None = None
    iso_year: int | None = None
    iso_week: int | None = None
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    is_complete: bool = True
    is_split: bool = False

    def fields(self) -> dict[str, Any]:
        """The structured description of the row (for JSON), without the label and the figures."""
        return {
            "year": self.year,
            "month": self.month,
            "iso_year": self.iso_year,
            "iso_week": self.iso_week,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "is_complete": self.is_complete,
            "is_split": self.is_split,
            "through_date": None if self.is_complete else self.last_date,
        }


@dataclass(frozen=True)
class YearSummary:
    """A year beside the previous one (like for like while incomplete) and its average per month."""

    year: int
    calls: int
    calls_prev_year: int | None
    calls_yoy_pct: float | None
    calls_per_workday_yoy_pct: float | None
    answer_rate: float | None
    average_per_month: float | None  # over the year's complete months
    complete_months: int
    baseline_per_month: float | None
    is_complete: bool

    def sentence(self, lang: str) -> str:
        """'Genomsnittet för 2016 är 7 800 samtal/månad (baslinje 7 800).'"""
        if self.average_per_month is None:
            return ""
        average = readable.number(self.average_per_month, 0, lang)
        base = readable.number(self.baseline_per_month, 0, lang) if self.baseline_per_month else None
        if lang == "sv":
            unit = "hel månad" if self.complete_months == 1 else "hela månader"
            scope = "" if self.is_complete else f" ({self.complete_months} {unit})"
            text = f"Genomsnittet för {self.year}{scope} är {average} samtal/månad"
            return text + (f" (baslinje {base})." if base else ".")
        unit = "complete month" if self.complete_months == 1 else "complete months"
        scope = "" if self.is_complete else f" ({self.complete_months} {unit})"
        text = f"The {self.year} average{scope} is {average} calls a month"
        return text + (f" (baseline {base})." if base else ".")


@dataclass(frozen=True)
class BoardTable:
    kind: str  # month_weeks | year_months | year_weeks
    title: str
    lang: str
    org: str | None
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row | None
    summary: YearSummary | None = None
    notes: tuple[str, ...] = field(default=())

    def headers(self) -> list[str]:
        return [PERIOD[self.lang], *(COLUMNS[c].label(self.lang) for c in self.columns)]

    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]

    def display_rows(self) -> list[list[str]]:
        """Every cell as the reader reads it: '6 247', '4,5', '88,4 %', '+2,9 %'."""
        return [
            [row.label, *(cell_text(row.values.get(c), COLUMNS[c].kind, self.lang) for c in self.columns)]
            for row in self.all_rows()
        ]


def cell_text(value: Any, kind: str, lang: str) -> str:
    if kind == "int":
        return readable.number(value, 0, lang)
    if kind == "workdays":
        return readable.workdays(value, lang)
    if kind == "dec1":
        return readable.number(value, 1, lang)
    if kind == "share":
        return readable.share(value, 1, lang)
    if kind == "pct":
        return readable.percent(value, 1, lang, signed=True)
    return "" if value is None else str(value)


def week_label(
    iso_week: int,
    workdays: float,
    *,
    first: dt.date,
    last: dt.date,
    week_start: dt.date,
    lang: str,
) -> str:
    """The one label of a week row; see the module docstring for the convention."""
    label = readable.week_label(int(iso_week), lang)
    days = readable.days_label(float(workdays), lang)
    whole_week = first == week_start and (last - first).days == 6
    if not whole_week:
        return f"{label} ({readable.day_span_label(first, last, lang)}, {days})"
    if float(workdays) < 5:
        return f"{label} ({days})"
    return label


def month_title(year: int, month: int, lang: str) -> str:
    return readable.month_label(year, month, lang)


def month_period_label(row: dict[str, Any], lang: str) -> str:
    label = readable.month_label(row["year"], row["month"], lang)
    return label if row["is_complete"] else f"{label} {readable.through_label(row['through_date'], lang)}"


def _org_suffix(org: str | None) -> str:
    return f" – {org}" if org else ""


def _total_label(text: str, lang: str) -> str:
    return f"{'Summa' if lang == 'sv' else 'Total'} {text}"


# Builders from frames of the views (the dashboard passes its cached frames, the CLI loads them).


def month_weeks_table(weeks: pl.DataFrame, month: dict[str, Any], lang: str, org: str | None) -> BoardTable:
    """The weeks of one month (calls_by_month_week rows), split weeks cut at its edges, and the
    month's total (a calls_by_month row): the weeks add up to it."""
    rows = []
    for r in weeks.sort("first_date").to_dicts():
        week_start = r["first_date"] - dt.timedelta(days=r["first_date"].isoweekday() - 1)
        rows.append(
            Row(
                week_label(
                    r["iso_week"],
                    r["workdays"],
                    first=r["first_date"],
                    last=r["last_date"],
                    week_start=week_start,
                    lang=lang,
                ),
                {c: r[c] for c in WEEK_COLUMNS},
                year=r["year"],
                month=r["month"],
                iso_year=r["iso_year"],
                iso_week=r["iso_week"],
                first_date=r["first_date"],
                last_date=r["last_date"],
                is_complete=bool(r["is_complete"]),
                is_split=bool(r["is_split"]),
            )
        )
    total = Row(
        _total_label(month_period_label(month, lang), lang),
        {c: month[c] for c in WEEK_COLUMNS},
        year=month["year"],
        month=month["month"],
        first_date=month["month_start"],
        last_date=month["through_date"],
        is_complete=bool(month["is_complete"]),
    )
    title = month_title(month["year"], month["month"], lang) + _org_suffix(org)
    return BoardTable("month_weeks", title, lang, org, WEEK_COLUMNS, tuple(rows), total)


def _compared_prev(r: dict[str, Any]) -> Any:
    # An incomplete month is compared with the same days a year earlier (like for like).
    return r["calls_prev_year"] if r["is_complete"] else r["calls_prev_year_same_days"]


def _change(current: float, previous: float | None) -> float | None:
    if previous is None or not previous:
        return None
    return round(100.0 * (current - previous) / previous, 1)


def year_summary(months: pl.DataFrame, year: int, baseline_per_month: float | None) -> YearSummary:
    """The year's months (calls_by_month rows of one year) summed and set beside the year before."""
    rows = months.filter(pl.col("year") == year).sort("month").to_dicts()
    calls = sum(int(r["calls"]) for r in rows)
    answered = sum(int(r["answered"]) for r in rows)
    workdays = sum(float(r["workdays"]) for r in rows)
    prevs = [_compared_prev(r) for r in rows]
    prev_workdays = [r["workdays_prev_year"] for r in rows]
    prev = None if any(p is None for p in prevs) else sum(int(p) for p in prevs)
    per_day_change = None
    if prev and workdays and all(w for w in prev_workdays):
        per_day_change = _change(calls / workdays, prev / sum(float(w) for w in prev_workdays))
    complete = [r for r in rows if r["is_complete"]]
    average = round(sum(int(r["calls"]) for r in complete) / len(complete), 1) if complete else None
    return YearSummary(
        year=year,
        calls=calls,
        calls_prev_year=prev,
        calls_yoy_pct=_change(calls, prev),
        calls_per_workday_yoy_pct=per_day_change,
        answer_rate=round(answered / calls, 4) if calls else None,
        average_per_month=average,
        complete_months=len(complete),
        baseline_per_month=baseline_per_month,
        is_complete=len(complete) == 12,
    )


def months_table(
    months: pl.DataFrame, year: int, lang: str, org: str | None, baseline_per_month: float | None
) -> BoardTable:
    """The months of `year` (calls_by_month rows) against last year, and the Summa row of the year.

    The baseline is the switchboard's, so it is left out for one organisation."""
    this = months.filter(pl.col("year") == year).sort("month").to_dicts()
    rows = []
    for r in this:
        values = {c: r[c] for c in MONTH_COLUMNS}
        values["calls_prev_year"] = _compared_prev(r)
        values["baseline_calls"] = None if org else _round0(r["baseline_calls"])
        rows.append(
            Row(
                month_period_label(r, lang),
                values,
                year=r["year"],
                month=r["month"],
                first_date=r["month_start"],
                last_date=r["through_date"],
                is_complete=bool(r["is_complete"]),
            )
        )
    summary = year_summary(months, year, None if org else baseline_per_month)
    workdays = sum(float(r["workdays"]) for r in this)
    total_values = {
        "workdays": workdays,
        "calls": summary.calls,
        "calls_per_workday": round(summary.calls / workdays, 1) if workdays else None,
        "answer_rate": summary.answer_rate,
        "calls_prev_year": summary.calls_prev_year,
        "calls_yoy_pct": summary.calls_yoy_pct,
        "calls_per_workday_yoy_pct": summary.calls_per_workday_yoy_pct,
        "baseline_calls": None if org else _round0(sum(float(r["baseline_calls"] or 0) for r in this)),
    }
    last = this[-1] if this else None
    total_text = str(year)
    if last is not None and not summary.is_complete:
        total_text += f" {readable.through_label(last['through_date'], lang)}"
    total = Row(
        _total_label(total_text, lang),
        total_values,
        year=year,
        first_date=this[0]["month_start"] if this else None,
        last_date=last["through_date"] if last else None,
        is_complete=summary.is_complete,
    )
    notes = (summary.sentence(lang),) if summary.average_per_month is not None else ()
    return BoardTable(
        "year_months",
        f"{year}{_org_suffix(org)}",
        lang,
        org,
        MONTH_COLUMNS[:-1] if org else MONTH_COLUMNS,
        tuple(rows),
        total,
        summary,
        notes,
    )


def _round0(value: Any) -> float | None:
    return None if value is None else float(round(float(value), 0))


def year_weeks_table(weeks: pl.DataFrame, iso_year: int, lang: str, org: str | None) -> BoardTable:
    """The ISO weeks of `iso_year` (calls_by_week rows) against the same weeks last year."""
    rows = []
    for r in weeks.filter(pl.col("iso_year") == iso_year).sort("iso_week").to_dicts():
        first, last = week_span(r)
        rows.append(
            Row(
                week_label(
                    r["iso_week"],
                    r["workdays"],
                    first=first,
                    last=last,
                    week_start=r["week_start"],
                    lang=lang,
                ),
                {c: r[c] for c in YEAR_WEEK_COLUMNS},
                iso_year=r["iso_year"],
                iso_week=r["iso_week"],
                first_date=first,
                last_date=last,
                is_complete=bool(r["is_complete"]),
            )
        )
    return BoardTable(
        "year_weeks", f"{iso_year}{_org_suffix(org)}", lang, org, YEAR_WEEK_COLUMNS, tuple(rows), None
    )


def week_span(r: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """The calendar days a calls_by_week row covers: the whole week, or the part inside the data."""
    days = int(r["days_covered"])
    if r["is_complete"] or days >= 7:
        return r["week_start"], r["week_end"]
    through: dt.date = r["through_date"]
    if through < r["week_end"]:  # the data ends inside the week
        return through - dt.timedelta(days=days - 1), through
    return r["week_end"] - dt.timedelta(days=days - 1), r["week_end"]  # the data begins inside it


def week_row_label(r: dict[str, Any], lang: str) -> str:
    """The label of a calls_by_week row (the charts' weeks)."""
    first, last = week_span(r)
    return week_label(
        r["iso_week"], r["workdays"], first=first, last=last, week_start=r["week_start"], lang=lang
    )


# Loading from the published database (the CLI and the pack).


def _frame(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pl.DataFrame:
    frame: pl.DataFrame = con.sql(sql_text(f"board/{name}.sql"), params=params).pl()
    return frame


def baseline_per_month(con: duckdb.DuckDBPyConnection) -> float | None:
    rows = con.execute("select value from settings where name = 'baseline_calls_per_month'").fetchall()
    return float(rows[0][0]) if rows and rows[0][0] else None


def load_months(con: duckdb.DuckDBPyConnection, org: str | None) -> pl.DataFrame:
    return _frame(con, "months", {"scope": org or ALL})


def load_month_weeks(
    con: duckdb.DuckDBPyConnection, year: int, month: int, org: str | None, lang: str
) -> BoardTable:
    months = load_months(con, org).filter((pl.col("year") == year) & (pl.col("month") == month))
    if months.is_empty():
        raise StoreError(f"no data for {year}-{month:02d}")
    weeks = _frame(con, "month_weeks", {"scope": org or ALL, "year": year, "month": month})
    return month_weeks_table(weeks, months.row(0, named=True), lang, org)


def load_year_months(con: duckdb.DuckDBPyConnection, year: int, org: str | None, lang: str) -> BoardTable:
    months = load_months(con, org)
    if months.filter(pl.col("year") == year).is_empty():
        raise StoreError(f"no data for {year}")
    return months_table(months, year, lang, org, baseline_per_month(con))


def load_year_weeks(con: duckdb.DuckDBPyConnection, iso_year: int, org: str | None, lang: str) -> BoardTable:
    weeks = _frame(con, "weeks", {"scope": org or ALL, "iso_year": iso_year})
    if weeks.is_empty():
        raise StoreError(f"no data for ISO year {iso_year}")
    return year_weeks_table(weeks, iso_year, lang, org)
