"""Measure each dashboard page's data load on a database (default: a fresh build of sample_data/).

    .venv/bin/python bench/dashboard_load.py [--db FILE] [--repeat N]

For every page it calls the loaders the page calls with the page's default choices, three ways:
the connection open (once per snapshot), cold (result caches cleared, connection open) and warm
(cached); it then times a whole AppTest run of the page (data plus rendering, cached data).
Prints a Markdown table; medians over --repeat runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard import snapshot  # noqa: E402

Loads = Callable[[snapshot.Snapshot], object]


def page_loads(through: dt.date) -> dict[str, Loads]:
    week_start = through - dt.timedelta(days=through.weekday())
    heat_first = through - dt.timedelta(weeks=8) + dt.timedelta(days=1)

    def common(snap: snapshot.Snapshot) -> None:
        snapshot.settings(snap)
        snapshot.organisations(snap)

    def vecka(snap: snapshot.Snapshot) -> None:
        common(snap)
        snapshot.weeks(snap, "")
        iso = through.isocalendar()
        snapshot.week_key_figures(snap, "", iso.year, iso.week)
        snapshot.days(snap, "", week_start, through)
        snapshot.hour_heatmap(snap, "", heat_first, through)

    def manad(snap: snapshot.Snapshot) -> None:
        common(snap)
        snapshot.months(snap, "")
        snapshot.month_weeks(snap, "", through.year, through.month)

    def sql(snap: snapshot.Snapshot) -> None:
        common(snap)
        snapshot.catalog(snap)

    def data_page(snap: snapshot.Snapshot) -> None:
        common(snap)
        snapshot.overview(snap)
        snapshot.ingested_files(snap)
        snapshot.rejected_reasons(snap)
        snapshot.filtered_reasons(snap)

    return {"vecka": vecka, "manad": manad, "sql": sql, "data": data_page}


def ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = args.db
    if db is None:
        from pipeline.config import load_settings
        from pipeline.ingest import ingest

        folder = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
        settings = load_settings(
            {"db": str(folder / "callstats.duckdb"), "key_file": str(folder / "key")},
            settings_file=ROOT / "sample_data" / "callstats.toml",
        )
        ingest([ROOT / "sample_data" / "calls"], settings)
        db = settings.db
    os.environ["CALLSTATS_DB"] = str(db)

    opens = []
    for _ in range(args.repeat):
        st.cache_resource.clear()
        started = time.perf_counter()
        snapshot.connection(snapshot.current_snapshot(db))
        opens.append(time.perf_counter() - started)
    snap = snapshot.current_snapshot(db)
    through = snapshot.data_through(snap)

    rows = []
    for page, load in page_loads(through).items():
        cold, warm, render = [], [], []
        for _ in range(args.repeat):
            st.cache_data.clear()
            started = time.perf_counter()
            load(snap)
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            load(snap)
            warm.append(time.perf_counter() - started)
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
        at.run()
        if page != "vecka":
            at.switch_page(f"app_pages/{page}.py")
        at.run()
        for _ in range(args.repeat):
            started = time.perf_counter()
            at.run()
            render.append(time.perf_counter() - started)
        rows.append(f"| {page} | {ms(cold)} | {ms(warm)} | {ms(render)} |")

    print(f"database: {db} ({db.stat().st_size / 1e6:.1f} MB), data through {through}; "
          f"connection open {ms(opens)} ms (median of {args.repeat})\n")
    print("| page | data load, cold (ms) | data load, cached (ms) | whole page run, AppTest (ms) |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
