"""`callstats purge` cannot surprise: a dry run, the retention setting as the default, and ages under
one month only with --force."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline import store

HEADER = "call_id,started_at,outcome,dialled_number"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args, "--db", str(root / "callstats.duckdb")],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "CALLSTATS_KEY_FILE": str(root / "key"), **(env or {})},
        timeout=300,
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    lines = [f"c{k},2016-03-{1 + k:02d}T10:00:00+01:00,answered,051317000" for k in range(10)]
    (tmp_path / "calls.csv").write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert run(tmp_path, "ingest", "calls.csv").returncode == 0
    return tmp_path


def call_rows(root: Path) -> int:
    con = duckdb.connect(str(root / "callstats.duckdb"), read_only=True)
    try:
        return int(con.execute("select count(*) from calls").fetchall()[0][0])
    finally:
        con.close()


def test_dry_run_says_what_would_go_and_changes_nothing(site: Path) -> None:
    db = site / "callstats.duckdb"
    before = sha(db), sha(store.working_path(db))
    result = run(site, "purge", "--older-than", "24m", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("would remove 10 call rows dated before ")
    assert "(oldest 2016-03-01)" in result.stdout and "nothing changed" in result.stdout
    assert (sha(db), sha(store.working_path(db))) == before


def test_the_retention_setting_is_the_default_age(site: Path) -> None:
    without = run(site, "purge")
    assert without.returncode == 2 and "retention setting" in without.stderr
    result = run(site, "purge", env={"CALLSTATS_RETENTION": "24m"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("removed 10 call rows")
    assert call_rows(site) == 0


def test_under_one_month_needs_force(site: Path) -> None:
    refused = run(site, "purge", "--older-than", "20d")
    assert refused.returncode == 2 and "add --force" in refused.stderr
    assert call_rows(site) == 10
    forced = run(site, "purge", "--older-than", "0d", "--force")
    assert forced.returncode == 0, forced.stderr
    assert call_rows(site) == 0


def test_a_mistyped_retention_setting_is_one_line(site: Path) -> None:
    result = run(site, "purge", "--dry-run", env={"CALLSTATS_RETENTION": "two years"})
    assert result.returncode == 2
    assert result.stderr.strip() == "callstats: retention: 'two years' is not an age such as 24m or 730d"
