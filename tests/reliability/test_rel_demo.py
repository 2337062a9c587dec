"""`callstats demo` is harmless: it builds and rebuilds only a database it built itself (a mark in
the database's settings table), and refuses, untouched, any other database given as --db — even one
older than the sample, which it once deleted together with the working store."""

from __future__ import annotations

import os
from pathlib import Path

from rel_helpers import run_cli, sha256_file, small_files

from pipeline.ingest import ingest
from pipeline.store import working_path
from tests.conftest import settings_for


def _demo(db: Path, sample: Path, key: Path) -> tuple[int, str, str]:
    done = run_cli(
        "demo", "--db", str(db), "--sample", str(sample), "--build-only", env={"CALLSTATS_KEY_FILE": str(key)}
    )
    return done.returncode, done.stdout, done.stderr


def test_demo_refuses_a_database_it_did_not_build(tmp_path: Path) -> None:
    site = settings_for(tmp_path / "site")
    ingest(small_files(tmp_path / "exports", 2), site)
    for path in (site.db, working_path(site.db)):
        os.utime(path, (0, 0))  # older than any sample: once the trigger to delete it
    before = {path: sha256_file(path) for path in (site.db, working_path(site.db))}
    sample = tmp_path / "sample"
    small_files(sample / "calls", 1)
    code, _, stderr = _demo(site.db, sample, site.key_file)
    assert code == 2
    assert stderr.count("\n") == 1 and "was not built by `callstats demo`" in stderr
    assert {path: sha256_file(path) for path in before} == before


def test_demo_builds_and_rebuilds_its_own_database(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    files = small_files(sample / "calls", 2)
    db = tmp_path / "demo" / "demo.duckdb"
    key = tmp_path / "private" / "key"
    code, stdout, stderr = _demo(db, sample, key)
    assert code == 0, stderr
    assert "building" in stdout and db.exists()
    first = sha256_file(db)
    os.utime(files[0])  # the sample changed: the demo's own database is rebuilt
    os.utime(db, (0, 0))
    code, stdout, stderr = _demo(db, sample, key)
    assert code == 0, stderr
    assert "building" in stdout and sha256_file(db) != first
