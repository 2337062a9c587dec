"""The analyst views on Spark (local[2]) over a Parquet export of the sample database give the same
columns and rows as on DuckDB. One Spark session for the module: a JVM takes 25–50 s to start."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.parquet_export import export_parquet
from pipeline.views import view_files

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,  # a JVM and some 40 Spark jobs: minutes on a shared 2-core machine
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="Spark needs Java 17+ on PATH (.ci/run installs it; on Debian: apt-get install openjdk-17-jre-headless)",
    ),
]
pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed: uv sync installs the spark group")

from pipeline import spark_views  # noqa: E402  (needs pyspark, checked above)

VIEWS = [path.stem for path in view_files()]


@pytest.fixture(scope="module")
def export_dir(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "lake"
    export_parquet(sample_db, folder)
    return folder


@pytest.fixture(scope="module")
def spark(export_dir: Path) -> Iterator[Any]:
    session = spark_views.local_session("callstats-tests", partitions=2)
    spark_views.register_export(session, str(export_dir))
    spark_views.create_views(session)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def duck(sample_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(sample_db), read_only=True)
    yield con
    con.close()


def _normalised(value: Any) -> Any:
    """DuckDB's HUGEINT sums and Spark's BIGINT are both Python ints; a DECIMAL becomes a float."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, repr(value)) for value in row)


def _rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_normalised(v) for v in row) for row in rows), key=_sort_key)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        # Unrounded doubles may differ in the last bit where the engines add in another order.
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def _compare(duck: duckdb.DuckDBPyConnection, spark: Any, sql: str) -> int:
    expected = duck.execute(sql)
    expected_columns = [d[0] for d in expected.description or []]
    expected_rows = _rows(expected.fetchall())
    columns, found, _ = spark_views.run_query(spark, sql, max_rows=1_000_000)
    found_rows = _rows(found)
    assert columns == expected_columns
    assert len(found_rows) == len(expected_rows)
    differences = [
        (column, a, b, left[:3])
        for left, right in zip(expected_rows, found_rows, strict=True)
        for column, a, b in zip(columns, left, right, strict=True)
        if not _same(a, b)
    ]
    assert differences[:5] == []
    return len(expected_rows)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_gives_the_same_rows_on_spark_and_duckdb(
    view: str, duck: duckdb.DuckDBPyConnection, spark: Any
) -> None:
    assert _compare(duck, spark, f"select * from {view}") > 0


def test_an_analysts_query_with_rounding_and_decimal_literals_is_the_same(
    duck: duckdb.DuckDBPyConnection, spark: Any
) -> None:
    sql = """
        select organisation, year, round(sum(calls) * 1.5 / 7, 2) as scaled, count(*) as months
        from calls_by_month_org
        where year >= 2016
        group by organisation, year
        order by organisation, year
    """
    assert _compare(duck, spark, sql) == 4


def test_the_calendar_keys_come_from_the_exported_calendar(spark: Any) -> None:
    # 2016-01-03 is a Sunday in ISO week 53 of 2015; Spark's own dayofweek would call it 1.
    ((iso_year, iso_week, weekday, day_of_month),) = spark.sql(
        "select iso_year, iso_week, weekday, day_of_month from calendar where date = date '2016-01-03'"
    ).collect()
    assert (iso_year, iso_week, weekday, day_of_month) == (2015, 53, 7, 3)


def _tampered(export_dir: Path, tmp_path: Path, change: Any) -> str:
    copy = tmp_path / "lake"
    shutil.copytree(export_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return str(copy)


def test_the_reader_refuses_another_schema_version(spark: Any, export_dir: Path, tmp_path: Path) -> None:
    folder = _tampered(export_dir, tmp_path, lambda m: m.update(schema_version=99))
    with pytest.raises(spark_views.ExportMismatch, match="schema version 99"):
        spark_views.register_export(spark, folder)


def test_the_reader_refuses_row_counts_that_do_not_match(
    spark: Any, export_dir: Path, tmp_path: Path
) -> None:
    def drop_a_partition(manifest: dict[str, Any]) -> None:
        manifest["tables"]["daily_facts"]["partitions"].pop()  # rows still counts them

    folder = _tampered(export_dir, tmp_path, drop_a_partition)
    with pytest.raises(spark_views.ExportMismatch, match=r"daily_facts: \d+ rows in the Parquet files"):
        spark_views.register_export(spark, folder)


def test_the_reader_refuses_a_manifest_of_another_build(spark: Any, export_dir: Path, tmp_path: Path) -> None:
    folder = _tampered(export_dir, tmp_path, lambda m: m.update(build_id="0123456789ab"))
    with pytest.raises(spark_views.ExportMismatch, match="build 0123456789ab"):
        spark_views.register_export(spark, folder)


def test_the_reader_refuses_a_folder_without_manifest(spark: Any, tmp_path: Path) -> None:
    with pytest.raises(spark_views.ExportMismatch, match="no export manifest"):
        spark_views.register_export(spark, str(tmp_path))


def test_query_engine_spark_on_the_command_line(
    spark: Any, export_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    sql = "select iso_year, iso_week, calls, calls_yoy_pct from calls_by_week where iso_year = 2016 and iso_week = 51"
    code = main(["query", "--engine", "spark", "--parquet", str(export_dir), "--format", "csv", sql])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "iso_year,iso_week,calls,calls_yoy_pct"
    assert len(out) == 2 and out[1].startswith("2016,51,")
    # The session is still usable afterwards (the command reuses it and does not stop it).
    assert spark.sql("select count(*) from calls_by_week").collect()[0][0] > 0


def test_the_exported_calendar_reaches_the_data(spark: Any, duck: duckdb.DuckDBPyConnection) -> None:
    through = duck.execute("select value from settings where name = 'data_through'").fetchall()[0][0]
    (last,) = spark.sql("select max(date) from calendar").collect()[0]
    assert last >= dt.date.fromisoformat(through)
