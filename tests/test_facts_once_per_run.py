"""An ingest recounts the facts once per run, for every date its files touched (stale_fact_dates),
not once per file: a folder of daily files, the same files one run each and the same records as one
file give the same calls, facts, caller facts and views, and a run that dies between its files'
commits and that recount leaves its dates for whatever next opens the working store to recount
before it publishes."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import events, rebuild, store
from pipeline.config import Settings
from pipeline.ingest import FileReport, ingest
from pipeline.retention import purge
from pipeline.views import analyst_views
from tests.conftest import HEADER, ROOT, SAMPLE_SITE, settings_for
from tests.test_streamed_ingest import DIGESTED, settings_with_key

FIRST_DAY = dt.date(2016, 2, 22)  # a Monday: the files span ISO weeks 8–10 and February into March
DAYS = 16
CALLERS = [f"07{n:08d}" for n in range(10_000_001, 10_000_019)]  # few callers: most call again
NUMBERS = ("0513-17000", "0322 600 600")  # Herrljunga and Vårgårda, as a PBX may print them


def _line(day: dt.date, n: int, rng: random.Random) -> str:
    """One call of `day` in the callstats CSV (as the export writes it: local time with its offset)."""
    hour, minute = 7 + rng.randrange(11), rng.randrange(60)
    outcome = rng.choice(["answered", "answered", "answered", "abandoned", "abandoned", "busy"])
    wait = rng.choice([2, 4, 15, 25, 90])
    talk = 40 + rng.randrange(300) if outcome == "answered" else ""
    caller = rng.choice([*CALLERS, ""])  # now and then a withheld number
    started = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+01:00"
    return f"d{day:%m%d}-{n},{started},,,{outcome},{wait},{talk},{rng.choice(NUMBERS)},,,{caller}"


def daily_files(folder: Path) -> list[Path]:
    """One export per day. Each repeats the previous day's last call (exports overlap), some hold a
    line with a broken time (rejected) or a call to a number that is not the switchboard's (filtered);
    weekends have a few calls."""
    folder.mkdir(parents=True)
    paths, previous_last = [], ""
    for offset in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=offset)
        rng = random.Random(offset)
        lines = [_line(day, n, rng) for n in range(4 if day.weekday() >= 5 else 30)]
        if previous_last:
            lines.insert(0, previous_last)
        if offset % 5 == 2:
            lines.append(f"bad{offset},{day.isoformat()} 25:61,,,answered,5,60,0513-17000,,,0701234567")
        if offset % 4 == 1:
            lines.append(
                f"x{offset},{day.isoformat()}T10:00:00+01:00,,,answered,5,60,0701112233,,,0701234567"
            )
        previous_last = lines[-1] if not lines[-1].startswith(("bad", "x")) else lines[-2]
        path = folder / f"calls-{day.isoformat()}.csv"
        path.write_text(HEADER + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
        paths.append(path)
    return paths


def one_file(paths: list[Path], target: Path) -> Path:
    body = "".join(p.read_text(encoding="utf-8").split("\n", 1)[1] for p in paths)
    target.write_text(HEADER + "\n" + body, encoding="utf-8")
    return target


def contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the statistics' tables and of every analyst view, in a stable order."""
    queries = {
        **DIGESTED,
        "data_health": "select * from data_health",
        "stale_fact_dates": "select * from stale_fact_dates",
    }
    queries.update({view: f"select * from {view}" for view in analyst_views()})
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}
    finally:
        con.close()


def accounting(reports: list[FileReport]) -> list[tuple[str, str, int, int, int, int, int, int]]:
    return [
        (r.path.name, r.status, r.rows_read, r.loaded, r.merged, r.duplicate, r.rejected, r.filtered)
        for r in reports
    ]


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[Path], list[FileReport]]:
    """The daily files loaded as one folder, in one run."""
    root = tmp_path_factory.mktemp("folder")
    paths = daily_files(root / "exports")
    settings = settings_for(root / "site")
    report = ingest([root / "exports"], settings)
    assert [f.status for f in report.files] == ["loaded"] * DAYS
    return settings, paths, report.files


def test_a_folder_one_run_per_file_and_one_file_give_the_same_statistics(
    folder_run: tuple[Settings, list[Path], list[FileReport]], tmp_path: Path
) -> None:
    settings, paths, folder_reports = folder_run
    expected = contents(settings.db)
    assert expected["stale_fact_dates"] == []  # nothing stale is ever published
    assert len(expected["calls"]) > 300
    assert len(expected["caller_day_facts"]) > DAYS  # callers came back: the caller facts matter here
    assert all(f.accounted for f in folder_reports)
    assert sum(f.duplicate for f in folder_reports) == DAYS - 1  # each overlap, once
    assert sum(f.rejected for f in folder_reports) > 0 and sum(f.filtered for f in folder_reports) > 0

    separately = settings_with_key(tmp_path / "separately", settings)
    one_by_one = [ingest([path], separately).files[0] for path in paths]
    assert accounting(one_by_one) == accounting(folder_reports)
    assert contents(separately.db) == expected

    whole = settings_with_key(tmp_path / "whole", settings)
    (report,) = ingest([one_file(paths, tmp_path / "all-days.csv")], whole).files
    assert report.loaded == sum(f.loaded for f in folder_reports)
    assert report.rejected == sum(f.rejected for f in folder_reports)
    assert contents(whole.db) == expected


def _cli(db: Path, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CALLSTATS_KEY_FILE": str(db.parent / "private" / "key")}
    env.pop("CALLSTATS_FAULT", None)
    if fault:
        env["CALLSTATS_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--settings", str(SAMPLE_SITE), *args, "--db", str(db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _working(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(store.working_path(db)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _crashed_site(
    folder_run: tuple[Settings, list[Path], list[FileReport]], tmp_path: Path, fault: str
) -> Settings:
    """The first week loaded and published; then a run of the rest killed at `fault`."""
    settings, paths, _ = folder_run
    site = settings_with_key(tmp_path / "site", settings)
    ingest(paths[:7], site)
    published = site.db.read_bytes()
    result = _cli(site.db, "ingest", "--quiet", *map(str, paths[7:]), fault=fault)
    assert result.returncode in (-signal.SIGKILL, 3), result.stderr  # 3: interrupted (Ctrl-C)
    assert site.db.read_bytes() == published  # nothing of the dead run was published
    return site


@pytest.mark.parametrize("fault", ["before_refresh", "after_commit", "sigint:after_commit"])
def test_a_run_that_dies_before_the_recount_leaves_its_dates_for_the_next_run(
    folder_run: tuple[Settings, list[Path], list[FileReport]], tmp_path: Path, fault: str
) -> None:
    settings, paths, folder_reports = folder_run
    site = _crashed_site(folder_run, tmp_path, fault)
    stale = {row[0] for row in _working(site.db, "select date from stale_fact_dates")}
    loaded = {row[0] for row in _working(site.db, "select distinct call_date from calls")}
    counted = {row[0] for row in _working(site.db, "select distinct date from daily_facts")}
    run_days = {FIRST_DAY + dt.timedelta(days=offset) for offset in range(7, DAYS)}
    # The dead run's files committed their calls (all of them, or the first) but not their facts.
    committed = run_days if fault == "before_refresh" else {FIRST_DAY + dt.timedelta(days=7)}
    assert committed <= stale <= loaded
    assert not committed & counted

    report = ingest(paths, site)  # the next night: the folder again
    counted_alike = {row[0]: row for row in accounting(folder_reports)}
    for row in accounting(report.files):
        assert row[1] == "already loaded" or row == counted_alike[row[0]]
    assert contents(site.db) == contents(settings.db)


def test_a_purge_after_a_dead_run_counts_the_stale_dates_before_it_deletes_their_calls(
    folder_run: tuple[Settings, list[Path], list[FileReport]], tmp_path: Path
) -> None:
    settings, _, _ = folder_run
    site = _crashed_site(folder_run, tmp_path, "before_refresh")
    cutoff = FIRST_DAY + dt.timedelta(days=10)  # inside the dead run's dates
    purge(site, cutoff)
    expected = contents(settings.db)
    after = contents(site.db)
    assert after["stale_fact_dates"] == []
    assert {row[0] for row in after["daily_facts"]} == {row[0] for row in expected["daily_facts"]}
    for table in ("daily_facts", "hourly_facts", "caller_day_facts", "caller_period_facts"):
        assert after[table] == expected[table], table


def test_an_event_after_a_dead_run_publishes_fresh_facts(
    folder_run: tuple[Settings, list[Path], list[FileReport]], tmp_path: Path
) -> None:
    settings, _, _ = folder_run
    site = _crashed_site(folder_run, tmp_path, "before_refresh")
    events.add(site.db, first=FIRST_DAY, last=None, org=None, kind="comment", text="the first day")
    after, expected = contents(site.db), contents(settings.db)
    assert after["stale_fact_dates"] == []
    for table in ("daily_facts", "hourly_facts", "caller_day_facts", "caller_period_facts"):
        assert after[table] == expected[table], table


def test_a_recount_that_fails_is_one_line_and_the_next_run_completes_it(
    folder_run: tuple[Settings, list[Path], list[FileReport]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, paths, _ = folder_run
    site = settings_with_key(tmp_path / "site", settings)
    ingest(paths[:7], site)
    published = site.db.read_bytes()

    def out_of_memory(*args: object) -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")

    monkeypatch.setattr(rebuild, "refresh_facts", out_of_memory)
    with pytest.raises(store.StoreError, match=r"^recounting the facts failed \(Out of Memory Error"):
        ingest(paths[7:], site)
    assert site.db.read_bytes() == published
    assert len(_working(site.db, "select date from stale_fact_dates")) >= DAYS - 7

    monkeypatch.undo()
    report = ingest(paths, site)
    assert {f.status for f in report.files} == {"already loaded"}
    assert contents(site.db) == contents(settings.db)
