"""`callstats export --parquet`: Hive-partitioned Parquet of the published database, incremental,
with a manifest. Read back with DuckDB here (no JVM needed)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.cli import main
from pipeline.ingest import ingest
from pipeline.parquet_export import ExportError, export_parquet, hive_escape
from tests.conftest import HEADER, settings_for

H = "051317000"  # Herrljunga's switchboard number in the sample site's settings
V = "0322600600"  # Vårgårda's


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _parquet_rows(folder: Path, table: str) -> int:
    files = [str(folder / p["file"]) for p in _manifest(folder)["tables"][table]["partitions"]]
    con = duckdb.connect()
    try:
        return int(
            con.execute("select count(*) from read_parquet($files)", {"files": files}).fetchall()[0][0]
        )
    finally:
        con.close()


def test_the_sample_exports_every_row_in_month_partitions(sample_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    report = export_parquet(sample_db, folder)
    manifest = _manifest(folder)
    db = duckdb.connect(str(sample_db), read_only=True)
    try:
        for table in (
            "daily_facts",
            "hourly_facts",
            "caller_day_facts",
            "caller_period_facts",
            "calls",
            "calendar",
            "settings",
        ):
            (stored,) = db.execute(f"select count(*) from {table}").fetchall()[0]
            assert manifest["tables"][table]["rows"] == stored == _parquet_rows(folder, table), table
        build_id = db.execute("select value from settings where name = 'build_id'").fetchall()[0][0]
    finally:
        db.close()
    assert manifest["schema_version"] == 2
    assert manifest["build_id"] == build_id == report.build_id
    assert manifest["data_through"] == "2017-02-21"
    assert manifest["tables"]["daily_facts"]["partition_by"] == ["year", "month"]
    assert manifest["tables"]["calls"]["partition_by"] == ["organisation", "year", "month"]
    assert (folder / "daily_facts" / "year=2016" / "month=2").is_dir()
    assert (folder / "calls" / "organisation=Vårgårda" / "year=2016" / "month=12").is_dir()
    # 26 months of data, two organisations.
    assert len(manifest["tables"]["daily_facts"]["partitions"]) == 26
    assert len(manifest["tables"]["calls"]["partitions"]) == 52


def test_calls_leave_as_pseudonyms_only(sample_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    export_parquet(sample_db, folder)
    columns = [c["name"] for c in _manifest(folder)["tables"]["calls"]["columns"]]
    assert "caller_key" in columns
    assert "caller_raw" not in columns
    some_file = folder / _manifest(folder)["tables"]["calls"]["partitions"][0]["file"]
    con = duckdb.connect()
    try:
        names = [r[0] for r in con.execute(f"describe select * from read_parquet('{some_file}')").fetchall()]
    finally:
        con.close()
    assert "caller_raw" not in names and "caller_key" in names


def test_hive_read_of_the_folder_gives_the_partition_keys(sample_db: Path, tmp_path: Path) -> None:
    """Other engines may read the folders instead of the manifest: the keys come from the paths."""
    folder = tmp_path / "lake"
    export_parquet(sample_db, folder)
    db = duckdb.connect(str(sample_db), read_only=True)
    con = duckdb.connect()
    try:
        (stored,) = db.execute(
            "select count(*) from daily_facts where date between '2016-02-01' and '2016-02-29'"
        ).fetchall()[0]
        rows = con.execute(
            "select year, month, count(*) from read_parquet($glob, hive_partitioning = true)"
            " where year = 2016 and month = 2 group by all",
            {"glob": str(folder / "daily_facts" / "*" / "*" / "*.parquet")},
        ).fetchall()
    finally:
        con.close()
        db.close()
    assert stored > 0
    assert rows == [(2016, 2, stored)]


def _ingest(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(HEADER + "\n" + textwrap.dedent(body).strip() + "\n", encoding="utf-8")
    ingest([path], settings_for(folder))


def test_a_second_export_rewrites_only_the_partitions_that_changed(tmp_path: Path) -> None:
    _ingest(
        tmp_path,
        "january.csv",
        f"""
        a,2016-01-12T10:00:00+01:00,,,answered,5,60,{H},,,
        b,2016-01-13T10:00:00+01:00,,,answered,5,60,{V},,,
        c,2016-02-02T10:00:00+01:00,,,answered,5,60,{H},,,
        """,
    )
    db = settings_for(tmp_path).db
    folder = tmp_path / "lake"
    first = export_parquet(db, folder)
    before = {p["path"]: p["file"] for p in _manifest(folder)["tables"]["calls"]["partitions"]}
    assert set(before) == {
        "organisation=Herrljunga/year=2016/month=1",
        "organisation=Vårgårda/year=2016/month=1",
        "organisation=Herrljunga/year=2016/month=2",
    }
    assert {t.name: t.written for t in first.tables}["calls"] == 3

    # A new day in February for Herrljunga only: one calls partition and one facts month change.
    _ingest(tmp_path, "february.csv", f"d,2016-02-03T10:00:00+01:00,,,answered,5,60,{H},,,")
    second = export_parquet(db, folder)
    by_table = {t.name: t for t in second.tables}
    assert (by_table["calls"].written, by_table["calls"].kept) == (1, 2)
    assert (by_table["daily_facts"].written, by_table["daily_facts"].kept) == (1, 1)
    after = {p["path"]: p["file"] for p in _manifest(folder)["tables"]["calls"]["partitions"]}
    assert (
        after["organisation=Vårgårda/year=2016/month=1"] == before["organisation=Vårgårda/year=2016/month=1"]
    )
    changed = "organisation=Herrljunga/year=2016/month=2"
    assert after[changed] != before[changed]
    assert not (folder / before[changed]).exists()  # the replaced file is gone
    assert _parquet_rows(folder, "calls") == 4
    assert _manifest(folder)["build_id"] == second.build_id != first.build_id

    third = export_parquet(db, folder)
    assert sum(t.written for t in third.tables) == 0


def test_export_refuses_a_folder_that_holds_something_else(sample_db: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match=r"holds no manifest\.json"):
        export_parquet(sample_db, tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_export_on_the_command_line(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--db", str(sample_db), "--parquet", str(tmp_path / "lake")])
    out = capsys.readouterr().out
    assert code == 0
    assert "calls" in out and "195 225" in out.replace("\u00a0", " ")
    assert (tmp_path / "lake" / "manifest.json").is_file()


def test_partition_values_are_escaped_as_hive_does() -> None:
    assert hive_escape("Vårgårda") == "Vårgårda"
    assert hive_escape("A/B=C") == "A%2FB%3DC"
    assert hive_escape("50%") == "50%25"


def test_query_parquet_without_engine_spark_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "--parquet", "/nowhere", "select 1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--parquet DIR goes with --engine spark" in err
