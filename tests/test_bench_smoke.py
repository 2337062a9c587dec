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
    result = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--data", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((ROOT / "bench" / "out" / "smoke.json").read_text(encoding="utf-8"))
    size = report["sizes"][0]
    assert size["calls"] == 100_000
    for key in ("callstats", "duckdb_raw", "pandas"):
        assert size[key]["seconds"] > 0 and size[key]["peak_mb"] > 0
    assert "view calls_by_week" in size["latency_ms"]
    assert any(name.startswith("loader ") for name in size["latency_ms"])
    assert report["asterisk"]["calls"] == 20_000
