"""Ingesting an export folder night after night: include/exclude globs, an empty match is an error,
and a file that failed before and has not changed is reported as still failing, not failed again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import store
from pipeline.ingest import ingest
from pipeline.inputs import expand_paths
from tests.conftest import settings_for

HEADER = "call_id,started_at,outcome,dialled_number"


def calls(path: Path, day: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        HEADER
        + "\n"
        + "".join(f"d{day}-{k},2016-03-{day:02d}T10:0{k}:00+01:00,answered,051317000\n" for k in range(3)),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    calls(folder / "cdr-01.csv", 1)
    calls(folder / "cdr-02.csv", 2)
    calls(folder / "archive" / "cdr-old.csv", 3)
    (folder / "README.txt").write_text("Export written nightly by the PBX.\n", encoding="utf-8")
    return folder


def names(files: list[Path]) -> list[str]:
    return [f.name for f in files]


def test_include_and_exclude_globs(export: Path) -> None:
    everything = names(expand_paths([export]))
    assert sorted(everything) == ["README.txt", "cdr-01.csv", "cdr-02.csv", "cdr-old.csv"]
    assert names(expand_paths([export], include=["*.csv"])) == ["cdr-old.csv", "cdr-01.csv", "cdr-02.csv"]
    assert names(expand_paths([export], exclude=["README*", "archive/*"])) == ["cdr-01.csv", "cdr-02.csv"]
    # A file named on the command line is taken whatever the globs say.
    assert names(expand_paths([export / "README.txt"], include=["*.csv"])) == ["README.txt"]


def test_a_glob_that_matches_nothing_is_an_error(export: Path) -> None:
    with pytest.raises(store.StoreError, match=r"none of the 4 files in .* match --include '\*.cdr'"):
        expand_paths([export], include=["*.cdr"])


def test_the_settings_give_the_default_globs(export: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, exclude=["README*"])
    report = ingest([export], settings)
    assert sorted(names([f.path for f in report.files])) == ["cdr-01.csv", "cdr-02.csv", "cdr-old.csv"]
    assert report.failed == []


def test_a_failed_unchanged_file_is_still_failing_not_failed_again(export: Path, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = ingest([export], settings)
    [readme] = [f for f in first.files if f.path.name == "README.txt"]
    assert readme.status == "failed"

    second = ingest([export], settings)
    [again] = [f for f in second.files if f.path.name == "README.txt"]
    assert again.status == "still failing" and second.failed == []
    assert again.message.startswith("still failing (since ")
    assert readme.message in again.message

    retried = ingest([export], settings, retry_failed=True)
    assert [f.status for f in retried.files if f.path.name == "README.txt"] == ["failed"]

    # Changed content is a new file: tried again (and here it now loads).
    calls(export / "README.txt", 5)
    fixed = ingest([export], settings)
    assert [f.status for f in fixed.files if f.path.name == "README.txt"] == ["loaded"]


def test_the_command_line_flags(export: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "ingest",
                str(export),
                "--db",
                str(tmp_path / "c.duckdb"),
                *args,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "CALLSTATS_KEY_FILE": str(tmp_path / "key")},
            timeout=300,
        )

    first = run()
    assert first.returncode == 1 and "README.txt" in first.stdout
    second = run()
    assert second.returncode == 0, second.stderr
    assert "still failing (since " in second.stdout
    assert run("--retry-failed").returncode == 1
    excluded = run("--exclude", "README*", "--retry-failed")
    assert excluded.returncode == 0 and "README" not in excluded.stdout
    nothing = run("--include", "*.cdr")
    assert nothing.returncode == 2 and nothing.stderr.count("\n") == 1 and "match --include" in nothing.stderr
