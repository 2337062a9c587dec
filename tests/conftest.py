"""Shared fixtures: real DuckDB files built by the real pipeline from small or sample inputs."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.config import Settings, load_settings
from pipeline.ingest import IngestReport, ingest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CALLS = ROOT / "sample_data" / "calls"
# The sample site's settings (Herrljunga's and Vårgårda's numbers); the program's defaults have none.
SAMPLE_SITE = ROOT / "sample_data" / "callstats.toml"
HEADER = (
    "call_id,started_at,answered_at,ended_at,outcome,wait_s,talk_s,dialled_number,organisation,queue,caller"
)


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No developer's environment reaches a test: no CALLSTATS_* variables, and settings discovery
    stays inside the test's temporary folders (a callstats.toml in a parent folder is never read)."""
    import os

    from pipeline import config

    for name in list(os.environ):
        if name.startswith("CALLSTATS_") and name not in SUITE_OPTIONS:
            monkeypatch.delenv(name)
    monkeypatch.setattr(config, "DISCOVERY_CEILING", tmp_path_factory.getbasetemp())


# Variables that steer the test suite itself, not callstats.
SUITE_OPTIONS = frozenset({"CALLSTATS_SCREENSHOTS"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/* from the current output"
    )


@pytest.fixture
def new_site(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A new site's command line: a working folder and a key folder of its own, no settings file
    (isolated_settings has cleared CALLSTATS_* and bounded settings discovery)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


# How spreadsheets save a callstats CSV: Excel's "CSV (semicolon)" in Windows-1252, a tab-separated
# UTF-8 file with a byte-order mark, Excel's "CSV UTF-8".
SPREADSHEET_SAVES = pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [(";", "cp1252", False), ("\t", "utf-8", True), (";", "utf-8", True)],
    ids=["excel-csv-semicolon-cp1252", "tab-utf8-bom", "excel-csv-utf8"],
)


def spreadsheet_rows(
    count: int, *, prefix: str = "x", outcome: str = "answered", decimal_comma: bool = True
) -> list[list[str]]:
    """Answered calls on 6 December 2016 as callstats CSV fields, with Swedish letters and, as a
    Swedish spreadsheet writes them, decimal commas."""
    return [
        [
            f"{prefix}{i}",
            f"2016-12-06 09:{10 + i}:00",
            f"2016-12-06 09:{11 + i}:00",
            f"2016-12-06 09:{15 + i}:00",
            outcome,
            f"{10 + i},5" if decimal_comma else f"{10 + i}.5",
            "240",
            "0322600600",
            "Vårgårda",
            "växel – dag",
            f"07098765{i:02d}",
        ]
        for i in range(count)
    ]


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def settings_for(folder: Path, site: Path | None = SAMPLE_SITE, **overrides: Any) -> Settings:
    """Settings for a database in `folder`: the sample site's file unless `site=None` (a new site
    with nothing configured: the program's defaults). The key sits in a private folder of its own."""
    values: dict[str, Any] = {
        "db": str(folder / "callstats.duckdb"),
        "key_file": str(folder / "private" / "key"),
    }
    values.update(overrides)
    return load_settings(values, start=folder, settings_file=site)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, IngestReport]:
    folder = tmp_path_factory.mktemp("sample")
    settings = settings_for(folder)
    return settings, ingest([SAMPLE_CALLS], settings)


@pytest.fixture(scope="session")
def sample_db(sample_build: tuple[Settings, IngestReport]) -> Path:
    return sample_build[0].db


@pytest.fixture
def sample_con(sample_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(sample_db), read_only=True)
    yield con
    con.close()


BuildDb = Callable[..., tuple[duckdb.DuckDBPyConnection, IngestReport]]


@pytest.fixture
def build_db(tmp_path: Path) -> Iterator[BuildDb]:
    """Ingest given CSV bodies (rows without the header) and open the published database."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def build(*bodies: str, **overrides: Any) -> tuple[duckdb.DuckDBPyConnection, IngestReport]:
        paths = []
        for index, body in enumerate(bodies):
            path = tmp_path / f"input-{index}.csv"
            path.write_text(HEADER + "\n" + textwrap.dedent(body).strip() + "\n", encoding="utf-8")
            paths.append(path)
        settings = settings_for(tmp_path, **overrides)
        report = ingest(paths, settings)
        con = duckdb.connect(str(settings.db), read_only=True)
        opened.append(con)
        return con, report

    yield build
    for con in opened:
        con.close()


def rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or {}).fetchall()
