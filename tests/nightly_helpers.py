"""A switchboard's nightly exports, made up: one callstats CSV per working day, with calls spread
over the opening hours the way a real day is (a morning peak, a lunch dip, an afternoon bump)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from pipeline.workdays import WorkingCalendar

HEADER = "call_id,started_at,outcome,dialled_number"
NUMBERS = ("051317000", "0322600600")
# Share of a full day's calls per hour from 08 to 15 (opening hours 08:00-16:00).
PROFILE = (8, 16, 18, 12, 9, 14, 13, 10)


def working_days(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    return [(d.date, d.day_type) for d in WorkingCalendar().days(first, last) if d.day_type != "closed"]


def day_lines(
    day: dt.date, day_type: str, calls: int = 200, *, shift_hours: int = 0, skip_hours: tuple[int, ...] = ()
) -> list[str]:
    """The day's calls as CSV lines (local time, +01:00/+02:00 as Sweden is), deterministic per date."""
    rng = random.Random(day.toordinal())
    hours = list(range(8, 16 if day_type == "full" else 12))
    weights = list(PROFILE[: len(hours)])
    count = calls if day_type == "full" else calls // 2
    offset = "+02:00" if dt.date(day.year, 3, 27) <= day < dt.date(day.year, 10, 30) else "+01:00"
    lines = []
    for k in range(count):
        hour = rng.choices(hours, weights)[0]
        if hour in skip_hours:
            continue
        stamp = f"{day.isoformat()}T{hour + shift_hours:02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        outcome = "answered" if rng.random() < 0.85 else "abandoned"
        lines.append(f"{day:%Y%m%d}-{k},{stamp}{offset},{outcome},{NUMBERS[k % 2]}")
    return lines


def write_day(folder: Path, day: dt.date, day_type: str, **kwargs: object) -> Path:
    """The export of one day, named as a PBX names its nightly file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"calls-{day.isoformat()}.csv"
    path.write_text(
        HEADER + "\n" + "\n".join(day_lines(day, day_type, **kwargs)) + "\n",  # type: ignore[arg-type]
        encoding="utf-8",
    )
    return path
