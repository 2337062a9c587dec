"""Crash safety: a real `callstats ingest` (and `callstats purge`) killed with SIGKILL at many points
leaves the published database exactly as it was and fully queryable; the next run completes the work
with the same figures as an uninterrupted run. Kill points are the named faults of
pipeline.store.fault_point (CALLSTATS_FAULT) and moments spread over a run's time."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rel_helpers import ROOT, SAMPLE_CALLS, SITE_ARGS, VIEWS, sha256_file, view_contents

from pipeline import store
from pipeline.ingest import ingest
from pipeline.retention import purge
from tests.conftest import settings_for

BASE_FILES = sorted(SAMPLE_CALLS.glob("calls-2015-0[12].csv.gz"))
RUN_FILES = sorted(SAMPLE_CALLS.glob("calls-2015-0[3-9].csv.gz"))
NAMED = (
    "after_lock",
    "after_stage",
    "after_insert",
    "before_commit",
    "after_commit",
    "before_publish",
    "after_checkpoint",
    "after_copy",
    "after_fsync",
    "before_rename",
)
TIMED = tuple(round(0.06 * i, 2) for i in range(1, 14))  # fractions of an uninterrupted run
PURGE_POINTS = ("after_lock", "after_checkpoint", "after_copy", "before_rename")
CUTOFF = "2015-04-01"


def _copy_state(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith(".lock"):
            shutil.copy2(path, target / path.name)
    return target / "callstats.duckdb"


def _start(args: list[str], folder: Path, fault: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "CALLSTATS_KEY_FILE": str(folder / "private" / "key")}
    env.pop("CALLSTATS_FAULT", None)
    if fault:
        env["CALLSTATS_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *SITE_ARGS, *args, "--db", str(folder / "callstats.duckdb")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for_lock(process: subprocess.Popen[str], db: Path) -> None:
    """Until the process holds the writer lock (its pid is written into the lock file)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if store.lock_path(db).read_text() == f"pid {process.pid}":
                return
        except FileNotFoundError:
            pass
        time.sleep(0.005)


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The state before the run (two months loaded), the expected figures after it, the run's time."""
    root = tmp_path_factory.mktemp("crash")
    base = root / "base"
    ingest(BASE_FILES, settings_for(base))
    expected = _copy_state(base, root / "expected")
    ingest(RUN_FILES, settings_for(expected.parent))
    timing = _copy_state(base, root / "timing")
    process = _start(["ingest", "--quiet", *map(str, RUN_FILES)], timing.parent)
    _wait_for_lock(process, timing)
    started = time.monotonic()
    assert process.wait(timeout=600) == 0, process.stderr.read() if process.stderr else ""
    purged = _copy_state(expected.parent, root / "purged")
    purge(settings_for(purged.parent), dt.date.fromisoformat(CUTOFF))
    return {
        "root": root,
        "base": base,
        "expected": view_contents(expected),
        "expected_calls": _calls(expected),
        "expected_state": expected.parent,
        "purged_calls": _calls(purged),
        "seconds": time.monotonic() - started,
    }


def _calls(db: Path) -> int:
    con = store.connect_readonly(db)
    try:
        return int(con.execute("select count(*) from calls").fetchall()[0][0])
    finally:
        con.close()


def _check_after_kill(db: Path, before: str, before_views: dict[str, Any]) -> None:
    """The published file is untouched, opens read-only and answers every view; the lock died with
    the process; the working store opens (DuckDB replays or drops its WAL)."""
    assert sha256_file(db) == before
    con = store.connect_readonly(db)
    try:
        for view in VIEWS:
            con.execute(f"select count(*) from {view}").fetchall()
    finally:
        con.close()
    assert view_contents(db) == before_views
    with store.writer_lock(db, wait_s=0):
        pass


def _check_recovered(db: Path) -> None:
    leftovers = sorted(p.name for p in db.parent.iterdir() if p.name.endswith((".tmp", ".wal")))
    assert leftovers == []


def _kill(args: list[str], folder: Path, *, fault: str | None, after_s: float | None) -> int:
    process = _start(args, folder, fault)
    if after_s is not None:
        _wait_for_lock(process, folder / "callstats.duckdb")
        time.sleep(after_s)
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=600)
    return process.returncode


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "fraction"), [(name, None) for name in NAMED] + [(None, f) for f in TIMED],
    ids=[*NAMED, *(f"t{f:.2f}" for f in TIMED)],
)
def test_a_killed_ingest_changes_nothing_and_the_next_run_completes(
    states: dict[str, Any], tmp_path: Path, fault: str | None, fraction: float | None
) -> None:
    db = _copy_state(states["base"], tmp_path / "site")
    before, before_views = sha256_file(db), view_contents(db)
    args = ["ingest", "--quiet", *map(str, RUN_FILES)]
    if fraction is None:
        assert _kill(args, db.parent, fault=fault, after_s=None) == -signal.SIGKILL
    else:
        # Run times vary, so a moment may fall after the run published (or ended). Then the published
        # file must be the whole new snapshot; and the point is tried again at half the time, so that
        # every timed point ends with a kill inside the run.
        after = fraction * states["seconds"]
        while _kill(args, db.parent, fault=None, after_s=after) != -signal.SIGKILL or sha256_file(db) != before:
            assert sha256_file(db) == before or view_contents(db) == states["expected"]
            shutil.rmtree(db.parent)
            db = _copy_state(states["base"], tmp_path / f"site-{after:.3f}")
            after /= 2
    _check_after_kill(db, before, before_views)
    if fault in ("after_commit", "before_publish"):
        # Committed but never checkpointed: the next open must replay the WAL, not lose the file.
        assert store.working_path(db).with_name("callstats.work.duckdb.wal").exists()
    if fault in ("after_copy", "after_fsync", "before_rename"):
        assert list(db.parent.glob(".callstats.duckdb.publish-*.tmp"))  # cleaned up by the next run

    report = ingest(RUN_FILES, settings_for(db.parent))
    assert report.failed == []
    assert view_contents(db) == states["expected"]
    assert _calls(db) == states["expected_calls"]
    _check_recovered(db)


@pytest.mark.slow
def test_a_kill_after_the_rename_has_published_the_whole_run(states: dict[str, Any], tmp_path: Path) -> None:
    db = _copy_state(states["base"], tmp_path / "site")
    args = ["ingest", "--quiet", *map(str, RUN_FILES)]
    assert _kill(args, db.parent, fault="after_rename", after_s=None) == -signal.SIGKILL
    assert view_contents(db) == states["expected"]  # the new snapshot is complete, never half
    report = ingest(RUN_FILES, settings_for(db.parent))
    assert {f.status for f in report.files} == {"already loaded"}
    assert view_contents(db) == states["expected"]
    _check_recovered(db)


@pytest.mark.slow
@pytest.mark.parametrize("fault", PURGE_POINTS)
def test_a_killed_purge_changes_nothing_and_the_next_purge_completes(
    states: dict[str, Any], tmp_path: Path, fault: str
) -> None:
    db = _copy_state(states["expected_state"], tmp_path / "site")
    before, before_views = sha256_file(db), view_contents(db)
    age_days = (dt.date.today() - dt.date.fromisoformat(CUTOFF)).days
    args = ["purge", "--older-than", f"{age_days}d"]
    assert _kill(args, db.parent, fault=fault, after_s=None) == -signal.SIGKILL
    _check_after_kill(db, before, before_views)
    process = _start(args, db.parent)
    assert process.wait(timeout=600) == 0
    assert view_contents(db) == before_views  # the statistics stay exactly as they were
    assert _calls(db) == states["purged_calls"]
    _check_recovered(db)
