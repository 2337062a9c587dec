"""Deterministic synthetic switchboard call log: the committed sample_data/calls/.

The demo database must reproduce the board's figures (docs/board-figures.md) exactly, so the generator first
fixes an integer number of calls for every local date — a target per month or week, spread over its
days by weight with largest-remainder rounding — and only then draws each call's time, outcome,
waits and caller. The files are written the way a telephony system exports them: one gzip CSV per
month, each repeating the last day of the previous month (an overlapping re-export the ingest's
dedupe on call_id has to drop).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from pipeline.formats.base import CANONICAL_COLUMNS
from pipeline.workdays import Day, WorkingCalendar

TZ = ZoneInfo("Europe/Stockholm")
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2017, 2, 21)

COLUMNS = list(CANONICAL_COLUMNS)  # the callstats CSV, in its documented order
HERRLJUNGA_NUMBER = "051317000"
VARGARDA_NUMBER = "0322600600"
QUEUE = "vaxel"

# The board's figures. December 2016 is cut at its ISO-week edges so every week adds up; because the
# weeks and the month are both fixed, 3–4 Dec 2016 and 1 Jan 2017 (in week 52) must be empty.
FIXED_SPANS: list[tuple[dt.date, dt.date, int]] = [
    (dt.date(2016, 1, 1), dt.date(2016, 1, 31), 6331),
    (dt.date(2016, 2, 1), dt.date(2016, 2, 29), 6670),
    (dt.date(2016, 12, 1), dt.date(2016, 12, 2), 771),
    (dt.date(2016, 12, 3), dt.date(2016, 12, 4), 0),
    (dt.date(2016, 12, 5), dt.date(2016, 12, 11), 1884),
    (dt.date(2016, 12, 12), dt.date(2016, 12, 18), 1664),
    (dt.date(2016, 12, 19), dt.date(2016, 12, 25), 1236),
    (dt.date(2016, 12, 26), dt.date(2016, 12, 31), 692),
    (dt.date(2017, 1, 1), dt.date(2017, 1, 1), 0),
    (dt.date(2017, 1, 2), dt.date(2017, 1, 31), 6370),
    (dt.date(2017, 2, 1), dt.date(2017, 2, 21), 4270),
]
YEAR_2016_TOTAL = 93_600  # "ca 7 800 samtal/månad" × 12
# Relative calls per working day for the free months of 2016: busy spring and autumn, a July dip.
SEASON = {3: 1.0, 4: 1.04, 5: 0.99, 6: 0.94, 7: 0.66, 8: 0.93, 9: 1.09, 10: 1.1, 11: 1.07}
LEVEL_2015 = 0.985
WEEKDAY_FACTOR = (1.22, 1.04, 1.0, 0.96, 0.84, 1.0, 1.0)  # Monday first; weekends are closed
CLOSED_DAY_CALLS = ((0, 1, 2, 3, 4), (30, 30, 22, 12, 6))  # a stray few on weekends and holidays
TYPICAL_DAY = 360.0  # calls on an ordinary full day; above it the operators fall behind

# Calls per opening hour (08–16): mid-morning peak, lunch dip, a smaller after-lunch peak.
HOUR_WEIGHTS = {8: 0.9, 9: 1.35, 10: 1.4, 11: 1.05, 12: 0.7, 13: 1.0, 14: 0.9, 15: 0.6}
AFTER_HOURS_SHARE = {"full": 0.011, "half": 0.035}  # half days: callers who expect a full day

RAW_SCHEMA = {
    "call_id": pl.String(),
    "date": pl.Date(),  # local date …
    "second": pl.Int32(),  # … and seconds after local midnight
    "outcome": pl.String(),
    "wait_s": pl.Int64(),
    "talk_s": pl.Int64(),
    "dialled_number": pl.String(),
    "caller": pl.String(),
}


def generate_calls(seed: int = 2017) -> pl.DataFrame:
    """One row per call in the canonical columns, timestamps tz-aware in UTC."""
    rng = random.Random(seed)
    days = list(WorkingCalendar().days(FIRST_DAY, LAST_DAY))
    counts = day_counts(days, rng)
    callers = _caller_pool(rng)
    rows: dict[str, list[object]] = {name: [] for name in RAW_SCHEMA}
    for day in days:
        _generate_day(day, counts[day.date], rng, callers, rows)
    frame = pl.DataFrame(rows, schema=RAW_SCHEMA)
    # Local wall-clock time to UTC in one go; no call falls in a DST gap or fold (02:00–03:00).
    local = pl.col("date").cast(pl.Datetime("us")) + pl.duration(seconds=pl.col("second"))
    frame = frame.with_columns(
        started_at=local.dt.replace_time_zone(TZ.key, non_existent="raise").dt.convert_time_zone("UTC")
    )
    seconds = pl.duration(seconds=pl.col("wait_s"))
    return frame.with_columns(
        answered_at=pl.when(pl.col("outcome") == "answered").then(pl.col("started_at") + seconds),
        ended_at=pl.col("started_at") + seconds + pl.duration(seconds=pl.col("talk_s").fill_null(0)),
        organisation=pl.lit(None, pl.String()),  # the ingest looks it up from dialled_number
        queue=pl.lit(QUEUE),
    ).select(COLUMNS)


def day_counts(days: Sequence[Day], rng: random.Random) -> dict[dt.date, int]:
    """Integer calls per local date that add up exactly to every span target."""
    by_date = {day.date: day for day in days}
    counts: dict[dt.date, int] = {}
    for start, end, total in _span_targets(days, rng):
        span = [by_date[start + dt.timedelta(n)] for n in range((end - start).days + 1)]
        counts |= _split_span(span, total, rng)
    return counts


def _span_targets(days: Sequence[Day], rng: random.Random) -> list[tuple[dt.date, dt.date, int]]:
    workdays: dict[tuple[int, int], float] = {}
    for day in days:
        key = (day.date.year, day.date.month)
        workdays[key] = workdays.get(key, 0.0) + day.day_fraction
    # 2016: the months the board did not show share what is left of the year by season × workdays.
    fixed_2016 = sum(total for start, _, total in FIXED_SPANS if start.year == 2016)
    free = sorted(SEASON)
    shares = _apportion(YEAR_2016_TOTAL - fixed_2016, [SEASON[m] * workdays[2016, m] for m in free])
    totals_2016 = dict(zip(free, shares, strict=True))
    for start, _, total in FIXED_SPANS:
        if start.year == 2016:
            totals_2016[start.month] = totals_2016.get(start.month, 0) + total
    targets = [(dt.date(2016, m, 1), _month_end(2016, m), totals_2016[m]) for m in free]
    # 2015: the same calls per working day a little lower, on 2015's own working days.
    for m in range(1, 13):
        rate = totals_2016[m] / workdays[2016, m]
        total = round(rate * LEVEL_2015 * workdays[2015, m] * rng.gauss(1.0, 0.015))
        targets.append((dt.date(2015, m, 1), _month_end(2015, m), total))
    return sorted(targets + FIXED_SPANS)


def _split_span(span: list[Day], total: int, rng: random.Random) -> dict[dt.date, int]:
    counts = {day.date: 0 for day in span}
    if total == 0:
        return counts
    open_days = [day for day in span if day.day_type != "closed"]
    for day in span:
        if day.day_type == "closed":
            counts[day.date] = rng.choices(*CLOSED_DAY_CALLS)[0]
    weights = [
        day.day_fraction * WEEKDAY_FACTOR[day.date.weekday()] * rng.gauss(1.0, 0.05) for day in open_days
    ]
    rest = total - sum(counts.values())
    for day, count in zip(open_days, _apportion(rest, weights), strict=True):
        counts[day.date] = count
    return counts


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder rounding: integers proportional to weights that sum exactly to total."""
    if total < 0 or not weights:
        raise ValueError(f"cannot split {total} calls over {len(weights)} days")
    exact = [total * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Caller:
    number: str | None  # None: hidden number
    herrljunga_p: float  # local landlines mostly call their own municipality


# Kinds of caller number: (prefix, digits after it, share, chance of calling Herrljunga).
NUMBER_KINDS = (
    ("07", 8, 0.58, 0.45),
    ("+467", 8, 0.05, 0.45),
    ("0513", 5, 0.11, 0.85),
    ("0322", 6, 0.13, 0.12),
    ("031", 7, 0.08, 0.45),
    ("033", 6, 0.05, 0.45),
)
# Tiers of callers: (how many numbers, share of calls). A few regulars call several times a week.
CALLER_TIERS = ((60, 0.07), (3000, 0.38), (50_000, 0.52))
TIER_CUM_WEIGHTS = list(itertools.accumulate(share for _, share in CALLER_TIERS))
HIDDEN_SHARE = 0.03


def _caller_pool(rng: random.Random) -> list[list[Caller]]:
    numbers: dict[str, Caller] = {}  # dict: unique and in a deterministic order
    for size, _ in CALLER_TIERS:
        target = len(numbers) + size
        while len(numbers) < target:
            prefix, digits, _, herrljunga_p = rng.choices(NUMBER_KINDS, [k[2] for k in NUMBER_KINDS])[0]
            # Swedish subscriber numbers do not start with 0; mobiles are 070/072/073/076/079.
            first = rng.choice("02369") if prefix.endswith("7") else str(rng.randint(1, 9))
            number = prefix + first + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
            numbers.setdefault(number, Caller(number, herrljunga_p))
    pool = list(numbers.values())
    tiers, start = [], 0
    for size, _ in CALLER_TIERS:
        tiers.append(pool[start : start + size])
        start += size
    return tiers


def _pick_caller(rng: random.Random, tiers: list[list[Caller]]) -> Caller:
    if rng.random() < HIDDEN_SHARE:
        return Caller(None, 0.45)
    tier = rng.choices(tiers, cum_weights=TIER_CUM_WEIGHTS)[0]
    return rng.choice(tier)


def _generate_day(
    day: Day, n: int, rng: random.Random, callers: list[list[Caller]], rows: dict[str, list[object]]
) -> None:
    load = n / max(day.day_fraction, 0.5) / TYPICAL_DAY
    starts = sorted(_call_second(day, rng) for _ in range(n))
    for seq, (second, after_hours) in enumerate(starts, start=1):
        outcome, wait, talk = _outcome(day, second // 3600, after_hours, load, rng)
        caller = _pick_caller(rng, callers)
        herrljunga = rng.random() < caller.herrljunga_p
        rows["call_id"].append(f"{day.date:%y%m%d}-{seq:03d}")
        rows["date"].append(day.date)
        rows["second"].append(second)
        rows["outcome"].append(outcome)
        rows["wait_s"].append(wait)
        rows["talk_s"].append(talk)
        rows["dialled_number"].append(HERRLJUNGA_NUMBER if herrljunga else VARGARDA_NUMBER)
        rows["caller"].append(caller.number)


def _call_second(day: Day, rng: random.Random) -> tuple[int, bool]:
    """Seconds after local midnight (wall clock), and whether the switchboard is closed then."""
    if day.opens_at is None or day.closes_at is None:
        return rng.randint(9 * 3600, 18 * 3600), True  # a stray call on a closed day
    opens, closes = day.opens_at.hour, day.closes_at.hour
    if rng.random() < AFTER_HOURS_SHARE[day.day_type]:
        # Early callers in the last hour or two before opening; more just after closing.
        hour = rng.choice((opens - 2, opens - 1, opens - 1)) if rng.random() < 0.35 else closes
        hour += 0 if hour < opens else min(int(rng.expovariate(0.8)), 5)
        return hour * 3600 + rng.randrange(3600), True
    hours, cum_weights = _hour_profile(opens, closes)
    hour = rng.choices(hours, cum_weights=cum_weights)[0]
    return hour * 3600 + rng.randrange(3600), False


@functools.cache
def _hour_profile(opens: int, closes: int) -> tuple[list[int], list[float]]:
    hours = [h for h in HOUR_WEIGHTS if opens <= h < closes]
    return hours, list(itertools.accumulate(HOUR_WEIGHTS[h] for h in hours))


def _outcome(
    day: Day, hour: int, after_hours: bool, load: float, rng: random.Random
) -> tuple[str, int, int | None]:
    """Outcome, wait_s (to answer or hang-up) and talk_s (answered only)."""
    if after_hours:
        r = rng.random()
        if r < 0.9:
            return "closed", rng.randint(5, 30), None  # heard the closed announcement
        if r < 0.95:
            return "voicemail", rng.randint(40, 120), None
        return "abandoned", rng.randint(2, 20), None
    # Operators fall behind on busy days, on Mondays and in the mid-morning peak.
    pressure = max(0.0, load - 1.0) + 0.25 * (day.date.weekday() == 0) + 0.2 * (hour in (9, 10))
    answered_p = 0.925 - 0.12 * pressure
    r = rng.random()
    if r < answered_p:
        wait = _lognormal(rng, 16.0 * (1.0 + pressure), 0.85, 1, 240)
        return "answered", wait, _lognormal(rng, 75.0, 0.8, 5, 2400)
    if r < answered_p + 0.008:
        return "timeout", 300, None  # the queue's maximum wait
    if r < answered_p + 0.014:
        return "voicemail", 90 + rng.randint(10, 60), None  # queue overflow to voicemail
    return "abandoned", _lognormal(rng, 38.0 * (1.0 + pressure), 0.9, 2, 290), None


def _lognormal(rng: random.Random, median: float, sigma: float, low: int, high: int) -> int:
    return min(high, max(low, round(rng.lognormvariate(math.log(median), sigma))))


def month_files(calls: pl.DataFrame) -> dict[str, bytes]:
    """File name → gzip bytes: one file per local month, repeating the previous month's last day."""
    local = pl.col("started_at").dt.convert_time_zone(TZ.key)
    frame = calls.sort("started_at", "call_id").with_columns(_local_date=local.dt.date())
    iso = "%Y-%m-%dT%H:%M:%S%:z"
    text = frame.with_columns(
        pl.col(c).dt.convert_time_zone(TZ.key).dt.strftime(iso)
        for c in ("started_at", "answered_at", "ended_at")
    )
    files: dict[str, bytes] = {}
    month = FIRST_DAY.replace(day=1)
    while month <= LAST_DAY:
        end = _month_end(month.year, month.month)
        # Overlap: the export for a month starts with the previous month's last day again.
        window = pl.col("_local_date").is_between(month - dt.timedelta(days=1), end)
        buffer = io.BytesIO()
        text.filter(window).select(COLUMNS).write_csv(buffer)
        # mtime=0 and no file name in the header: the same calls give byte-identical files.
        files[f"calls-{month:%Y-%m}.csv.gz"] = gzip.compress(buffer.getvalue(), 6, mtime=0)
        month = end + dt.timedelta(days=1)
    return files


# The weeks also written as real telephony exports (ISO weeks 49–52 of 2016, local dates).
FORMAT_WEEKS = (dt.date(2016, 12, 5), dt.date(2017, 1, 1))


# The sample site's own settings: Herrljunga's and Vårgårda's switchboard numbers. They are not the
# program's defaults (a new site starts with nothing configured and every call counting).
SITE_SETTINGS = f"""\
# The sample site: Herrljunga and Vårgårda share one switchboard. `callstats demo` and the tests
# read this file; a new site writes its own (`callstats inspect` prints a starting point).

[[switchboard_numbers]]
number = "{HERRLJUNGA_NUMBER}"
organisation = "Herrljunga"

[[switchboard_numbers]]
number = "{VARGARDA_NUMBER}"
organisation = "Vårgårda"
"""


def write_sample(out_dir: Path, formats_dir: Path | None = None, seed: int = 2017) -> list[Path]:
    """Write out_dir/calls/calls-YYYY-MM.csv.gz and the site's out_dir/callstats.toml; return every
    path written, month files first.

    Also writes ISO weeks 49–52 of 2016 of the same calls as real exports under formats_dir
    (default: `sample_formats` beside out_dir): asterisk/Master.csv, asterisk_queue_log/queue_log and
    cucm/cdr_* (see write_format_samples). They live outside out_dir on purpose: they are the same
    calls seen by other systems, so ingesting them together with calls/ would count them again.
    """
    calls = generate_calls(seed)
    target = out_dir / "calls"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in month_files(calls).items():
        path = target / name
        path.write_bytes(data)
        paths.append(path)
    site = out_dir / "callstats.toml"
    site.write_text(SITE_SETTINGS, encoding="utf-8")
    paths.append(site)
    paths.extend(write_format_samples(calls, formats_dir or out_dir.parent / "sample_formats"))
    return paths


def write_format_samples(calls: pl.DataFrame, out_dir: Path) -> list[Path]:
    """The FORMAT_WEEKS calls as Asterisk Master.csv, Asterisk queue_log and CUCM CDR files.

    Master.csv and queue_log describe the same calls with the same uniqueids, so each has its own
    folder: ingesting both into one database would load every queued call twice over (the second
    copy as duplicates). Files left from an earlier run in these folders are replaced.
    """
    from pipeline.sample_writers import write_asterisk, write_cucm

    first, last = FORMAT_WEEKS
    local_date = pl.col("started_at").dt.convert_time_zone(TZ.key).dt.date()
    weeks = calls.filter(local_date.is_between(first, last)).sort("started_at", "call_id")
    folders = {name: out_dir / name for name in ("asterisk", "asterisk_queue_log", "cucm")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old.is_file() and (old.name in ("Master.csv", "queue_log") or old.name.startswith("cdr_")):
                old.unlink()
    master, queue_log = write_asterisk(weeks, folders["asterisk"])
    queue_log = queue_log.replace(folders["asterisk_queue_log"] / queue_log.name)
    return [master, queue_log, *write_cucm(weeks, folders["cucm"])]
