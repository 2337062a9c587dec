"""Idempotence: a file twice, a renamed copy, overlapping exports, and any order of a set of files
(any number of times) all give the same views as one clean run."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
from rel_helpers import call_line, sha256_file, small_files, view_contents, write_csv

from pipeline.ingest import ingest
from tests.conftest import settings_for


def _count(db: Path, sql: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute(sql).fetchall()[0][0])
    finally:
        con.close()


def test_the_same_file_twice_is_already_loaded_and_changes_nothing(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    [path] = small_files(tmp_path / "in", 1)
    first = ingest([path], settings)
    before = view_contents(settings.db)
    second = ingest([path], settings)
    assert first.files[0].status == "loaded" and first.files[0].loaded == 20
    assert second.files[0].status == "already loaded"
    assert view_contents(settings.db) == before
    assert _count(settings.db, "select count(*) from ingested_files") == 1


def test_the_same_content_renamed_is_already_loaded(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    [path] = small_files(tmp_path / "in", 1)
    ingest([path], settings)
    before = view_contents(settings.db)
    renamed = tmp_path / "elsewhere" / "resent-by-the-vendor.csv"
    renamed.parent.mkdir()
    shutil.copyfile(path, renamed)
    report = ingest([renamed], settings)
    assert report.files[0].status == "already loaded"
    assert str(path) in report.files[0].message
    assert view_contents(settings.db) == before


def test_overlapping_exports_never_count_a_call_twice(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    week = [call_line(f"c{i}", 1 + i % 7) for i in range(30)]
    a = write_csv(tmp_path / "a.csv", week[:20])
    b = write_csv(tmp_path / "b.csv", week[10:])  # 10 calls in both exports
    c = write_csv(tmp_path / "c.csv", list(reversed(week)))  # all of them again, another order
    report = ingest([a, b, c], settings)
    assert [(f.loaded, f.duplicate) for f in report.files] == [(20, 0), (10, 10), (0, 30)]
    assert _count(settings.db, "select count(*) from calls") == 30
    assert _count(settings.db, "select sum(calls) from calls_by_day") == 30
    assert _count(settings.db, "select sum(calls) from calls_by_month") == 30


def test_any_order_any_number_of_times_gives_identical_views(tmp_path: Path) -> None:
    files = small_files(tmp_path / "in", 6)
    reference_settings = settings_for(tmp_path / "reference")
    ingest(files, reference_settings)
    reference = view_contents(reference_settings.db)
    assert _count(reference_settings.db, "select count(*) from calls") == 6 * 20 - 5 * 3

    rng = random.Random(5)
    orders = [list(reversed(files)), *(rng.sample(files, len(files)) for _ in range(5))]
    for run, order in enumerate(orders):
        settings = settings_for(tmp_path / f"run-{run}")
        if run % 2:
            for path in order:  # one ingest per file, as a nightly job would
                ingest([path], settings)
        else:
            ingest(order, settings)
        ingest(rng.sample(files, 3), settings)  # some of them again
        ingest(order, settings)  # and all of them again
        assert view_contents(settings.db) == reference, f"order {[p.name for p in order]}"


def test_a_repeat_run_leaves_the_published_views_and_row_counts_alone(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    files = small_files(tmp_path / "in", 3)
    ingest(files, settings)
    digest_views = view_contents(settings.db)
    counts = _count(settings.db, "select count(*) from calls"), _count(settings.db, "select count(*) from ingested_files")
    for _ in range(3):
        report = ingest([tmp_path / "in"], settings)
        assert {f.status for f in report.files} == {"already loaded"}
    assert view_contents(settings.db) == digest_views
    assert (_count(settings.db, "select count(*) from calls"), _count(settings.db, "select count(*) from ingested_files")) == counts
    assert sha256_file(settings.db)  # the file is still a readable snapshot
