"""Settings that shape the statistics, applied to data already loaded.

The calendar rules, opening hours, the site's zone and the service-level and short-abandon
thresholds decide the calendar, each call's local date and hour, whether it arrived after hours, and
the daily facts. When a site changes one of them, the next ingest (even of files already loaded)
rebuilds those from the call rows, so old and new data are counted by the same rules.

Dates before a purge keep their facts as they were: their call rows are gone.
"""

from __future__ import annotations

import json

import duckdb

from pipeline import store
from pipeline.config import SETTINGS, Settings
from pipeline.workdays import WorkingCalendar

# Derived from the settings table, so a new setting that shapes the statistics cannot be forgotten here.
FACT_SETTINGS: tuple[str, ...] = tuple(s.name for s in SETTINGS if s.shapes_statistics)


def facts_fingerprint(settings: Settings) -> str:
    return json.dumps({name: str(settings[name]) for name in FACT_SETTINGS}, sort_keys=True)


def refresh_facts(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Recount the daily, hourly and caller facts of the dates in temp `touched_dates`."""
    store.execute_script(
        con,
        store.sql_text("ingest/refresh_facts.sql"),
        {
            "service_level_s": int(settings["service_level_s"]),
            "short_abandon_s": int(settings["short_abandon_s"]),
        },
    )
    store.execute_script(con, store.sql_text("ingest/refresh_caller_facts.sql"))


def apply_setting_changes(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Rebuild calendar, local dates, after-hours flags and facts if the settings changed."""
    stored = store.fetch_one(con, "select value from settings where name = 'facts_fingerprint'")
    if stored is None or stored[0] is None or stored[0] == facts_fingerprint(settings):
        return False
    purged = store.fetch_one(con, "select value from settings where name = 'purged_before'")
    con.execute("begin").fetchall()
    span = store.fetch_one(con, "select min(date), max(date) from calendar")
    if span is not None and span[0] is not None:
        frame = WorkingCalendar(settings.calendar_rules()).frame(span[0], span[1])
        con.register("calendar_frame", frame.to_arrow())
        con.execute("delete from calendar").fetchall()
        con.execute("insert into calendar select * from calendar_frame").fetchall()
        con.unregister("calendar_frame")
    store.execute_script(
        con,
        store.sql_text("ingest/rebuild_calls.sql"),
        {"site_tz": settings.site_tz, "purged_before": purged[0] if purged else None},
    )
    refresh_facts(con, settings)
    con.execute("commit").fetchall()
    return True
