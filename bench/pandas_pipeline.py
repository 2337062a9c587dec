"""A straightforward pandas implementation of the same pipeline, for comparison.

read (identifiers as text) → parse timestamps → dedupe on call_id → local date in Europe/Stockholm
→ organisation from the dialled number → daily counts → write calls and daily facts to DuckDB.
What a competent analyst would write first; no chunking tricks.
"""

from __future__ import annotations

import sys

import duckdb
import pandas as pd

NUMBERS = {"051317000": "Herrljunga", "0322600600": "Vårgårda"}

if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    calls = pd.read_csv(source, dtype=str, keep_default_na=False)
    for column in ("started_at", "answered_at", "ended_at"):
        calls[column] = pd.to_datetime(calls[column], format="ISO8601", utc=True, errors="coerce")
    calls = calls[calls["started_at"].notna()].drop_duplicates("call_id", keep="first")
    local = calls["started_at"].dt.tz_convert("Europe/Stockholm")
    calls["call_date"] = local.dt.date
    calls["start_hour"] = local.dt.hour
    calls["organisation"] = calls["dialled_number"].map(NUMBERS).fillna("Okänd")
    calls["wait_s"] = pd.to_numeric(calls["wait_s"], errors="coerce")
    calls["talk_s"] = pd.to_numeric(calls["talk_s"], errors="coerce")
    calls["answered"] = calls["outcome"].eq("answered")
    daily = (
        calls.groupby(["call_date", "organisation"])
        .agg(calls=("call_id", "size"), answered=("answered", "sum"))
        .reset_index()
    )
    con = duckdb.connect(target)
    con.register("calls_frame", calls)
    con.register("daily_frame", daily)
    con.execute("create table calls as select * from calls_frame").fetchall()
    con.execute("create table daily_facts as select * from daily_frame").fetchall()
    con.close()
