"""Data: what the database holds, and a dashboard that follows each newly published snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_helpers import APP, OpenPage, dashboard_settings, metric, texts
from streamlit.testing.v1 import AppTest

from dashboard import snapshot
from pipeline.ingest import ingest

HEADER = (
    "call_id,started_at,answered_at,ended_at,outcome,wait_s,talk_s,dialled_number,organisation,queue,caller"
)
EXTRA_DAY = "\n".join([
    HEADER,
    "x-1,2017-02-22T09:00:00+01:00,2017-02-22T09:00:12+01:00,2017-02-22T09:03:00+01:00,answered,12,168,"
    "051317000,,vaxel,0701234567",
    "x-2,2017-02-22T10:15:00+01:00,,2017-02-22T10:15:40+01:00,abandoned,40,,0322600600,,vaxel,0707654321",
    "x-3,2017-02-22T11:00:00+01:00,2017-02-22T11:00:05+01:00,2017-02-22T11:02:00+01:00,answered,5,115,"
    "0322600600,,vaxel,",
    "x-4,not a time,,,answered,,,051317000,,vaxel,",
]) + "\n"


def test_data_page_shows_the_data_files_counts_and_settings(open_page: OpenPage) -> None:
    at = open_page("data")
    assert metric(at, "data t.o.m.").value == "2017-02-21"
    files = at.dataframe[0].value
    assert len(files) == 26 and set(files["Status"]) == {"loaded"}
    # The headings are in the page's language, not the database's column names.
    headings = {"Fil", "Lästa", "Inlästa", "Sammanslagna", "Dubbletter", "Avvisade", "Filtrerade"}
    assert headings <= set(files.columns)
    assert not {"rows_read", "path", "file_id"} & set(files.columns)
    assert "Inga rader har avvisats." in texts(at)
    settings = dict(zip(at.dataframe[-1].value["Namn"], at.dataframe[-1].value["Värde"], strict=True))
    assert settings["baseline_calls_per_month"] == "7800"
    assert settings["service_level_s"] == "20"


def test_data_page_headings_in_english(open_page: OpenPage) -> None:
    at = open_page("data", lang="en")
    assert {"File", "Read", "Loaded", "Duplicates", "Rejected"} <= set(at.dataframe[0].value.columns)
    assert {"Name", "Value"} == set(at.dataframe[-1].value.columns)


def test_a_new_snapshot_is_shown_on_the_next_run_without_a_restart(open_page: OpenPage, own_db: Path) -> None:
    at = open_page("data", db=own_db)
    assert "data t.o.m. 2017-02-21" in texts(at)
    extra = own_db.parent / "calls-2017-02-22.csv"
    extra.write_text(EXTRA_DAY, encoding="utf-8")

    # Ingest while the app holds its read-only connection to the old snapshot: it must not block.
    report = ingest([extra], dashboard_settings(own_db.parent))
    assert str(report.data_through) == "2017-02-22"

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "data t.o.m. 2017-02-22" in shown
    assert metric(at, "data t.o.m.").value == "2017-02-22"
    assert len(at.dataframe[0].value) == 27
    # The first table of reasons is the rejected rows' (the filtered rows' comes after it).
    reasons = next(d.value for d in at.dataframe if list(d.value.columns) == ["Orsak", "Rader"])
    assert reasons.iloc[0, 1] == 1  # the bad row, with its reason
    assert reasons.iloc[0, 0]

    at.switch_page("app_pages/vecka.py").run()
    assert not at.exception
    assert metric(at, "Inkommande samtal").value == f"{614 + 3}"  # v. 8 now runs Mon–Wed
    assert "v. 8 (20–22 feb" in at.caption[1].value


def test_a_missing_database_gives_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLSTATS_DB", str(tmp_path / "nowhere.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert at.warning[0].value.startswith("Det finns ingen databas att visa ännu")
    assert "callstats ingest" in at.warning[0].value


def test_a_connection_closed_under_a_page_gives_a_message_and_recovers(
    open_page: OpenPage, own_db: Path,
) -> None:
    at = open_page("vecka", db=own_db)
    snapshot.connection(snapshot.current_snapshot(own_db)).close()  # as when another session switches snapshot
    at.selectbox(key="week_selected").set_value("2016-W30").run()  # a figure not cached yet
    assert not at.exception
    assert at.warning[0].value.startswith("Databasen byts just nu ut")
    at.run()
    assert not at.warning and "data t.o.m. 2017-02-21" in texts(at)
