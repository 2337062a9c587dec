"""The benchmarks still run (at 100 000 calls). Timings are printed, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_smoke_runs_and_reports_every_measure(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((ROOT / "bench" / "out" / "smoke.json").read_text(encoding="utf-8"))
    size = report["sizes"][0]
    assert size["calls"] == 100_000
    for key in ("callstats", "duckdb_raw", "pandas"):
        assert size[key]["seconds"] > 0 and size[key]["peak_mb"] > 0
    assert size["publish"]["file_copy_s"] > 0 and size["publish"]["copy_from_database_s"] > 0
    assert "view calls_by_week" in size["latency_ms"]
    assert any(name.startswith("loader ") for name in size["latency_ms"])
    formats = {entry["format"]: entry for entry in report["adapters"]}
    assert set(formats) == {"asterisk_cdr", "cucm", "freeswitch_csv", "3cx", "asterisk_queue_log"}
    for entry in formats.values():
        # Every generated call is read back as a call by its adapter: the files are what they claim.
        assert entry["calls"] == 2_000, entry
        assert entry["records"] >= entry["calls"] and entry["records_per_s"] > 0 and entry["peak_mb"] > 0
    many = report["many_files"]
    assert many["files"] == 2
    assert many["one_file"]["calls"] == many["daily_files"]["calls"] == 10_000
    assert "| format | records | calls | seconds | records/s | peak MB |" in result.stdout


def test_a_bench_store_is_removed_with_its_working_copy(tmp_path: Path) -> None:
    """A working copy left behind would make the next run of the same adapter measure a re-ingest."""
    from bench.run import remove_store

    names = ["cucm.duckdb", "cucm.duckdb.lock", "cucm.work.duckdb", "cucm.work.duckdb.wal", "other.duckdb"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    remove_store(tmp_path / "cucm.duckdb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.duckdb"]
