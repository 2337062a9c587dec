"""The working-day calendar: which days the switchboard is open, for how long, and why.

Default rule (docs/calendar.md), for Sweden:
- closed: Saturdays, Sundays, public holidays and the eves treated like Sundays (midsommarafton,
  julafton, nyårsafton) — exactly what `holidays.Sweden(categories=(PUBLIC, DE_FACTO),
  include_sundays=False)` lists;
- half day (0.5): a weekday that is not closed when the *next calendar day* is closed for a holiday
  reason (not for being a weekend): trettondagsafton, skärtorsdagen, valborgsmässoafton, …;
- full day (1.0): every other weekday.

No national agreement fixes municipal half days, so each half-day rule can be switched off (by the
name of the holiday it precedes) and a site can add its own closed or half days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import holidays
import polars as pl

# Swedish names of the eves that become half days, keyed by the holiday that follows them.
# A half day before a holiday not listed here is named "Dag före <holiday>".
EVE_NAMES_SV: dict[str, str] = {
    "Trettondedag jul": "Trettondagsafton",
    "Långfredagen": "Skärtorsdagen",
    "Första maj": "Valborgsmässoafton",
    "Alla helgons dag": "Allhelgonaafton",
}


@dataclass(frozen=True)
class CalendarRules:
    country: str = "SE"
    # Holidays (by the name the `holidays` package gives in `language`) whose eve is NOT a half day.
    half_day_rules_off: frozenset[str] = frozenset()
    half_days_enabled: bool = True
    extra_closed_days: frozenset[dt.date] = frozenset()
    extra_half_days: frozenset[dt.date] = frozenset()
    language: str = "sv"
    opens_at: dt.time = dt.time(8, 0)
    closes_at: dt.time = dt.time(16, 0)
    half_day_closes_at: dt.time = dt.time(12, 0)


@dataclass(frozen=True)
class Day:
    date: dt.date
    day_type: str  # "full", "half" or "closed"
    day_fraction: float
    holiday_name: str | None
    opens_at: dt.time | None
    closes_at: dt.time | None


@dataclass
class WorkingCalendar:
    rules: CalendarRules = field(default_factory=CalendarRules)

    def _holidays(self, years: Iterable[int]) -> dict[dt.date, str]:
        years = list(years)
        try:
            if self.rules.country == "SE":
                table = holidays.Sweden(  # type: ignore[attr-defined]
                    categories=(holidays.PUBLIC, holidays.DE_FACTO),
                    include_sundays=False,
                    language=self.rules.language,
                    years=years,
                )
            else:
                table = holidays.country_holidays(
                    self.rules.country, years=years, language=self.rules.language
                )
        except NotImplementedError as exc:
            raise ValueError(f"no holiday calendar for country {self.rules.country!r}") from exc
        return {day: str(name) for day, name in table.items()}

    def days(self, start: dt.date, end: dt.date) -> Iterator[Day]:
        """Every date from start to end inclusive."""
        # One year past the end: the half-day rule for 31 December looks at 1 January.
        holiday_names = self._holidays(range(start.year, end.year + 2))
        for extra in self.rules.extra_closed_days:
            holiday_names.setdefault(extra, "Stängt (lokalt beslut)")
        day = start
        while day <= end:
            yield self._classify(day, holiday_names)
            day += dt.timedelta(days=1)

    def _classify(self, day: dt.date, holiday_names: dict[dt.date, str]) -> Day:
        rules = self.rules
        name = holiday_names.get(day)
        if name is not None or day.weekday() >= 5:
            return Day(day, "closed", 0.0, name, None, None)
        next_day = day + dt.timedelta(days=1)
        next_name = holiday_names.get(next_day)
        is_eve = (
            rules.half_days_enabled and next_name is not None and next_name not in rules.half_day_rules_off
        )
        if is_eve or day in rules.extra_half_days:
            eve = (
                EVE_NAMES_SV.get(next_name, f"Dag före {next_name.lower()}")
                if next_name is not None and is_eve
                else "Halvdag (lokalt beslut)"
            )
            return Day(day, "half", 0.5, eve, rules.opens_at, rules.half_day_closes_at)
        return Day(day, "full", 1.0, None, rules.opens_at, rules.closes_at)

    def frame(self, start: dt.date, end: dt.date) -> pl.DataFrame:
        """The `calendar` table: one row per date, with ISO week keys and month keys."""
        rows = list(self.days(start, end))
        frame = pl.DataFrame(
            {
                "date": [d.date for d in rows],
                "day_type": [d.day_type for d in rows],
                "day_fraction": [d.day_fraction for d in rows],
                "holiday_name": [d.holiday_name for d in rows],
                "opens_at": [d.opens_at for d in rows],
                "closes_at": [d.closes_at for d in rows],
            },
            schema={
                "date": pl.Date(),
                "day_type": pl.String(),
                "day_fraction": pl.Float64(),
                "holiday_name": pl.String(),
                "opens_at": pl.Time(),
                "closes_at": pl.Time(),
            },
        )
        return frame.with_columns(
            iso_year=pl.col("date").dt.iso_year().cast(pl.Int32),
            iso_week=pl.col("date").dt.week().cast(pl.Int32),
            week_start=pl.col("date") - pl.duration(days=pl.col("date").dt.weekday() - 1),
            year=pl.col("date").dt.year().cast(pl.Int32),
            month=pl.col("date").dt.month().cast(pl.Int32),
            weekday=pl.col("date").dt.weekday().cast(pl.Int32),  # 1 = Monday … 7 = Sunday
            day_of_month=pl.col("date").dt.day().cast(pl.Int32),
        ).select(
            "date",
            "iso_year",
            "iso_week",
            "week_start",
            "year",
            "month",
            "weekday",
            "day_type",
            "day_fraction",
            "holiday_name",
            "opens_at",
            "closes_at",
            "day_of_month",
        )


def calendar_span(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """Whole years around the data, plus the previous year for year-over-year comparisons.

    The span also reaches the end of the ISO week of its last day, so a week view never sees a
    week cut short by the calendar rather than by the data.
    """
    start = dt.date(first.year - 1, 1, 1)
    start -= dt.timedelta(days=start.weekday())
    end = dt.date(last.year, 12, 31)
    end += dt.timedelta(days=6 - end.weekday())
    return start, end
