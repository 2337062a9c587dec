"""The engine's speed limit: DuckDB reading the CSV straight into a table in a database file."""

from __future__ import annotations

import sys

import duckdb

if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    con = duckdb.connect(target)
    con.execute("create table calls as select * from read_csv($path)", {"path": source}).fetchall()
    con.close()
