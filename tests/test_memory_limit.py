"""The ingest's DuckDB memory limit: a new site gets the default that keeps a large ingest under 1 GB."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import store
from pipeline.config import Settings, SettingsError
from tests.conftest import settings_for


def limit_bytes(con_setting: str) -> float:
    number, unit = con_setting.split()
    return float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[unit]


def working_limit(folder: Path, settings: Settings) -> float:
    """The memory limit DuckDB reports for the working store the ingest opens with `settings`."""
    con = store.open_working(folder / "callstats.duckdb", str(settings["ingest_memory_limit"]))
    try:
        (setting,) = con.execute("select current_setting('memory_limit')").fetchone() or ("",)
    finally:
        con.close()
    return limit_bytes(setting)


def test_a_new_site_ingests_under_the_default_limit(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, site=None)
    assert settings["ingest_memory_limit"] == store.DEFAULT_MEMORY_LIMIT == "700MB"
    # DuckDB shows one decimal of MiB or GiB.
    assert working_limit(tmp_path, settings) == pytest.approx(700e6, rel=0.05)


def test_a_site_can_raise_the_limit(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, site=None, ingest_memory_limit="2GB")
    assert working_limit(tmp_path, settings) == pytest.approx(2e9, rel=0.05)


def test_a_limit_that_is_not_a_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ingest_memory_limit"):
        settings_for(tmp_path, site=None, ingest_memory_limit="lots")
