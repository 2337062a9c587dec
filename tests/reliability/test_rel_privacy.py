"""Personal data: the key is the owner's alone, raw numbers are kept only when a site asks, no caller
number from the input reaches the published file (not even through a quarantined line), and a purge
removes old call rows while every view stays exactly as it was. Exposure: the dashboard listens on
127.0.0.1 unless told otherwise."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rel_helpers import call_line, run_cli, view_contents, write_csv

from pipeline.cli import main
from pipeline.config import Settings
from pipeline.ingest import IngestReport, ingest
from pipeline.retention import purge
from tests.conftest import settings_for

CALLERS = ["0701234567", "+46702345678", "070-345 67 89", "0046 70 456 78 90", "0513-123 45"]


def _forms(number: str) -> set[str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    national = "0" + digits[2:] if number.startswith("+46") else "0" + digits[4:] if digits.startswith("0046") else digits
    return {number, digits, national}


def _leaks(path: Path) -> list[str]:
    data = path.read_bytes()
    return sorted(form for c in CALLERS for form in _forms(c) if form.encode() in data)


def _inputs(folder: Path) -> list[Path]:
    lines = [call_line(f"p{i}", 1 + i, caller=c) for i, c in enumerate(CALLERS)]
    # A malformed line and a rejected value, each with a caller number, quarantined with their line.
    lines.append(call_line("p-bad", 9, caller=CALLERS[0]) + ",extra")
    lines.append(call_line("p-neg", 10, wait="-1", caller=CALLERS[1]))
    return [write_csv(folder / "calls.csv", lines)]


def _copy_site(source: Path, target: Path) -> Settings:
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith(".lock"):
            shutil.copy2(path, target / path.name)
    return settings_for(target, key_file=str(source / "private" / "key"))


def test_the_key_is_created_owner_only_in_an_owner_only_folder(tmp_path: Path) -> None:
    key_file = tmp_path / "config" / "callstats" / "pseudonym.key"
    ingest(_inputs(tmp_path), settings_for(tmp_path, key_file=str(key_file)))
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file.parent).st_mode) == 0o700
    assert key_file.read_text().strip().encode() not in (tmp_path / "callstats.duckdb").read_bytes()


def test_no_caller_number_reaches_the_files_unless_a_site_asks(tmp_path: Path) -> None:
    report = ingest(_inputs(tmp_path), settings_for(tmp_path))
    assert (report.files[0].loaded, report.files[0].rejected) == (len(CALLERS), 2)
    assert _leaks(tmp_path / "callstats.duckdb") == []
    assert _leaks(tmp_path / "callstats.work.duckdb") == []
    con = duckdb.connect(str(tmp_path / "callstats.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from calls where caller_raw is not null").fetchall() == [(0,)]
        assert con.execute("select count(distinct caller_key) from calls").fetchall() == [(len(CALLERS),)]
        assert sorted(r[0] for r in con.execute("select line_no from rejected_rows").fetchall()) == [7, 8]
    finally:
        con.close()

    asked = tmp_path / "asked"
    asked.mkdir()
    ingest(_inputs(asked), settings_for(asked, store_raw_caller=True))
    con = duckdb.connect(str(asked / "callstats.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from calls where caller_raw is not null").fetchall() == [(len(CALLERS),)]
    finally:
        con.close()


@pytest.mark.slow
def test_purge_older_than_24m_removes_every_sample_call_and_keeps_every_view(
    sample_build: tuple[Settings, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_site(sample_build[0].db.parent, tmp_path / "site")
    before = view_contents(settings.db)
    result = run_cli("purge", "--older-than", "24m", "--db", str(settings.db),
                     env={"CALLSTATS_KEY_FILE": str(settings.key_file)})
    assert result.returncode == 0, result.stderr
    assert "statistics unchanged" in result.stdout
    assert view_contents(settings.db) == before
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        assert con.execute("select count(*) from calls").fetchall() == [(0,)]  # the sample ends in 2017
    finally:
        con.close()


@pytest.mark.slow
def test_purge_in_the_middle_keeps_later_calls_and_every_view(
    sample_build: tuple[Settings, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_site(sample_build[0].db.parent, tmp_path / "site")
    before = view_contents(settings.db)
    removed, _ = purge(settings, dt.date(2016, 7, 1))
    assert removed > 0
    assert view_contents(settings.db) == before
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        assert con.execute("select min(call_date) from calls").fetchall() == [(dt.date(2016, 7, 1),)]
        assert con.execute("select value from settings where name = 'purged_before'").fetchall() == [("2016-07-01",)]
    finally:
        con.close()
    # A re-sent old export after the purge is filtered (its facts are kept), never counted again.
    old = write_csv(tmp_path / "resent.csv", [call_line("resent-1", 2, caller=CALLERS[0])])
    report = ingest([old], settings)
    assert (report.files[0].loaded, report.files[0].filtered) == (0, 1)
    assert view_contents(settings.db) == before


def test_no_caller_number_after_a_purge(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    ingest(_inputs(tmp_path), settings)
    before = view_contents(settings.db)
    purge(settings, dt.date(2016, 3, 4))
    assert view_contents(settings.db) == before
    assert _leaks(settings.db) == []


def _dashboard_command(monkeypatch: pytest.MonkeyPatch, db: Path, *extra: str) -> list[str]:
    seen: list[list[str]] = []

    def fake_call(command: list[str], **_: Any) -> int:
        seen.append(command)
        return 0

    monkeypatch.setattr("pipeline.commands.subprocess.call", fake_call)
    assert main(["dashboard", "--db", str(db), *extra]) == 0
    [command] = seen
    return command


def test_the_dashboard_listens_on_localhost_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path)
    ingest(_inputs(tmp_path), settings)
    command = _dashboard_command(monkeypatch, settings.db)
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert "http://127.0.0.1:8501" in capsys.readouterr().out
    command = _dashboard_command(monkeypatch, settings.db, "--host", "10.0.0.5", "--port", "9000")
    assert command[command.index("--server.address") + 1] == "10.0.0.5"
    assert command[command.index("--server.port") + 1] == "9000"


def test_purged_raw_numbers_leave_no_bytes_behind(tmp_path: Path) -> None:
    """With raw numbers kept (store_raw_caller), a purge must not leave them in free blocks."""
    settings = settings_for(tmp_path, store_raw_caller=True)
    ingest(_inputs(tmp_path), settings)
    working = tmp_path / "callstats.work.duckdb"
    assert _leaks(working) != []  # they are there before the purge: the check below can fail
    purge(settings, dt.date(2016, 3, 31))
    assert _leaks(working) == []
    assert _leaks(settings.db) == []
