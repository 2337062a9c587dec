"""Events: what explains a dip or a peak (an outage, a change, a campaign, a closure) and a month's
commentary for the board. Stored in the database's `events` table, written under the writer lock
and published like an ingest; purge, re-ingest and recount never touch them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import store
from pipeline.errors import UsageError
from pipeline.rebuild import refresh_stale_facts, stored_fact_parameters

KINDS = ("outage", "change", "campaign", "closure", "comment", "other")
KIND_LABELS = {
    "outage": ("Störning", "Outage"),
    "change": ("Förändring", "Change"),
    "campaign": ("Kampanj", "Campaign"),
    "closure": ("Stängt", "Closure"),
    "comment": ("Kommentar", "Comment"),
    "other": ("Övrigt", "Other"),
}
MAX_TEXT = 500


@dataclass(frozen=True)
class Event:
    id: int
    first_date: dt.date
    last_date: dt.date
    organisation: str | None
    kind: str
    text: str

    def kind_label(self, lang: str) -> str:
        sv, en = KIND_LABELS.get(self.kind, (self.kind, self.kind))
        return sv if lang == "sv" else en

    def span(self) -> str:
        if self.first_date == self.last_date:
            return self.first_date.isoformat()
        return f"{self.first_date.isoformat()} – {self.last_date.isoformat()}"


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'events' and schema_name = 'main'"
    ).fetchall()
    return bool(rows[0][0])


def load(
    con: duckdb.DuckDBPyConnection,
    first: dt.date = dt.date.min,
    last: dt.date = dt.date.max,
    org: str | None = None,
) -> list[Event]:
    """Events touching [first, last]; a database from before events existed has none."""
    if not _has_table(con):
        return []
    rows = con.execute(
        store.sql_text("events/list.sql"), {"first": first, "last": last, "org": org}
    ).fetchall()
    return [Event(*row) for row in rows]


def add(
    db: Path,
    *,
    first: dt.date,
    last: dt.date | None,
    org: str | None,
    kind: str,
    text: str,
) -> tuple[int, store.PublishResult]:
    last = last or first
    if last < first:
        raise UsageError(f"--to {last} is before --date {first}")
    if kind not in KINDS:
        raise UsageError(f"--kind {kind!r}: one of {', '.join(KINDS)}")
    text = " ".join(text.split())
    if not text:
        raise UsageError("--text is empty: say what happened")
    if len(text) > MAX_TEXT:
        raise UsageError(f"--text is {len(text)} characters; at most {MAX_TEXT}")
    with store.writer_lock(db):
        return _add(
            db, org, {"first_date": first, "last_date": last, "organisation": org, "kind": kind, "text": text}
        )


def _add(db: Path, org: str | None, params: dict[str, object]) -> tuple[int, store.PublishResult]:
    con = _open(db)
    try:
        if org is not None:
            known = [r[0] for r in con.execute("select distinct organisation from daily_facts").fetchall()]
            if known and org not in known:
                raise UsageError(f"unknown organisation {org!r}; known: {', '.join(sorted(known))}")
        new_id = int(con.execute(store.sql_text("events/add.sql"), params).fetchall()[0][0])
        return new_id, store.publish(con, db)
    finally:
        con.close()


def remove(db: Path, event_id: int) -> store.PublishResult:
    with store.writer_lock(db):
        con = _open(db)
        try:
            found = con.execute("delete from events where id = $id returning id", {"id": event_id}).fetchall()
            if not found:
                raise UsageError(f"no event with id {event_id} (see `callstats events list`)")
            return store.publish(con, db)
        finally:
            con.close()


def _open(db: Path) -> duckdb.DuckDBPyConnection:
    if not store.working_path(db).exists():
        raise store.StoreError(f"no working store beside {db}: run `callstats ingest PATH` first")
    con = store.open_working(db)
    try:
        # The store is published after the change: stale dates left by an ingest that died are recounted.
        refresh_stale_facts(con, stored_fact_parameters(con))
    except BaseException:
        con.close()
        raise
    return con
