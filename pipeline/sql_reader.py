"""The child process that runs one analyst query (started by pipeline.sql_guard.run_query).

Reads a pickled request on stdin, writes a pickled answer on stdout. Everything that could grow
without bound happens here, under an address-space limit set before DuckDB is opened; the parent
keeps the clock and kills this process when the time is up.
"""

from __future__ import annotations

import pickle
import resource
import sys
import time
from typing import Any

import duckdb

from pipeline.sql_guard import SqlFailed, SqlRefused, check_statement, first_line

_FIRST_CHUNK = 64


def connect(request: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        request["db"],
        read_only=True,
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            # No temporary directory: nothing is spilled, so nothing can be written beside the
            # database (DuckDB lets a connection write into its own temporary directory even with
            # external access off).
            "temp_directory": "",
            "memory_limit": f"{max(request['duckdb_memory_bytes'] // 2**20, 64)}MiB",
            "threads": 2,
        },
    )
    # The site's zone: a 17:27 Stockholm call reads 17:27+01:00, not 16:27+00:00. ICU is built in
    # but only active once connected, hence a SET rather than a connect option.
    con.execute(f"set TimeZone = '{_quote(request['site_tz'])}'")
    con.execute("set allowed_directories = []")
    con.execute("set allowed_paths = []")
    # Off only now: DuckDB refuses to change the allowed lists once external access is off.
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _size(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if isinstance(value, (bool, int, float)):
        return 8
    return len(repr(value))


def _fetch(
    con: duckdb.DuckDBPyConnection, sql: str, max_rows: int, max_bytes: int
) -> tuple[list[str], list[tuple[Any, ...]], str | None]:
    result = con.execute(sql)
    columns = [d[0] for d in result.description or []]
    rows: list[tuple[Any, ...]] = []
    used = 0
    chunk = _FIRST_CHUNK
    while True:
        batch = result.fetchmany(min(chunk, max_rows + 1 - len(rows)))
        if not batch:
            return columns, rows, None
        for row in batch:
            used += sum(_size(v) for v in row)
            if used > max_bytes:
                return columns, rows, "bytes"
            if len(rows) == max_rows:
                return columns, rows, "rows"
            rows.append(row)
        # Size the next batch by what the rows cost so far, so one batch stays within the byte cap.
        per_row = max(used // max(len(rows), 1), 1)
        chunk = max(1, min(2048, (max_bytes - used) // per_row + 1))


def _run(request: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        sql = check_statement(request["sql"])
    except SqlRefused as exc:
        return {"status": "refused", "message": str(exc)}
    except SqlFailed as exc:
        return {"status": "failed", "message": str(exc)}
    con = connect(request)
    try:
        try:
            columns, rows, truncated_by = _fetch(con, sql, request["max_rows"], request["max_bytes"])
        except (OverflowError, ValueError):
            # A value Python cannot hold (`interval 100000000 years`): show the result as text.
            if not sql.lower().lstrip("( \n\t").startswith(("select", "with", "from", "values", "table")):
                raise
            as_text = f"select cast(columns(*) as varchar) from ({sql})"
            columns, rows, truncated_by = _fetch(con, as_text, request["max_rows"], request["max_bytes"])
    except duckdb.OutOfMemoryException:
        return {"status": "memory"}
    except duckdb.Error as exc:
        return {"status": "failed", "message": first_line(exc)}
    except (OverflowError, ValueError) as exc:
        return {"status": "failed", "message": f"a value of the result cannot be shown: {first_line(exc)}"}
    finally:
        con.close()
    return {
        "status": "ok",
        "columns": columns,
        "rows": rows,
        "truncated_by": truncated_by,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    request = pickle.loads(sys.stdin.buffer.read())  # our own parent wrote it
    limit = int(request["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        answer = _run(request)
    except MemoryError:
        answer = {"status": "memory"}
    except duckdb.Error as exc:
        answer = {"status": "failed", "message": first_line(exc)}
    try:
        payload = pickle.dumps(answer)
    except MemoryError:
        payload = pickle.dumps({"status": "memory"})
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
