"""The callstats CSV as an adapter: BOM, CRLF, extra columns noticed, missing columns refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_helpers import parse

from pipeline.formats import get_adapter
from pipeline.formats.base import AdapterOptions, FormatError


def test_reads_text_and_notices_extra_columns() -> None:
    parsed = parse("callstats/calls.csv")
    assert parsed.calls["call_id"].to_list() == ["c-1", "c-2"]
    assert parsed.calls["queue"].to_list() == ["växel", None]
    assert parsed.calls["outcome"].to_list() == ["answered", "abandoned"]
    assert parsed.calls["caller"].to_list() == ["0701234567", "+46317001122"]
    assert parsed.notices == ["ignored unknown column(s): agent_note"]
    assert [(i.line_no, i.reason) for i in parsed.rejected] == [(4, "malformed line: missing columns")]


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("call_id,started_at,result\n1,2024-03-04 08:00:00,answered\n")
    with pytest.raises(FormatError, match="missing required column\\(s\\) outcome"):
        get_adapter("callstats").parse(path, options=AdapterOptions())


def test_semicolon_resave(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("call_id;started_at;outcome\n1;2024-03-04 08:00:00;answered\n")
    parsed = get_adapter("callstats").parse(path, options=AdapterOptions())
    assert parsed.calls["started_at"].to_list() == ["2024-03-04 08:00:00"]
