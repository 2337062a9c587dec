"""`make bench`: ingest throughput, peak memory, incremental ingest, re-ingest and query latency;
every adapter's records/s and peak memory on a generated file of its own format; one adapter on a
folder of many small daily files against one big file of the same records.

Usage: python -m bench.run [--sizes 1000000 10000000] [--adapter-calls 200000] [--files-calls 200000]
       [--smoke]
Writes bench/out/results.json and prints the tables that bench/README.md records.
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

from bench.generate import (
    canonical_frame,
    split_by_lines,
    write_asterisk_master,
    write_callstats_csv,
    write_freeswitch_csv,
    write_threecx_log,
)
from bench.measure import Measured, measure
from pipeline import store

HERE = Path(__file__).resolve().parent
PER_DAY = 5000  # a day's file in the incremental test: 5 000 calls
# The generated days start on 2015-01-01; at 5 000 a day, 100 million calls would run to 2069, and
# the ingest rightly rejects calls in the future. Past this many days the calls get denser instead.
MAX_DAYS = 4000


def per_day_for(n: int) -> int:
    """Calls a day in the file of n calls: 5 000, or more so that the last day is not in the future."""
    return max(PER_DAY, -(-n // MAX_DAYS))


def ingest_command(path: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "ingest", str(path), "--db", str(db), "--quiet"]


def one_size(n: int, data: Path, work: Path, env: dict[str, str], with_pandas: bool = True) -> dict[str, Any]:
    con = duckdb.connect()
    csv_path = data / f"calls-{n}.csv"
    if not csv_path.exists():
        write_callstats_csv(con, n, csv_path, per_day=per_day_for(n))
    day_path = data / f"day-after-{n}.csv"
    if not day_path.exists():
        # The day after the big file, with call ids of its own.
        days = -(-n // per_day_for(n))
        write_callstats_csv(con, PER_DAY, day_path, first_day=days, per_day=PER_DAY)
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
    copies = measure([sys.executable, "-m", "bench.publish_copy", str(db)])
    result["publish"] = json.loads(copies.output.strip().splitlines()[-1])
    latency = measure([sys.executable, "-m", "bench.latency", str(db)])
    result["latency_ms"] = json.loads(latency.output.strip().splitlines()[-1])
    for stale in work.glob(f"*-{n}.*"):
        if stale.is_file():
            stale.unlink()
    return result


# The adapters measured, each on a file of its own format holding the same calls.
ADAPTERS = ("asterisk_cdr", "cucm", "freeswitch_csv", "3cx", "asterisk_queue_log")


def adapter_input(name: str, n: int, data: Path) -> Path:
    """The generated file (or folder, for CUCM's one file per day) of `n` calls in `name`'s format."""
    folder = data / f"{name}-{n}"
    done = folder / ".complete"
    paths = {
        "asterisk_cdr": folder / "Master.csv",
        "freeswitch_csv": folder / "Master.csv",
        "3cx": folder / "cdr.log",
        "asterisk_queue_log": folder / "queue_log",
        "cucm": folder / "cdr",
    }
    if done.exists():
        return paths[name]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    con = duckdb.connect()
    try:
        if name == "asterisk_cdr":
            write_asterisk_master(con, n, paths[name], per_day=PER_DAY)
        elif name == "freeswitch_csv":
            write_freeswitch_csv(con, n, paths[name], per_day=PER_DAY)
        elif name == "3cx":
            write_threecx_log(con, n, paths[name], per_day=PER_DAY)
        else:
            # The sample writers (Python, a call at a time): Master.csv + queue_log, or CUCM day files.
            from pipeline.sample_writers import write_asterisk, write_cucm

            calls = canonical_frame(con, n, per_day=PER_DAY)
            if name == "cucm":
                write_cucm(calls, paths[name])
            else:
                write_asterisk(calls, folder / "asterisk")
                (folder / "asterisk" / "queue_log").rename(paths[name])
                shutil.rmtree(folder / "asterisk")
    finally:
        con.close()
    done.touch()
    return paths[name]


def ingest_counts(output: str) -> dict[str, int]:
    """The summary's `total` line: records read, calls loaded, records merged into calls."""
    for line in output.splitlines():
        fields = line.split()
        if fields[:1] == ["total"] and len(fields) >= 4:
            read, loaded, merged = (int(f) for f in fields[1:4])
            return {"records": read, "calls": loaded, "merged": merged}
    raise RuntimeError(f"no total line in the ingest output:\n{output[-2000:]}")


def remove_store(db: Path) -> None:
    """The published store, its working copy and their WAL and lock files."""
    for stale in [*db.parent.glob(db.name + "*"), *db.parent.glob(store.working_path(db).name + "*")]:
        stale.unlink(missing_ok=True)


def adapter_run(name: str, path: Path, db: Path, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "pipeline.cli", "ingest", str(path), "--db", str(db), "--format", name]
    # Each run starts from an empty store: a store left by an earlier run (its working copy
    # included) would take the file for one already loaded and measure only its hash.
    remove_store(db)
    run = measure(command, env)
    counts = ingest_counts(run.output)
    remove_store(db)
    return {
        "format": name,
        **counts,
        "seconds": round(run.seconds, 2),
        "records_per_s": round(counts["records"] / run.seconds),
        "peak_mb": round(run.peak_mb),
    }


def adapters(n: int, data: Path, work: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    results = []
    for name in ADAPTERS:
        print(f"adapter {name}, {n:,} calls …", file=sys.stderr, flush=True)
        results.append(adapter_run(name, adapter_input(name, n, data), work / f"{name}.duckdb", env))
    return results


def many_files(n: int, data: Path, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """Asterisk Master.csv: one file of n records against the same records as one file per day."""
    one = adapter_input("asterisk_cdr", n, data)
    folder = data / f"asterisk_cdr-{n}-daily"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        split_by_lines(one, folder, PER_DAY)
        (folder / ".complete").touch()
    files = len(list(folder.glob("*.csv")))
    print(f"asterisk_cdr, {n:,} calls: one file, then {files} daily files …", file=sys.stderr, flush=True)
    big = adapter_run("asterisk_cdr", one, work / "one-file.duckdb", env)
    small = adapter_run("asterisk_cdr", folder, work / "daily-files.duckdb", env)
    return {"format": "asterisk_cdr", "calls": n, "files": files, "one_file": big, "daily_files": small}


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
        c = r["publish"]
        lines.append("")
        lines.append(
            f"Publish at {r['calls']:,} calls: working store {c['working_mb']} MB; file copy + fsync"
            f" {c['file_copy_s']} s; ATTACH + COPY FROM DATABASE {c['copy_from_database_s']} s"
            f" ({c['rewritten_mb']} MB)"
        )
        lines.append(
            f"Query latency at {r['calls']:,} calls (median of 5, ms): "
            + ", ".join(f"{k} {v}" for k, v in r["latency_ms"].items())
        )
    if results.get("adapters"):
        lines += [
            "",
            "| format | records | calls | seconds | records/s | peak MB |",
            "|---|---|---|---|---|---|",
        ]
        for a in results["adapters"]:
            lines.append(
                f"| {a['format']} | {a['records']:,} | {a['calls']:,} | {a['seconds']} | {a['records_per_s']:,}"
                f" | {a['peak_mb']} |"
            )
    if results.get("many_files"):
        m = results["many_files"]
        one, daily = m["one_file"], m["daily_files"]
        lines.append("")
        lines.append(
            f"{m['format']}, {m['calls']:,} calls: one file {one['seconds']} s ({one['records_per_s']:,} records/s,"
            f" peak {one['peak_mb']} MB); {m['files']} daily files {daily['seconds']} s"
            f" ({daily['records_per_s']:,} records/s, peak {daily['peak_mb']} MB)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument(
        "--adapter-calls",
        type=int,
        default=200_000,
        help="calls in each adapter's file (0: skip the adapters)",
    )
    parser.add_argument(
        "--files-calls",
        type=int,
        default=200_000,
        help="calls for one big file against daily files, asterisk_cdr (0: skip)",
    )
    parser.add_argument("--smoke", action="store_true", help="100 000 calls, to prove the benchmark runs")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--no-pandas", action="store_true", help="skip pandas (it needs ~4 GB per 10M calls)")
    parser.add_argument("--out", default="results.json", help="file name under bench/out/")
    args = parser.parse_args()
    sizes = [100_000] if args.smoke else args.sizes
    adapter_calls = 2_000 if args.smoke else args.adapter_calls
    files_calls = 2 * PER_DAY if args.smoke else args.files_calls
    args.data.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="callstats-bench-"))
    env = {"XDG_CONFIG_HOME": str(work / "config")}
    try:
        results: dict[str, Any] = {"machine": machine(), "sizes": []}
        for n in sizes:
            print(f"measuring {n:,} calls …", file=sys.stderr, flush=True)
            results["sizes"].append(one_size(n, args.data, work, env, with_pandas=not args.no_pandas))
        if adapter_calls:
            results["adapters"] = adapters(adapter_calls, args.data, work, env)
        if files_calls:
            results["many_files"] = many_files(files_calls, args.data, work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / ("smoke.json" if args.smoke else args.out)).write_text(json.dumps(results, indent=2))
    print(json.dumps(results["machine"]))
    print(table(results))


if __name__ == "__main__":
    main()
