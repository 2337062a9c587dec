"""Caller numbers are pseudonymised: no raw number from the input reaches the published file."""

from __future__ import annotations

import gzip
import os
import re
import stat
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.ingest import IngestReport
from tests.conftest import SAMPLE_CALLS, BuildDb, rows


def sample_callers() -> set[str]:
    callers: set[str] = set()
    for path in sorted(SAMPLE_CALLS.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                caller = line.rstrip("\n").split(",")[-1]
                if caller:
                    callers.add(caller)
    return callers


def test_no_raw_caller_number_in_the_published_file(sample_build: tuple[Settings, IngestReport]) -> None:
    settings, _ = sample_build
    data = settings.db.read_bytes()
    callers = sample_callers()
    assert len(callers) > 1000
    digits_only = {"".join(ch for ch in c if ch.isdigit()) for c in callers}
    national = {
        ("0" + d[2:]) if c.startswith("+46") else d for c, d in zip(callers, digits_only, strict=False)
    }
    # Every run of 7+ digits (or '+' and digits) in the file, compared with every caller number.
    runs = {m.decode() for m in re.findall(rb"\+?[0-9]{7,}", data)}
    substrings = {r[i:j] for r in runs for i in range(len(r)) for j in range(i + 7, len(r) + 1)}
    # A pseudonym is 16 hex digits, so about one run in ten holds 9 decimal digits in a row, and among
    # 46 000 callers one of them now and then spells a caller number: that is the keyed hash by chance,
    # not a leak. A number counts as leaked only when no stored pseudonym explains it.
    with duckdb.connect(str(settings.db), read_only=True) as con:
        keys = [key for (key,) in con.execute("select distinct caller_key from calls").fetchall() if key]
    suspects = sorted((callers | national) & substrings)
    leaked = [number for number in suspects if not any(number in key for key in keys)]
    assert leaked == []


def test_pseudonyms_are_stable_and_keyed(build_db: BuildDb, tmp_path: Path) -> None:
    con, _ = build_db("""
        a,2016-03-01T10:00:00+01:00,,,answered,5,60,051317000,,,0701234567
        b,2016-03-02T10:00:00+01:00,,,answered,5,60,051317000,,,+46701234567
        c,2016-03-03T10:00:00+01:00,,,answered,5,60,051317000,,,0701234568
    """)
    keys = dict(rows(con, "select call_id, caller_key from calls"))
    assert keys["a"] == keys["b"] != keys["c"]
    assert rows(con, "select count(*) from calls where caller_raw is not null") == [(0,)]
    key_file = tmp_path / "private" / "key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_raw_numbers_only_when_a_site_asks(build_db: BuildDb) -> None:
    con, _ = build_db(
        "a,2016-03-01T10:00:00+01:00,,,answered,5,60,051317000,,,070-123 45 67", store_raw_caller=True
    )
    assert rows(con, "select caller_raw from calls") == [("0701234567",)]


def test_a_reader_connection_is_read_only(sample_db: Path) -> None:
    from pipeline.store import connect_readonly

    con = connect_readonly(sample_db)
    try:
        for statement in (
            "delete from calls",
            "select * from read_csv('/etc/passwd')",
            "attach '/tmp/x.duckdb'",
            "set threads = 1",
            "copy calls to '/tmp/calls.csv'",
            "install httpfs",
        ):
            try:
                con.execute(statement).fetchall()
            except duckdb.Error:
                continue
            raise AssertionError(f"allowed: {statement}")
    finally:
        con.close()


def test_bulk_pseudonyms_in_the_database_equal_python_hmac(build_db: BuildDb, tmp_path: Path) -> None:
    from pipeline.pseudonym import load_or_create_key, pseudonym

    con, _ = build_db("a,2016-03-01T10:00:00+01:00,,,answered,5,60,051317000,,,+46 70-123 45 67")
    key = load_or_create_key(tmp_path / "private" / "key")
    assert rows(con, "select caller_key from calls") == [(pseudonym(key, "0701234567"),)]
