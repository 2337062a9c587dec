"""The ingest streams accepted rows into `calls` and keeps apart only the rows it sets aside: however
the same records arrive (one file, many files, again), the stored calls and every fact come out the same.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import duckdb

from pipeline import store
from pipeline.config import Settings
from pipeline.ingest import IngestReport, ingest
from tests.conftest import HEADER, SAMPLE_CALLS, settings_for

# What the statistics are made of; file ids and run times differ between builds by design.
DIGESTED = {
    "calls": "select * exclude (file_id) from calls",
    "daily_facts": "select * from daily_facts",
    "hourly_facts": "select * from hourly_facts",
    "source_days": "select * from source_days",
    "caller_day_facts": "select * from caller_day_facts",
    "caller_period_facts": "select * from caller_period_facts",
    "calendar": "select * from calendar",
}


def digest(db: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = {}
        for name, sql in DIGESTED.items():
            rows = sorted(repr(row) for row in con.execute(sql).fetchall())
            result[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return result
    finally:
        con.close()


def settings_with_key(folder: Path, key_from: Settings) -> Settings:
    """The sample site's settings in `folder`, with the same pseudonymisation key as `key_from`."""
    settings = settings_for(folder)
    settings.key_file.parent.mkdir(mode=0o700, parents=True)
    shutil.copy2(key_from.key_file, settings.key_file)
    return settings


def one_file_of_the_sample(path: Path) -> Path:
    """Every monthly file of the sample as one CSV (one header)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for month in sorted(SAMPLE_CALLS.glob("*.csv.gz")):
            with gzip.open(month, "rt", encoding="utf-8") as handle:
                next(handle)
                shutil.copyfileobj(handle, out)
    return path


def test_one_file_many_files_and_again_store_the_same(
    sample_build: tuple[Settings, IngestReport], tmp_path: Path
) -> None:
    split_settings, split_report = sample_build
    split = digest(split_settings.db)
    assert split["calls"][0] > 100_000

    whole = one_file_of_the_sample(tmp_path / "all-months.csv")
    settings = settings_with_key(tmp_path / "one", split_settings)
    report = ingest([whole], settings)
    assert report.files[0].status == "loaded"
    assert report.files[0].loaded == sum(f.loaded for f in split_report.files)
    assert digest(settings.db) == split

    # The same records again, in the other shape: every one a duplicate, nothing changes.
    again = ingest([SAMPLE_CALLS], settings)
    assert all(f.status == "loaded" and f.loaded == 0 for f in again.files)
    assert report.files[0].duplicate > 0  # the sample repeats some call ids: the window path ran
    assert sum(f.duplicate for f in again.files) == report.files[0].loaded + report.files[0].duplicate
    assert digest(settings.db) == split


def test_repeats_inside_a_file_keep_the_first_line_and_count_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "repeats.csv"
    path.write_text(
        HEADER
        + "\n"
        + "a1,2026-03-02T09:00:00+01:00,,2026-03-02T09:01:00+01:00,abandoned,60,,0513-17000,,,0701234567\n"
        + "a2,2026-03-02T09:05:00+01:00,,2026-03-02T09:06:00+01:00,abandoned,60,,0513-17000,,,0701234568\n"
        + "a1,2026-03-02T10:00:00+01:00,,2026-03-02T10:01:00+01:00,answered,5,55,0513-17000,,,0701234567\n"
        + "a3,not a time,,,answered,5,55,0513-17000,,,0701234569\n",
        encoding="utf-8",
    )
    settings = settings_for(tmp_path)
    (file,) = ingest([path], settings).files
    assert (file.rows_read, file.loaded, file.duplicate, file.rejected) == (4, 2, 1, 1)
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        calls = con.execute("select call_id, outcome from calls order by call_id").fetchall()
        rejected = con.execute("select line_no, reason from rejected_rows").fetchall()
    finally:
        con.close()
    assert calls == [("a1", "abandoned"), ("a2", "abandoned")]
    assert rejected == [(5, "started_at 'not a time' is not an ISO 8601 timestamp")]


def test_ids_that_differ_by_swapped_digits_are_not_repeats() -> None:
    # Asterisk uniqueids (epoch.sequence) that DuckDB's 64-bit hash() maps to one value.
    con = duckdb.connect()
    try:
        con.execute("create table calls (call_id varchar, file_id integer)")
        con.execute("insert into calls values ('1439042078.1099762', 1), ('1439042778.1099062', 1)")
        assert con.execute("select hash('1439042078.1099762') = hash('1439042778.1099062')").fetchall() == [
            (True,)
        ]
        check = store.sql_text("ingest/repeats_loaded.sql")
        assert con.execute(check, {"file_id": 1}).fetchall() == [(False,)]
        con.execute("insert into calls values ('1439042078.1099762', 1)")
        assert con.execute(check, {"file_id": 1}).fetchall() == [(True,)]
    finally:
        con.close()
