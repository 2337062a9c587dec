"""Median query latency of every view and every dashboard loader on a published database."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.store import connect_readonly
from pipeline.views import analyst_views

VIEWS = analyst_views()
RUNS = 5


def median_ms(action: Callable[[], Any]) -> float:
    action()  # warm: the first run reads the file from disk
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def loaders(db: Path) -> dict[str, Callable[[], Any]]:
    """The dashboard's loaders, uncached (their st.cache_data wrapper would hide the query)."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from dashboard import snapshot

    snap = snapshot.current_snapshot(db)
    through = snapshot.data_through(snap)
    monday = through - dt.timedelta(days=through.weekday())
    iso = through.isocalendar()

    def raw(name: str) -> Callable[..., Any]:
        return getattr(getattr(snapshot, name), "__wrapped__", getattr(snapshot, name))

    return {
        "weeks": lambda: raw("weeks")(snap, ""),
        "weeks (one organisation)": lambda: raw("weeks")(snap, "Herrljunga"),
        "months": lambda: raw("months")(snap, ""),
        "month_weeks": lambda: raw("month_weeks")(snap, "", through.year, through.month),
        "week_key_figures": lambda: raw("week_key_figures")(snap, "", iso.year, iso.week),
        "days": lambda: raw("days")(snap, "", monday, through),
        "hour_heatmap (13 weeks)": lambda: raw("hour_heatmap")(
            snap, "", through - dt.timedelta(days=91), through
        ),
        "overview (data page)": lambda: raw("overview")(snap),
        "ingested_files": lambda: raw("ingested_files")(snap),
        "rejected_rows": lambda: raw("rejected_rows")(snap),
    }


if __name__ == "__main__":
    db = Path(sys.argv[1])
    con = connect_readonly(db)
    result: dict[str, float] = {}
    for view in VIEWS:
        result[f"view {view}"] = median_ms(lambda view=view: con.execute(f"select * from {view}").fetchall())
    con.close()
    for name, action in loaders(db).items():
        result[f"loader {name}"] = median_ms(action)
    print(json.dumps(result))
