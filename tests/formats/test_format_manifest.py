"""tests/fixtures/formats/expected.toml: what every telephony fixture yields with default options.

Each entry is checked against its adapter; a fixture file without an entry (or a mapping no entry
uses) fails, so a new fixture cannot be added without saying what it should count.
"""

from __future__ import annotations

import tomllib
from typing import Any

import polars as pl
import pytest
from formats_helpers import FIXTURES, check_contract

from pipeline import formats
from pipeline.formats.base import AdapterOptions

MANIFEST: dict[str, dict[str, Any]] = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))
COUNTS = ("records", "offered", "answered", "merged", "rejected", "filtered")


def _inputs_on_disk() -> set[str]:
    return {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file()
        and p.parts[len(FIXTURES.parts)] not in ("unknown", "callstats")
        and p.suffix != ".toml"
    }


def test_every_fixture_has_an_entry_and_every_entry_a_fixture() -> None:
    assert set(MANIFEST) == _inputs_on_disk()
    mappings = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.toml") if p.name != "expected.toml"}
    assert {e["mapping"] for e in MANIFEST.values() if "mapping" in e} == mappings


@pytest.mark.parametrize("relative", sorted(MANIFEST))
def test_fixture_counts_match_the_manifest(relative: str) -> None:
    entry = MANIFEST[relative]
    assert set(entry) - {"format", "mapping", "ingest"} == set(COUNTS)
    assert entry["records"] == sum(entry[k] for k in ("offered", "merged", "rejected", "filtered"))
    path = FIXTURES / relative
    if "mapping" in entry:
        adapter = formats.get_adapter(entry["format"])
        options = AdapterOptions(mapping=FIXTURES / entry["mapping"])
    else:
        adapter = formats.detect(path)
        assert adapter.name == entry["format"]
        options = AdapterOptions()
    parsed = adapter.parse(path, options=options)
    check_contract(parsed)
    found = {
        "records": parsed.records_read,
        "offered": parsed.calls.height,
        "answered": parsed.calls.filter(pl.col("outcome") == "answered").height,
        "merged": parsed.merged,
        "rejected": len(parsed.rejected),
        "filtered": len(parsed.filtered),
    }
    assert found == {k: entry[k] for k in COUNTS}
