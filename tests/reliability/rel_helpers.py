"""Shared helpers of the reliability tests: inputs, view snapshots, subprocess runs."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

from pipeline.views import analyst_views

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CALLS = ROOT / "sample_data" / "calls"
HEADER = (
    "call_id,started_at,answered_at,ended_at,outcome,wait_s,talk_s,dialled_number,organisation,queue,caller"
)
HERRLJUNGA = "051317000"
VIEWS = tuple(analyst_views())


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def view_contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every analyst view, in a stable order (all columns sorted)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {view: sorted(con.execute(f"select * from {view}").fetchall(), key=repr) for view in VIEWS}
    finally:
        con.close()


def call_line(
    call_id: str,
    day: int = 1,
    *,
    month: int = 3,
    hour: int = 10,
    outcome: str = "answered",
    wait: str = "5",
    talk: str = "60",
    dialled: str = HERRLJUNGA,
    caller: str = "0701234567",
) -> str:
    started = f"2016-{month:02d}-{day:02d}T{hour:02d}:00:00+01:00"
    return f"{call_id},{started},,,{outcome},{wait},{talk},{dialled},,,{caller}"


def write_csv(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def small_files(folder: Path, count: int, calls_each: int = 20, first: int = 0) -> list[Path]:
    """`count` callstats CSV files over March–May 2016, each re-sending the last 3 calls of the one
    before (as overlapping exports do). A call's line depends only on its number, so a re-sent call is
    the same record."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(first, first + count):
        lines = []
        for k in range(calls_each):
            number = index * (calls_each - 3) + k
            rng = random.Random(number)
            lines.append(
                call_line(
                    f"s{number}",
                    day=1 + number % 28,
                    month=3 + (number // 28) % 3,
                    hour=7 + rng.randrange(11),
                    outcome=rng.choice(["answered", "abandoned", "busy"]),
                    caller=f"07{rng.randrange(10**8):08d}",
                )
            )
        paths.append(write_csv(folder / f"export-{index:03d}.csv", lines))
    return paths


# The command line as the sample site runs it: with the sample's settings file (its switchboard numbers).
SITE_ARGS = ("--settings", str(ROOT / "sample_data" / "callstats.toml"))


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *SITE_ARGS, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
