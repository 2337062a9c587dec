"""Readers and writers: ten reader processes (five dashboard-style, five analyst sessions holding
the file open) read through twenty ingests and some `callstats query` runs: no reader error, no
failed ingest, and every snapshot read adds up. A second ingest waits for the first, or fails with
one clear line; it never corrupts anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rel_helpers import ROOT, SITE_ARGS, run_cli, sha256_file, small_files, view_contents

from pipeline import store
from pipeline.ingest import ingest
from tests.conftest import settings_for

READER = Path(__file__).with_name("rel_reader.py")
READERS = 10
INGESTS = 20


def _wait_for(paths: list[Path], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        assert time.monotonic() < deadline, "readers did not start"
        time.sleep(0.05)


@pytest.mark.slow
def test_readers_never_fail_or_see_half_an_ingest(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    files = small_files(tmp_path / "in", INGESTS + 1, calls_each=30)
    ingest(files[:1], settings)
    stop = tmp_path / "stop"
    outs = [tmp_path / f"reader-{i}.json" for i in range(READERS)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    readers = [
        subprocess.Popen(
            [sys.executable, str(READER), str(settings.db), "dashboard" if i % 2 else "analyst", str(stop), str(out)],
            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
        )
        for i, out in enumerate(outs)
    ]
    queries = []
    try:
        _wait_for([out.with_suffix(".ready") for out in outs])
        for number, path in enumerate(files[1:], start=1):
            report = ingest([path], settings)
            assert report.failed == [] and report.published is not None
            assert report.files[0].status == "loaded"
            if number % 4 == 0:
                queries.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "pipeline.cli", *SITE_ARGS, "query", "--db", str(settings.db), "--format", "csv",
                         "select count(*) = (select sum(calls) from calls_by_day) from calls"],
                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    )
                )
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=300)
    for query in queries:
        stdout, stderr = query.communicate(timeout=300)
        assert query.returncode == 0, stderr
        assert stdout.splitlines()[1] == "True"
    results = [json.loads(out.read_text()) for out in outs]
    for reader, result in zip(readers, results, strict=True):
        assert reader.returncode == 0, reader.stderr.read() if reader.stderr else ""
        assert result["n_errors"] == 0, result["errors"]
        assert result["half"] == [], result["half"]  # every snapshot read adds up
        assert result["reads"] > 0
    final = len({line.split(",")[0] for path in files for line in path.read_text().splitlines()[1:]})
    assert view_contents(settings.db)["calls_by_day"]
    assert max(max(r["seen"]) for r in results) <= final
    assert len({count for r in results for count in r["seen"]}) >= 2  # they did read through ingests


def test_a_second_ingest_fails_with_one_clear_line_when_the_wait_runs_out(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first, second = small_files(tmp_path / "in", 2)
    ingest([first], settings)
    before = sha256_file(settings.db)
    with store.writer_lock(settings.db):  # an ingest is running
        result = run_cli(
            "ingest", str(second), "--db", str(settings.db),
            env={"CALLSTATS_LOCK_WAIT_S": "0.5", "CALLSTATS_KEY_FILE": str(tmp_path / "key")},
        )
    assert result.returncode == 4  # the documented code for "another ingest holds the lock"
    assert result.stderr.count("\n") == 1 and "another ingest is running" in result.stderr
    assert "Traceback" not in result.stderr
    assert sha256_file(settings.db) == before
    assert ingest([second], settings).failed == []  # and nothing was left half-done


def test_a_second_ingest_waits_for_the_first_and_then_succeeds(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    files = small_files(tmp_path / "in", 2)
    ingest(files[:1], settings)
    held = threading.Event()

    def hold_lock() -> None:
        with store.writer_lock(settings.db):
            held.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(timeout=60)
    result = run_cli(
        "ingest", str(files[1]), "--db", str(settings.db),
        env={"CALLSTATS_LOCK_WAIT_S": "120", "CALLSTATS_KEY_FILE": str(tmp_path / "key")},
    )
    holder.join()
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


def test_two_ingests_started_together_both_load_and_nothing_is_counted_twice(tmp_path: Path) -> None:
    files = small_files(tmp_path / "in", 8)
    reference = settings_for(tmp_path / "reference")
    ingest(files, reference)
    site = tmp_path / "site"
    site.mkdir()  # the command line never creates the --db folder (a typo there is an error)
    env = {**os.environ, "CALLSTATS_KEY_FILE": str(site / "private" / "key")}
    commands = [
        [sys.executable, "-m", "pipeline.cli", *SITE_ARGS, "ingest", "--quiet", "--db", str(site / "callstats.duckdb"), *map(str, part)]
        for part in (files[:5], files[3:])  # overlapping file sets, too
    ]
    processes = [subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    assert view_contents(site / "callstats.duckdb") == view_contents(reference.db)
