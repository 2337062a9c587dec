"""A missing export shows on the dashboard as a warning over its week and month and a mark on the
charts, not only as a dip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dashboard_helpers import OpenPage, dashboard_settings, figures

from pipeline.ingest import ingest
from tests.nightly_helpers import working_days, write_day

MISSING = dt.date(2016, 3, 8)  # Tuesday of ISO week 10


@pytest.fixture(scope="module")
def holey_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("holey")
    for day, day_type in working_days(dt.date(2016, 2, 1), dt.date(2016, 3, 31)):
        if day != MISSING:
            write_day(folder / "exports", day, day_type)
    settings = dashboard_settings(folder)
    ingest([folder / "exports"], settings)
    return settings.db


def warnings(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(w.value) for w in at.warning]


def marks(fig) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a["x"]: a["hovertext"] for a in fig["layout"].get("annotations", []) if a.get("text") == "⚠"}


def test_the_week_page_names_the_week_and_marks_its_bar(open_page: OpenPage, holey_db: Path) -> None:
    at = open_page("vecka", db=holey_db)
    [banner] = [w for w in warnings(at) if w.startswith("Datakvalitet")]
    assert "v. 10 2016: arbetsdag utan samtal 8 mar" in banner
    assert marks(figures(at)[0]) == {"2016-W10": "arbetsdag utan samtal 8 mar"}


def test_the_month_page_names_the_month_and_marks_its_bar(open_page: OpenPage, holey_db: Path) -> None:
    at = open_page("manad", db=holey_db, lang="en")
    [banner] = [w for w in warnings(at) if w.startswith("Data health")]
    assert "March 2016: working day without calls 8 Mar" in banner
    assert marks(figures(at)[0]) == {"Mar": "working day without calls 8 Mar"}


def test_the_clean_sample_has_no_banner(open_page: OpenPage) -> None:
    at = open_page("vecka")
    assert not [w for w in warnings(at) if w.startswith("Datakvalitet")]
    assert marks(figures(at)[0]) == {}


def test_the_data_page_lists_the_findings(open_page: OpenPage, holey_db: Path) -> None:
    at = open_page("data", db=holey_db)
    table = next(d.value for d in at.dataframe if "Anmärkning" in d.value.columns)
    records = [
        {k: v.date() if k in ("Från", "Till") else v for k, v in r.items()} for r in table.to_dict("records")
    ]
    assert records == [
        {
            "Anmärkning": "arbetsdag utan samtal",
            "Allvar": "allvarlig",
            "Från": dt.date(2016, 3, 8),
            "Till": dt.date(2016, 3, 8),
            "Detalj": "no calls on working day Tue 2016-03-08",
        }
    ]
