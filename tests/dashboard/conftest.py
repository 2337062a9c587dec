"""Dashboard fixtures: the sample database built once per session, and AppTest helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dashboard_helpers import APP, PAGES, SAMPLE_CALLS, OpenPage, dashboard_settings
from streamlit.testing.v1 import AppTest

from pipeline.ingest import ingest


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database, built by the real pipeline; tests only read it."""
    folder = tmp_path_factory.mktemp("dashboard")
    settings = dashboard_settings(folder)
    ingest([SAMPLE_CALLS], settings)
    return settings.db


@pytest.fixture
def own_db(dashboard_db: Path, tmp_path: Path) -> Path:
    """A private copy of the sample build (published file, working store, key) that a test may re-ingest."""
    for source in dashboard_db.parent.iterdir():
        if source.is_file() and not source.name.endswith(".lock"):
            shutil.copy2(source, tmp_path / source.name)
    return tmp_path / dashboard_db.name


@pytest.fixture
def open_page(dashboard_db: Path, monkeypatch: pytest.MonkeyPatch) -> OpenPage:
    """Run the app on a page with the sidebar's language and organisation chosen, as a user would."""
    monkeypatch.setenv("CALLSTATS_DB", str(dashboard_db))

    def run(page: str = "vecka", *, lang: str = "sv", org: str = "", db: Path | None = None) -> AppTest:
        if db is not None:
            monkeypatch.setenv("CALLSTATS_DB", str(db))
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        if lang != "sv":
            at.sidebar.radio(key="lang").set_value(lang)
        if org:
            at.sidebar.selectbox(key="org").set_value(org)
        if page != "vecka":
            at.switch_page(PAGES[page])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run
