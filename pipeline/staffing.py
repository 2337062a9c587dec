"""Operators needed per weekday × hour for a forecast week, by Erlang C (pipeline.erlang).

Per opening hour of each working day: the forecast calls of that hour, a handling time of the
measured mean talk time (last 12 weeks) plus the `wrap_up_s` setting, and the target of the
settings (`service_level_share` within `service_level_s`) give the fewest operators that reach the
target, and the service level that staffing is expected to give.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from pipeline import erlang
from pipeline.errors import UsageError
from pipeline.forecast import Forecast


@dataclass(frozen=True)
class Target:
    share: float  # e.g. 0.8
    seconds: float  # e.g. 20

    @classmethod
    def parse(cls, text: str) -> Target:
        """'80/20' → 80 % within 20 s."""
        match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*%?\s*/\s*(\d+(?:[.,]\d+)?)\s*s?\s*", text)
        if not match:
            raise UsageError(f"--target {text!r}: expected SHARE/SECONDS, e.g. 80/20 (80 % within 20 s)")
        share, seconds = (float(g.replace(",", ".")) for g in match.groups())
        if not 0 < share < 100:
            raise UsageError(f"--target {text!r}: the share must lie between 0 and 100")
        return cls(share / 100, seconds)


@dataclass(frozen=True)
class Cell:
    date: dt.date
    weekday: int
    hour: int
    need: erlang.Interval


@dataclass(frozen=True)
class WeekPlan:
    week_start: dt.date
    target: Target
    handle_s: float
    cells: list[Cell]

    @property
    def iso_label(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


def parse_week(text: str) -> dt.date:
    """'2017-W09' → the Monday of that ISO week."""
    match = re.fullmatch(r"\s*(\d{4})-?W(\d{1,2})\s*", text, flags=re.IGNORECASE)
    if not match:
        raise UsageError(f"--week {text!r}: expected an ISO week such as 2017-W09")
    try:
        return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise UsageError(f"--week {text!r}: no such ISO week") from None


def forecast_weeks(fc: Forecast) -> list[dt.date]:
    """Mondays of the weeks the forecast covers (a started week counts)."""
    mondays = {d.date - dt.timedelta(days=d.weekday - 1) for d in fc.days}
    return sorted(mondays)


def plan_week(fc: Forecast, week_start: dt.date, target: Target, wrap_up_s: float) -> WeekPlan:
    covered = {d.date for d in fc.days}
    if week_start not in forecast_weeks(fc):
        first, last = min(covered), max(covered)
        year, week, _ = week_start.isocalendar()
        raise UsageError(
            f"week {year}-W{week:02d} is outside the forecast ({first} … {last}); "
            "staffing is planned for the forecast weeks"
        )
    handle_s = fc.handle_talk_s + wrap_up_s
    if handle_s <= 0:
        raise UsageError("no answered calls in the last 12 weeks: the handling time is unknown")
    cells = []
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        info = fc.calendar.get(day)
        if day not in covered or info is None or info.day_type == "closed":
            continue
        for hour in open_hours(info.opens_at, info.closes_at):
            calls = fc.hourly.get((day, hour), 0.0)
            need = erlang.agents_needed(calls, handle_s, target.share, target.seconds)
            cells.append(Cell(day, info.weekday, hour, need))
    return WeekPlan(week_start, target, handle_s, cells)


def open_hours(opens_at: dt.time | None, closes_at: dt.time | None) -> range:
    """Hours that overlap opening hours (08:00–16:00 → 8 … 15; a 12:30 close keeps hour 12)."""
    if opens_at is None or closes_at is None:
        return range(0)
    last = closes_at.hour + (1 if closes_at.minute or closes_at.second else 0)
    return range(opens_at.hour, last)


def as_csv(plan: WeekPlan) -> str:
    """The roster's input: one row per day and hour (decimal point, ISO dates: for spreadsheets and
    planning tools rather than for reading)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "date",
            "weekday",
            "hour",
            "forecast_calls",
            "handle_s",
            "operators",
            "expected_service_level",
            "expected_mean_wait_s",
            "occupancy",
        ]
    )
    for cell in plan.cells:
        need = cell.need
        writer.writerow(
            [
                cell.date.isoformat(),
                cell.weekday,
                cell.hour,
                f"{need.calls:.1f}",
                f"{need.handle_s:.0f}",
                need.agents,
                f"{need.service_level:.3f}",
                f"{need.mean_wait_s:.1f}",
                f"{need.occupancy:.3f}",
            ]
        )
    return buffer.getvalue()


def grid(plan: WeekPlan) -> tuple[list[int], list[dt.date], dict[tuple[dt.date, int], Cell]]:
    """Hours (rows) × days (columns) of a plan, for tables."""
    cells = {(c.date, c.hour): c for c in plan.cells}
    hours = sorted({c.hour for c in plan.cells})
    days = sorted({c.date for c in plan.cells})
    return hours, days, cells
