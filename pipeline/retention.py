"""Retention: call rows (which hold pseudonymised personal data) are deleted after a limit, while
the daily and hourly facts that every view reads are kept, so the statistics stay exactly as they were.

The purge date is recorded (`purged_before` in settings); later ingests filter calls older than it,
because their facts can no longer be recomputed from call rows.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline import store
from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.rebuild import refresh_stale_facts, stored_fact_parameters


def parse_age(text: str, today: dt.date) -> dt.date:
    """'24m' → the same day 24 months before today; '730d' → 730 days before."""
    match = re.fullmatch(r"\s*(\d+)\s*([md])\s*", text.lower())
    if not match:
        raise UsageError(f"--older-than {text!r}: expected months or days, e.g. 24m or 730d")
    amount, unit = int(match.group(1)), match.group(2)
    try:
        return _before(today, amount, unit)
    except (ValueError, OverflowError):
        raise UsageError(f"--older-than {text!r}: that reaches before the year 1; e.g. 24m or 730d") from None


def cutoff_for(text: str, today: dt.date, *, force: bool) -> dt.date:
    """The purge date for an age; an age under one month deletes the calls the current reports are
    still being checked against, so it needs --force."""
    cutoff = parse_age(text, today)
    if cutoff > _before(today, 1, "m") and not force:
        raise UsageError(
            f"--older-than {text}: under one month would delete recent calls; add --force if that is meant"
        )
    return cutoff


def would_purge(settings: Settings, cutoff: dt.date) -> tuple[int, dt.date | None]:
    """Call rows a purge would delete, and the oldest of their dates (read from the published file)."""
    con = store.connect_readonly(settings.db)
    try:
        row = store.fetch_one(
            con, "select count(*), min(call_date) from calls where call_date < $cutoff", {"cutoff": cutoff}
        )
    finally:
        con.close()
    return (int(row[0]), row[1]) if row else (0, None)


def _before(today: dt.date, amount: int, unit: str) -> dt.date:
    if unit == "d":
        return today - dt.timedelta(days=amount)
    months = today.year * 12 + today.month - 1 - amount
    year, month = divmod(months, 12)
    month += 1
    day = min(
        today.day,
        [
            31,
            29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1],
    )
    return dt.date(year, month, day)


def purge(settings: Settings, cutoff: dt.date) -> tuple[int, store.PublishResult]:
    db = settings.db
    if not store.working_path(db).exists():
        raise store.StoreError(f"no working store beside {db}: nothing to purge")
    with store.writer_lock(db):
        con = store.open_working(db)
        try:
            # Stale dates left by an ingest that died are recounted while their calls are all there.
            refresh_stale_facts(con, stored_fact_parameters(con))
            con.execute("begin")
            row = store.fetch_one(
                con, "select count(*) from calls where call_date < $cutoff", {"cutoff": cutoff}
            )
            removed = int(row[0]) if row else 0
            con.execute("delete from calls where call_date < $cutoff", {"cutoff": cutoff}).fetchall()
            store.execute_script(con, store.sql_text("retention/purge_quarantine.sql"), {"cutoff": cutoff})
            previous = store.fetch_one(con, "select value from settings where name = 'purged_before'")
            keep = max(cutoff, dt.date.fromisoformat(previous[0])) if previous and previous[0] else cutoff
            con.execute("delete from settings where name = 'purged_before'").fetchall()
            con.execute(
                "insert into settings values ('purged_before', $d)", {"d": keep.isoformat()}
            ).fetchall()
            con.execute("commit")
            con = store.compact_working(con, db)
            published = store.publish(con, db)
        finally:
            con.close()
    return removed, published
