"""Reading what a user sees from an AppTest run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from pipeline.store import connect_readonly

NBSP = "\u00a0"


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
