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
# The settings that refresh_facts.sql counts by (it takes them as parameters of the same names).
FACT_THRESHOLDS: tuple[str, ...] = ("service_level_s", "short_abandon_s")
_DEFAULTS = {s.name: s.default for s in SETTINGS}


def facts_fingerprint(settings: Settings) -> str:
    return json.dumps({name: str(settings[name]) for name in FACT_SETTINGS}, sort_keys=True)


def fact_parameters(settings: Settings) -> dict[str, int]:
    """The thresholds the daily facts are counted by."""
    return {name: int(settings[name]) for name in FACT_THRESHOLDS}


def stored_fact_parameters(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The thresholds of the build the working store holds (its `settings` rows), for the commands
    that publish without an ingest (purge, events): the facts they recount must be counted like the
    rest. A store that was never built (its first ingest died) has none: the defaults."""
    parameters = {}
    for name in FACT_THRESHOLDS:
        row = store.fetch_one(con, store.sql_text("ingest/stored_setting.sql"), {"name": name})
        parameters[name] = int(row[0]) if row is not None and row[0] is not None else int(_DEFAULTS[name])
    return parameters


def refresh_facts(con: duckdb.DuckDBPyConnection, parameters: dict[str, int]) -> None:
    """Recount the daily, hourly and caller facts of the dates in temp `touched_dates`."""
    store.execute_script(con, store.sql_text("ingest/refresh_facts.sql"), parameters)
    store.execute_script(con, store.sql_text("ingest/refresh_caller_facts.sql"))


def refresh_stale_facts(con: duckdb.DuckDBPyConnection, parameters: dict[str, int]) -> int:
    """Recount the facts of every stale date (`stale_fact_dates`, left by the files an ingest loaded)
    and clear them, in one transaction of its own; returns how many dates. Whatever publishes the
    working store or reads its facts calls this first: a published snapshot never holds stale facts."""
    con.begin()
    try:
        row = store.fetch_one(con, store.sql_text("ingest/stale_dates_to_refresh.sql"))
        dates = int(row[0]) if row is not None else 0
        if dates:
            refresh_facts(con, parameters)
        con.execute(store.sql_text("ingest/clear_stale_dates.sql")).fetchall()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return dates


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
    refresh_facts(con, fact_parameters(settings))
    store.execute_script(con, store.sql_text("ingest/refresh_source_days.sql"))
    # Every date with call rows was recounted, the stale ones among them.
    con.execute(store.sql_text("ingest/clear_stale_dates.sql")).fetchall()
    con.execute("commit").fetchall()
    return True
