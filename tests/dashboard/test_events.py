"""An event added from the command line: a marker with its text on the week and month charts, a
line in the board's pack, and still there after a purge and a re-ingest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dashboard_helpers import SAMPLE_CALLS, OpenPage, dashboard_settings, figures
from pptx import Presentation

from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.ingest import ingest

OUTAGE = "Störningar i behörighetssystemet"
COMMENT = "Februari ligger under förra året, som väntat efter omläggningen."


def _markers(fig: dict) -> dict[str, str]:  # type: ignore[type-arg]
    trace = next((t for t in fig["data"] if t.get("name") == "Händelser"), None)
    return {} if trace is None else dict(zip(trace["x"], trace["hovertext"], strict=True))


def _query(db: Path, sql: str) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "query", "--format", "json", "--db", str(db), sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _add(db: Path, *args: str) -> None:
    assert main(["events", "add", *args, "--db", str(db)]) == 0


def test_event_on_charts_in_the_pack_and_kept_by_purge_reingest_and_recount(
    own_db: Path, open_page: OpenPage, tmp_path: Path
) -> None:
    _add(own_db, "--date", "2017-02-13", "--to", "2017-02-14", "--kind", "outage", "--text", OUTAGE)
    _add(own_db, "--date", "2017-02-01", "--kind", "comment", "--text", COMMENT)

    week = figures(open_page("vecka", db=own_db))[0]
    assert OUTAGE in _markers(week)["2017-W07"]
    month = figures(open_page("manad", db=own_db))[0]
    assert OUTAGE in _markers(month)["feb"] and "13–14 feb 2017 – Störning" in _markers(month)["feb"]

    out = tmp_path / "pack"
    assert main(["report", "board", "--month", "2017-02", "--out", str(out), "--db", str(own_db)]) == 0
    deck = Presentation(str(out / "vaxel-statistik-2017-02-hela-vaxeln.pptx"))
    first, second = (
        "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides
    )
    assert f"Kommentar: {COMMENT}" in first  # the month's commentary on the first slide
    assert f"2017-02-13 – 2017-02-14 – Störning: {OUTAGE}" in second
    assert main(["report", "board", "--month", "2016-12", "--out", str(out), "--db", str(own_db)]) == 0
    december = Presentation(str(out / "vaxel-statistik-2016-12-hela-vaxeln.pptx"))
    assert OUTAGE not in "\n".join(s.text_frame.text for s in december.slides[1].shapes if s.has_text_frame)

    assert main(["purge", "--older-than", "1d", "--force", "--db", str(own_db)]) == 0
    # In a fresh process: this one's DuckDB keeps the snapshot the pages opened.
    assert _query(own_db, "select count(*) as n from calls") == [{"n": 0}]  # the purge did happen
    assert _query(own_db, "select text from events order by id") == [{"text": OUTAGE}, {"text": COMMENT}]
    ingest([SAMPLE_CALLS], dashboard_settings(own_db.parent))
    # A setting that shapes the statistics changed: the stored calls are recounted, events stay.
    recount = load_settings(
        {**dashboard_settings(own_db.parent).values, "service_level_s": 30}, start=own_db.parent
    )
    assert ingest([SAMPLE_CALLS], recount).recomputed
    listed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "events", "list", "--db", str(own_db)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert OUTAGE in listed and COMMENT in listed
    assert OUTAGE in _markers(figures(open_page("manad", db=own_db))[0])["feb"]


def test_removed_event_leaves_the_charts(
    own_db: Path, open_page: OpenPage, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(own_db, "--date", "2016-12-20", "--kind", "closure", "--text", "Växeln stängd på eftermiddagen")
    assert main(["events", "remove", "1", "--db", str(own_db)]) == 0
    at = open_page("manad", db=own_db)
    at.selectbox(key="month_year").set_value(2016).run()
    assert _markers(figures(at)[0]) == {}
    assert main(["events", "remove", "1", "--db", str(own_db)]) == 2
    assert "no event with id 1" in capsys.readouterr().err
