"""The publish at a given size: the current method (checkpoint, copy the working file, fsync) beside
`ATTACH … ; COPY FROM DATABASE` into a fresh file (which rewrites every table instead of copying
bytes). Prints one JSON line: seconds and bytes of each.

Usage: python -m bench.publish_copy DB   (the published database; its working store is measured)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb

from pipeline.store import copy_database, working_path


def file_copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def copy_from_database(source: Path, target: Path) -> float:
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"attach {_quoted(source)} as working (read_only)").fetchall()
    copy_database(con, "working", target)
    con.close()
    return time.perf_counter() - started


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def main() -> None:
    source = working_path(Path(sys.argv[1]))
    copied = source.with_name(source.name + ".bench-copy")
    rewritten = source.with_name(source.name + ".bench-rewrite")
    try:
        result = {
            "working_mb": round(source.stat().st_size / 1e6, 1),
            "file_copy_s": round(file_copy(source, copied), 2),
            "copy_from_database_s": round(copy_from_database(source, rewritten), 2),
            "rewritten_mb": round(rewritten.stat().st_size / 1e6, 1),
        }
    finally:
        copied.unlink(missing_ok=True)
        rewritten.unlink(missing_ok=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
