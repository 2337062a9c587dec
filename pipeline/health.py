"""Data-health findings (table data_health, computed at ingest by sql/ingest/data_health.sql) as the
reports and the dashboard show them: what kind of problem, on which days, in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from pipeline import readable, store

KIND_LABELS: dict[str, tuple[str, str]] = {
    "missing_day": ("arbetsdag utan samtal", "working day without calls"),
    "low_day": ("dag långt under det vanliga", "day far below the usual"),
    "missing_hours": ("timme utan samtal under öppettid", "hour without calls in opening hours"),
    "overlapping_sources": ("två källor för samma dagar", "two sources for the same days"),
    "shifted_hour": ("samtalen en timme förskjutna", "calls shifted by an hour"),
    "format_changed": ("exportens format ändrades", "the export's format changed"),
}


def findings_between(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Findings touching first..last; none for a database built before data health existed."""
    try:
        relation = con.execute(store.sql_text("status/findings_between.sql"), {"first": first, "last": last})
    except duckdb.CatalogException:
        return []
    columns = [d[0] for d in relation.description or []]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def describe(finding: dict[str, Any], lang: str) -> str:
    """'arbetsdag utan samtal 8 mar' / 'working day without calls 8 Mar'."""
    label = KIND_LABELS.get(finding["kind"], (finding["kind"], finding["kind"]))[1 if lang == "en" else 0]
    first: dt.date = finding["first_date"]
    last: dt.date = finding["last_date"]
    return f"{label} {readable.day_span_label(first, last, lang)}"


def summary_line(findings: list[dict[str, Any]], lang: str) -> str:
    """One line for a report: empty when the period's data has no findings."""
    if not findings:
        return ""
    items = "; ".join(describe(f, lang) for f in findings)
    if lang == "en":
        return f"Note – data health: {items} (details: callstats status)"
    return f"Obs – datakvalitet: {items} (detaljer: callstats status)"
