"""The views are portable: every file in sql/views/ uses only functions that SQLGlot translates
exactly from DuckDB to Spark, and the calendar comes from the calendar table, never from a date
function (ISO week, weekday and month names differ between engines, some silently)."""

from __future__ import annotations

from pathlib import Path

import pytest

sqlglot = pytest.importorskip("sqlglot", reason="SQLGlot is not installed: uv sync installs the spark group")
from sqlglot import exp  # noqa: E402

from pipeline.views import view_files  # noqa: E402

# Each function the views may call, by SQLGlot's expression class, and why it is safe.
ALLOWED: dict[type[exp.Expression], str] = {
    exp.Sum: "SUM: same result type family and NULL on no rows in both engines",
    exp.Count: "COUNT(*) / COUNT(x): identical; FILTER (WHERE …) is kept as written by Spark 3+",
    exp.Min: "MIN: identical on numbers, dates and text",
    exp.Max: "MAX: identical on numbers, dates and text",
    exp.LogicalAnd: "bool_and: Spark's BOOL_AND, same NULL handling (ignores NULLs)",
    exp.Coalesce: "COALESCE: identical",
    exp.Nullif: "NULLIF: identical",
    exp.Cast: "CAST to integer, bigint, double, date: identical for the values the views cast",
    exp.Case: "CASE WHEN: identical",
    exp.If: "the WHEN branches of CASE (SQLGlot's node for them)",
    exp.Round: (
        "ROUND on doubles: Spark rounds the decimal text, DuckDB the exact value; spark_views rewrites"
        " it to duckdb_round (sql/spark/duckdb_round.sql), which rounds as DuckDB does"
    ),
    exp.And: "boolean AND (a connector, not a function)",
    exp.Or: "boolean OR (a connector, not a function)",
}

# Calendar functions that broke or translated wrongly when the views were first run on Spark,
# named so that a failure says what to use instead.
CALENDAR_FUNCTIONS = (
    "isodow", "dayofweek", "dayname", "monthname", "isoyear", "week", "weekofyear", "strftime",
    "date_part", "extract", "dayofmonth", "day", "month", "year", "date_trunc", "time_bucket",
)  # fmt: skip

VIEW_FILES = view_files()


def _tree(path: Path) -> exp.Expression:
    """The view as Spark sees it: its macro calls (sql/macros/measures.sql) expanded into their bodies."""
    from pipeline.spark_views import expand_macros

    return expand_macros(sqlglot.parse_one(path.read_text(encoding="utf-8"), read="duckdb"))


def test_there_are_views_to_check() -> None:
    assert len(VIEW_FILES) >= 13


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.stem)
def test_a_view_calls_only_functions_known_to_translate_exactly(path: Path) -> None:
    tree = _tree(path)
    outside = sorted(
        (node.name if isinstance(node, exp.Anonymous) else node.sql_name())
        for node in tree.find_all(exp.Func)
        if type(node) not in ALLOWED
    )
    assert outside == [], f"{path.name}: not on the allow-list in tests/test_portable_views.py: {outside}"


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.stem)
def test_a_view_uses_no_calendar_function(path: Path) -> None:
    tree = _tree(path)
    names = {
        (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
        for node in tree.find_all(exp.Func)
    }
    names |= {node.name.lower() for node in tree.find_all(exp.Anonymous)}
    found = sorted(names & set(CALENDAR_FUNCTIONS)) + sorted(
        type(node).__name__ for node in tree.find_all(exp.Extract, exp.TimestampTrunc, exp.DateTrunc)
    )
    assert found == [], f"{path.name}: join the calendar table instead of calling {found}"


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.stem)
def test_a_view_uses_no_duckdb_only_select_syntax(path: Path) -> None:
    """* REPLACE / * RENAME, PIVOT, QUALIFY-free by choice, table functions such as range():
    Spark has no equivalent that SQLGlot produces."""
    tree = _tree(path)
    stars = [s for s in tree.find_all(exp.Star) if s.args.get("replace") or s.args.get("rename")]
    assert stars == [], f"{path.name}: list the columns instead of * replace/rename"
    assert list(tree.find_all(exp.Pivot)) == []
    table_functions = [t.sql() for t in tree.find_all(exp.Table) if isinstance(t.this, exp.Func)]
    assert table_functions == [], f"{path.name}: table function {table_functions}"


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.stem)
def test_a_view_transpiles_to_spark_without_unsupported_parts(path: Path) -> None:
    from pipeline.spark_views import to_spark_sql

    tree = _tree(path)
    assert isinstance(tree, exp.Create)
    spark_sql = to_spark_sql(tree.expression.sql(dialect="duckdb"))
    assert spark_sql.upper().startswith(("SELECT", "WITH"))
    assert "ROUND(" not in spark_sql.upper().replace("DUCKDB_ROUND(", "")


def test_round_and_decimal_literals_are_rewritten_for_spark() -> None:
    from pipeline.spark_views import to_spark_sql

    spark_sql = to_spark_sql("select round(100.0 * a / nullif(b, 0), 1) as pct, round(c) as whole from t")
    assert spark_sql == (
        "SELECT DUCKDB_ROUND(CAST(CAST(100.0 AS DOUBLE) * a / NULLIF(b, 0) AS DOUBLE), 1) AS pct,"
        " DUCKDB_ROUND(CAST(c AS DOUBLE), 0) AS whole FROM t"
    )


def test_the_allow_list_catches_a_calendar_function() -> None:
    """The check itself: isodow (translated silently wrong to Spark) is not allowed."""
    tree = sqlglot.parse_one("select isodow(date) as weekday from calendar", read="duckdb")
    assert [type(n) for n in tree.find_all(exp.Func) if type(n) not in ALLOWED] != []


def test_view_macros_expand_into_their_bodies_for_spark() -> None:
    """Spark has no DuckDB macros: a call becomes its body, nested calls and arguments included."""
    from pipeline.spark_views import to_spark_sql, view_macros

    assert set(view_macros()) >= {"per_unit", "average_of", "share_of", "yoy_pct"}
    spark_sql = to_spark_sql(
        "select share_of(answered, calls) as answer_rate,"
        " yoy_pct(per_unit(w.calls, w.workdays), per_unit(p.calls, p.workdays)) as pct from t"
    )
    assert spark_sql == (
        "SELECT DUCKDB_ROUND(CAST(answered / NULLIF(calls, 0) AS DOUBLE), 4) AS answer_rate,"
        " DUCKDB_ROUND(CAST(CAST(100.0 AS DOUBLE) * ((w.calls / NULLIF(w.workdays, 0))"
        " - (p.calls / NULLIF(p.workdays, 0))) / NULLIF((p.calls / NULLIF(p.workdays, 0)), 0) AS DOUBLE), 1)"
        " AS pct FROM t"
    )


def test_a_macro_argument_named_like_a_parameter_is_not_substituted_twice() -> None:
    from pipeline.spark_views import to_spark_sql

    assert (
        to_spark_sql("select per_unit(units, total) as x from t")
        == "SELECT units / NULLIF(total, 0) AS x FROM t"
    )


@pytest.mark.parametrize("name", ["per_unit", "average_of", "share_of", "yoy_pct"])
def test_a_macro_body_calls_only_functions_known_to_translate_exactly(name: str) -> None:
    from pipeline.spark_views import expand_macros, view_macros

    _, body = view_macros()[name]
    outside = sorted(
        n.sql_name() for n in expand_macros(body.copy()).find_all(exp.Func) if type(n) not in ALLOWED
    )
    assert outside == []


@pytest.mark.parametrize("path", [p for p in VIEW_FILES if p.stem.startswith("base_")], ids=lambda p: p.stem)
def test_an_internal_base_view_has_no_order_by(path: Path) -> None:
    """The base_* views are read by other views, never shown: sorting them is work thrown away."""
    tree = sqlglot.parse_one(path.read_text(encoding="utf-8"), read="duckdb")
    assert isinstance(tree, exp.Create)
    sorted_selects = [s.sql() for s in tree.expression.find_all(exp.Select) if s.args.get("order")]
    assert sorted_selects == [] and tree.expression.args.get("order") is None
