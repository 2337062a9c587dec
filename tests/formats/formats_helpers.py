"""Helpers for the format adapter tests: fixture paths and a parse that checks the adapter contract."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipeline import formats
from pipeline.formats.base import CANONICAL_COLUMNS, OUTCOMES, AdapterOptions, ParsedFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\+\d{2}:\d{2})?$")


def check_contract(parsed: ParsedFile) -> None:
    calls = parsed.calls
    assert calls.columns == [*CANONICAL_COLUMNS, "line_no"]
    assert all(calls.schema[c] == pl.String for c in CANONICAL_COLUMNS)
    assert calls.schema["line_no"] == pl.Int64
    assert parsed.records_read == calls.height + parsed.merged + len(parsed.rejected) + len(parsed.filtered)
    assert set(calls["outcome"].to_list()) <= set(OUTCOMES)
    assert calls["call_id"].null_count() == 0
    assert calls["call_id"].n_unique() == calls.height
    for col in ("wait_s", "talk_s"):
        assert all(re.fullmatch(r"\d+", v) for v in calls[col].drop_nulls().to_list()), col
    lines = [i.line_no for i in parsed.rejected + parsed.filtered] + calls["line_no"].to_list()
    assert all(n >= 1 for n in lines)


def parse(relative: str, adapter: str | None = None, **options: object) -> ParsedFile:
    """Detect (or take) the adapter, parse a fixture, and check the contract on the result."""
    path = FIXTURES / relative
    chosen = formats.get_adapter(adapter) if adapter else formats.detect(path)
    parsed = chosen.parse(path, options=AdapterOptions(**options))  # type: ignore[arg-type]
    check_contract(parsed)
    return parsed


def by_id(parsed: ParsedFile) -> dict[str, dict[str, object]]:
    return {row["call_id"]: row for row in parsed.calls.iter_rows(named=True)}
