"""Spark run time of every view over a `callstats export --parquet` folder (docs/spark.md).

    python -m bench.generate 10000000 /tmp/calls.csv
    callstats --settings sample_data/callstats.toml ingest /tmp/calls.csv --db /tmp/10m.duckdb
    callstats export --db /tmp/10m.duckdb --parquet /tmp/lake
    python -m bench.spark_scale /tmp/lake

Local mode, two cores (local[2]); prints one line per step and view: the first run (plans and
caches base_days) and the median of three more.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pipeline import spark_views
from pipeline.views import analyst_views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lake", help="the export folder or URL")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    spark = spark_views.local_session("callstats-bench", partitions=2)
    print(f"session start            {time.perf_counter() - started:7.1f} s", flush=True)
    started = time.perf_counter()
    manifest = spark_views.register_export(spark, args.lake)
    rows = {name: table["rows"] for name, table in manifest["tables"].items()}
    print(f"manifest check + counts  {time.perf_counter() - started:7.1f} s  {rows}", flush=True)
    started = time.perf_counter()
    spark_views.create_views(spark)
    print(f"create views             {time.perf_counter() - started:7.1f} s", flush=True)
    for view in analyst_views():
        started = time.perf_counter()
        count = len(spark.sql(f"select * from {view}").collect())
        first = time.perf_counter() - started
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            spark.sql(f"select * from {view}").collect()
            runs.append(time.perf_counter() - started)
        print(
            f"{view:<24} {first:7.1f} s first, {statistics.median(runs):6.2f} s median ({count} rows)",
            flush=True,
        )
    spark.stop()


if __name__ == "__main__":
    main()
