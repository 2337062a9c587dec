"""`callstats status`: is the published data fresh and healthy? For people and for monitoring.

Exit 0 when fresh and healthy; 1 when the data is stale (no ingest, or no new data, for longer than
--max-age), the last ingest had files that failed, or a serious data-health finding lies in the
last RECENT_DAYS days of data. Older serious findings are listed but do not fail the check: an
alert that can never clear is soon ignored.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline import readable, store
from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.workdays import WorkingCalendar

RECENT_DAYS = 31


@dataclass
class Status:
    data_through: dt.date | None
    data_age_working_days: int | None
    last_ingest: dict[str, Any] | None
    sources: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    still_failing: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def parse_max_age(text: str) -> int:
    """'2d' → 2 days (a bare number is days too)."""
    match = re.fullmatch(r"\s*(\d+)\s*d?\s*", text.lower())
    if not match or int(match.group(1)) < 1:
        raise UsageError(f"--max-age {text!r}: a number of days, at least 1, e.g. 2d")
    return int(match.group(1))


def today() -> dt.date:
    """The date the check is made on; CALLSTATS_TODAY (YYYY-MM-DD) checks as of another day."""
    raw = os.environ.get("CALLSTATS_TODAY")
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"CALLSTATS_TODAY {raw!r}: expected YYYY-MM-DD") from None


def check(settings: Settings, max_age_days: int, on: dt.date) -> Status:
    con = store.connect_readonly(settings.db)
    try:
        through = _scalar(con, "select value from settings where name = 'data_through'")
        data_through = dt.date.fromisoformat(through) if through else None
        last = _rows(con, "status/last_ingest.sql", {"site_tz": settings.site_tz})
        sources = _rows(con, "status/sources.sql")
        findings = _rows(con, "status/findings.sql")
        failing = _rows(con, "status/still_failing.sql", {"site_tz": settings.site_tz})
    finally:
        con.close()
    last_ingest = last[0] if last else None
    # A failing file that has since been removed from the export folder is no longer anyone's task.
    # (Relative paths are as the ingest was given them, from its working folder: kept.)
    failing = [f for f in failing if not Path(f["path"]).is_absolute() or Path(f["path"]).exists()]
    age = _working_days_between(settings, data_through, on) if data_through else None
    status = Status(data_through, age, last_ingest, sources, findings, failing)

    if data_through is None:
        status.problems.append("no data has been loaded")
    elif age is not None and age > max_age_days:
        status.problems.append(
            f"stale: data through {data_through}, {age} working days old (--max-age {max_age_days}d)"
        )
    if last_ingest is None:
        status.problems.append("no ingest recorded")
    else:
        finished: dt.datetime = last_ingest.pop("finished_utc")
        if (on - finished.date()).days > max_age_days:
            status.problems.append(
                f"stale: the last ingest was {last_ingest['finished']} (--max-age {max_age_days}d)"
            )
        if last_ingest["failed"]:
            status.problems.append(f"the last ingest had {last_ingest['failed']} file(s) that failed")
    if data_through is not None:
        recent = data_through - dt.timedelta(days=RECENT_DAYS)
        serious = [f for f in findings if f["severity"] == "serious" and f["last_date"] > recent]
        for finding in serious:
            status.problems.append(f"{finding['kind']}: {finding['detail']}")
    return status


def _working_days_between(settings: Settings, through: dt.date, on: dt.date) -> int:
    """How old data through `through` is on `on`, in working days: data through the last working
    day before `on` is 1 day old; weekends and holidays do not age it."""
    if on <= through:
        return 0
    days = WorkingCalendar(settings.calendar_rules()).days(
        through + dt.timedelta(days=1), on - dt.timedelta(days=1)
    )
    return 1 + sum(1 for day in days if day.day_fraction > 0)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = store.fetch_one(con, sql)
    return None if row is None else row[0]


def _rows(
    con: duckdb.DuckDBPyConnection, file: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    try:
        relation = con.execute(store.sql_text(file), params or {})
    except duckdb.CatalogException:
        return []  # a database built before this table existed: nothing recorded yet
    columns = [d[0] for d in relation.description or []]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def render(status: Status, site_tz: str) -> str:
    lines = []
    if status.data_through:
        lines.append(
            f"data through   {status.data_through:%Y-%m-%d (%a)}, {status.data_age_working_days} working day(s) old"
        )
    else:
        lines.append("data through   no data yet")
    last = status.last_ingest
    if last:
        lines.append(
            f"last ingest    {last['finished']} ({site_tz}): {last['files']} file(s), {last['loaded_files']} loaded,"
            f" {last['already_loaded']} already loaded, {last['still_failing']} still failing,"
            f" {last['failed']} failed; {readable.number(last['calls_loaded'])} calls,"
            f" {readable.number(last['rejected'])} rejected"
        )
    else:
        lines.append("last ingest    none recorded")
    for index, source in enumerate(status.sources):
        label = "sources" if index == 0 else ""
        lines.append(
            f"{label:<14} {source['source_system']}: {source['first_date']} to {source['last_date']},"
            f" {readable.number(source['days'])} day(s), {readable.number(source['calls'])} calls"
        )
    for failing in status.still_failing:
        lines.append(f"still failing  {failing['path']} (since {failing['since']}): {failing['message']}")
    if status.findings:
        lines.append(f"data health    {len(status.findings)} finding(s)")
        for f in status.findings:
            span = (
                str(f["first_date"])
                if f["first_date"] == f["last_date"]
                else f"{f['first_date']} to {f['last_date']}"
            )
            lines.append(f"  {f['severity']:<8} {f['kind']:<20} {span}: {f['detail']}")
    else:
        lines.append("data health    no findings")
    lines.append("status         " + ("OK" if status.ok else "PROBLEM: " + "; ".join(status.problems)))
    return "\n".join(lines)
