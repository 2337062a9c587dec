"""Reading what a user sees from an AppTest run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from pipeline.config import Settings, load_settings
from pipeline.store import connect_readonly

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
SAMPLE_CALLS = ROOT / "sample_data" / "calls"
SAMPLE_SITE = ROOT / "sample_data" / "callstats.toml"
PAGES = {"vecka": "app_pages/vecka.py", "manad": "app_pages/manad.py", "sql": "app_pages/sql.py",
         "data": "app_pages/data.py"}

OpenPage = Callable[..., AppTest]


def dashboard_settings(folder: Path) -> Settings:
    values = {"db": str(folder / "callstats.duckdb"), "key_file": str(folder / "private" / "key")}
    return load_settings(values, start=folder, settings_file=SAMPLE_SITE)


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The Plotly figures on the page, as the JSON the browser receives."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    """Everything a reader sees as text: titles, captions, markdown, info boxes, metrics."""
    parts: list[str] = []
    for kind in ("title", "subheader", "caption", "markdown", "info", "warning", "error", "success"):
        parts.extend(str(e.value) for e in at.get(kind))
    parts.extend(str(e.value) for e in at.sidebar.markdown)
    parts.extend(f"{m.label}: {m.value}" for m in at.metric)
    return "\n".join(parts)


def metric(at: AppTest, label: str) -> Any:
    for m in at.metric:
        if m.label.startswith(label):
            return m
    raise AssertionError(f"no metric {label!r} among {[m.label for m in at.metric]}")


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the database the way the app does (same configuration, so DuckDB shares the instance)."""
    con = connect_readonly(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
