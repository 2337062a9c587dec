"""`make bench`: ingest throughput, peak memory, incremental ingest, re-ingest and query latency.

Usage: python -m bench.run [--sizes 1000000 10000000] [--asterisk-size 1000000] [--smoke]
Writes bench/out/results.json and prints the table that bench/README.md records.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from bench.generate import write_asterisk_master, write_callstats_csv
from bench.measure import Measured, measure

HERE = Path(__file__).resolve().parent
PER_DAY = 5000  # a day's file in the incremental test: 5 000 calls


def ingest_command(path: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "ingest", str(path), "--db", str(db), "--quiet"]


def one_size(n: int, data: Path, work: Path, env: dict[str, str], with_pandas: bool = True) -> dict[str, Any]:
    con = duckdb.connect()
    csv_path = data / f"calls-{n}.csv"
    if not csv_path.exists():
        write_callstats_csv(con, n, csv_path, per_day=PER_DAY)
    day_path = data / f"day-after-{n}.csv"
    if not day_path.exists():
        # The day after the big file, with call ids of its own.
        write_callstats_csv(con, PER_DAY, day_path, first_day=n // PER_DAY + 1, per_day=PER_DAY)
        text = day_path.read_text(encoding="utf-8").replace("\nc", "\nd")
        day_path.write_text(text, encoding="utf-8")
    con.close()
    result: dict[str, Any] = {"calls": n, "csv_mb": round(csv_path.stat().st_size / 1e6, 1)}

    raw = measure([sys.executable, "-m", "bench.raw_duckdb", str(csv_path), str(work / f"raw-{n}.duckdb")])
    result["duckdb_raw"] = _entry(raw, n)
    if with_pandas:
        pandas = measure(
            [sys.executable, "-m", "bench.pandas_pipeline", str(csv_path), str(work / f"pd-{n}.duckdb")]
        )
        result["pandas"] = _entry(pandas, n)
    db = work / f"callstats-{n}.duckdb"
    ours = measure(ingest_command(csv_path, db), env)
    result["callstats"] = _entry(ours, n)
    result["callstats_vs_duckdb_raw"] = round(raw.seconds / ours.seconds, 2)
    if with_pandas:
        result["callstats_vs_pandas"] = round(pandas.seconds / ours.seconds, 2)
    result["db_mb"] = round(db.stat().st_size / 1e6, 1)

    again = measure(ingest_command(csv_path, db), env)
    assert "already loaded" in again.output, again.output
    result["reingest_s"] = round(again.seconds, 2)
    day = measure(ingest_command(day_path, db), env)
    result["incremental_day_s"] = round(day.seconds, 2)
    result["incremental_day_peak_mb"] = round(day.peak_mb)
    latency = measure([sys.executable, "-m", "bench.latency", str(db)])
    result["latency_ms"] = json.loads(latency.output.strip().splitlines()[-1])
    for stale in work.glob(f"*-{n}.*"):
        if stale.is_file():
            stale.unlink()
    return result


def asterisk(n: int, data: Path, work: Path, env: dict[str, str]) -> dict[str, Any]:
    path = data / f"Master-{n}.csv"
    if not path.exists():
        con = duckdb.connect()
        write_asterisk_master(con, n, path, per_day=PER_DAY)
        con.close()
    run = measure([*ingest_command(path, work / f"asterisk-{n}.duckdb"), "--format", "asterisk_cdr"], env)
    return {"calls": n, **_entry(run, n)}


def _entry(m: Measured, n: int) -> dict[str, float]:
    return {"seconds": round(m.seconds, 2), "calls_per_s": round(n / m.seconds), "peak_mb": round(m.peak_mb)}


def machine() -> dict[str, Any]:
    import polars

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": polars.__version__,
        "platform": platform.platform(),
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        "| calls | callstats ingest | DuckDB raw read_csv | pandas pipeline | ratio to raw | ratio to pandas"
        " | peak MB (ours / raw / pandas) | re-ingest s | one day into it s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["sizes"]:
        lines.append(
            f"| {r['calls']:,} | {r['callstats']['seconds']} s ({r['callstats']['calls_per_s']:,}/s)"
            f" | {r['duckdb_raw']['seconds']} s | {r.get('pandas', {}).get('seconds', '–')} s"
            f" | {r['callstats_vs_duckdb_raw']} | {r.get('callstats_vs_pandas', '–')}"
            f" | {r['callstats']['peak_mb']} / {r['duckdb_raw']['peak_mb']} / {r.get('pandas', {}).get('peak_mb', '–')}"
            f" | {r['reingest_s']} | {r['incremental_day_s']} |"
        )
    for r in results["sizes"]:
        lines.append("")
        lines.append(
            f"Query latency at {r['calls']:,} calls (median of 5, ms): "
            + ", ".join(f"{k} {v}" for k, v in r["latency_ms"].items())
        )
    if results.get("asterisk"):
        a = results["asterisk"]
        lines.append("")
        lines.append(
            f"Asterisk Master.csv, {a['calls']:,} calls: {a['seconds']} s ({a['calls_per_s']:,}/s),"
            f" peak {a['peak_mb']} MB"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--asterisk-size", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="100 000 calls, to prove the benchmark runs")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--no-pandas", action="store_true", help="skip pandas (it needs ~4 GB per 10M calls)")
    parser.add_argument("--out", default="results.json", help="file name under bench/out/")
    args = parser.parse_args()
    sizes = [100_000] if args.smoke else args.sizes
    aster = 20_000 if args.smoke else args.asterisk_size
    args.data.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="callstats-bench-"))
    env = {"XDG_CONFIG_HOME": str(work / "config")}
    try:
        results: dict[str, Any] = {"machine": machine(), "sizes": []}
        for n in sizes:
            print(f"measuring {n:,} calls …", file=sys.stderr, flush=True)
            results["sizes"].append(one_size(n, args.data, work, env, with_pandas=not args.no_pandas))
        if aster:
            results["asterisk"] = asterisk(aster, args.data, work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / ("smoke.json" if args.smoke else args.out)).write_text(json.dumps(results, indent=2))
    print(json.dumps(results["machine"]))
    print(table(results))


if __name__ == "__main__":
    main()
