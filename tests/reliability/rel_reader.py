"""A reader process for the concurrency test (run as a script, not collected by pytest).

usage: rel_reader.py DB dashboard|analyst STOP_FILE OUT_FILE

dashboard: pipeline.store.connect_readonly, one connection per snapshot (reopened when the file's
identity changes), as dashboard/snapshot.py does. analyst: a plain duckdb.connect(read_only=True) kept
open across many queries, as an analyst's session is. Each read checks, inside one statement (one
snapshot), that the views add up to the call rows; results go to OUT_FILE as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from pipeline.store import connect_readonly, snapshot_identity

CHECK = (
    "select (select count(*) from calls), (select coalesce(sum(calls), 0) from calls_by_day),"
    " (select coalesce(sum(calls), 0) from calls_by_month), (select coalesce(sum(calls), 0) from calls_by_week),"
    " (select coalesce(sum(loaded), 0) from ingested_files)"
)


def main() -> None:
    db, mode, stop, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    reads, errors, seen, half = 0, [], set(), []
    con: duckdb.DuckDBPyConnection | None = None
    identity = None
    queries_on_con = 0
    while not stop.exists():
        try:
            if mode == "dashboard":
                now = snapshot_identity(db)
                if con is None or now != identity:
                    if con is not None:
                        con.close()
                    con, identity = connect_readonly(db), now
            elif con is None or queries_on_con >= 40:
                if con is not None:
                    con.close()
                con, queries_on_con = duckdb.connect(str(db), read_only=True), 0
            row = con.execute(CHECK).fetchall()[0]
            queries_on_con += 1
            reads += 1
            seen.add(row[0])
            if len(set(row)) != 1:
                half.append(list(row))
        except Exception as exc:  # every error is a finding: report it, keep reading
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            con = None
        if reads == 1:
            out.with_suffix(".ready").touch()
    out.write_text(json.dumps({"reads": reads, "errors": errors[:10], "n_errors": len(errors),
                               "seen": sorted(seen), "half": half[:10]}))


if __name__ == "__main__":
    main()
