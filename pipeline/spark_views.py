"""The analyst views on Spark, over a `callstats export --parquet` folder.

The views are the same files as on DuckDB (sql/views/), transpiled by SQLGlot, and the calendar
comes from the exported `calendar` table, never from a date function. Importable by a site's own
Spark job (see docs/spark.md):

    from pyspark.sql import SparkSession
    from pipeline import spark_views

    spark = SparkSession.builder.appName("callstats").getOrCreate()
    spark_views.register_export(spark, "s3a://bucket/callstats")   # checks the manifest
    spark_views.create_views(spark)
    spark.sql("select * from calls_by_week").show()

Needs `pip install callstats[spark]` (PySpark, SQLGlot); nothing else in callstats imports this.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from pipeline.parquet_export import MANIFEST, SCHEMA_VERSION

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# DuckDB column types of the export, as Spark SQL types (for empty tables and an explicit schema).
SPARK_TYPES = {
    "VARCHAR": "STRING",
    "TINYINT": "TINYINT",
    "SMALLINT": "SMALLINT",
    "INTEGER": "INT",
    "BIGINT": "BIGINT",
    "DOUBLE": "DOUBLE",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "TIMESTAMP": "TIMESTAMP_NTZ",
}
# Tables the views read; the export must hold them all.
REQUIRED_TABLES = (
    "daily_facts",
    "hourly_facts",
    "caller_day_facts",
    "caller_period_facts",
    "calendar",
    "settings",
)


class ExportMismatch(Exception):
    """The Parquet folder is not an export this reader can trust: one line for the user."""


def local_session(app_name: str = "callstats", partitions: int = 4) -> SparkSession:
    """A Spark session on this machine (two cores, no web UI), for `callstats query --engine spark`."""
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder
    session: SparkSession = (
        builder.master("local[2]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


# Transpiling -----------------------------------------------------------------------------------


def _duckdb_round(node: exp.Expression) -> exp.Expression:
    """round(x, n) → duckdb_round(x, n) (sql/spark/duckdb_round.sql): Spark's ROUND rounds a double's
    decimal text (2.675 → 2.68), DuckDB its exact value (2.675 is 2.67499… → 2.67)."""
    if not isinstance(node, exp.Round):
        return node
    digits = node.args.get("decimals") or exp.Literal.number(0)
    double = exp.Cast(this=node.this, to=exp.DataType.build("double"))
    return exp.Anonymous(this="duckdb_round", expressions=[double, digits])


def _double_literal(node: exp.Expression) -> exp.Expression:
    """A literal such as 100.0: DECIMAL in both engines, but DuckDB turns decimal division into a
    double and Spark keeps a decimal rounded to six places. As a double both compute alike."""
    if isinstance(node, exp.Literal) and not node.is_string and not node.is_int:
        return exp.Cast(this=node.copy(), to=exp.DataType.build("double"))
    return node


def view_macros() -> dict[str, tuple[list[str], exp.Expr]]:
    """The macros the views call (sql/macros/measures.sql): name → (parameters, body)."""
    from pipeline.store import sql_text
    from pipeline.views import MACROS_FILE

    macros = {}
    for tree in sqlglot.parse(sql_text(MACROS_FILE), read="duckdb"):
        if isinstance(tree, exp.Create) and str(tree.args.get("kind")).upper() == "MACRO":
            signature = tree.this
            macros[signature.this.name.lower()] = ([p.name for p in signature.expressions], tree.expression)
    return macros


def expand_macros(tree: exp.Expr) -> exp.Expr:
    """Every call of a view macro replaced by its body, arguments in place of the parameters.

    Spark has no DuckDB macros, and registering Spark SQL functions as well would be a second copy
    of each definition to keep equal; expanding keeps sql/macros/measures.sql the only one, and is
    what DuckDB itself does with a macro call."""
    macros = view_macros()

    def expand(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Anonymous) or node.name.lower() not in macros:
            return node
        parameters, body = macros[node.name.lower()]
        arguments = node.expressions
        if len(arguments) != len(parameters):
            raise ExportMismatch(
                f"{node.name} takes {len(parameters)} arguments, not {len(arguments)}: {node.sql()}"
            )
        bound = dict(zip(parameters, arguments, strict=True))
        expanded = body.copy()
        # Collected before replacing, so an argument's own columns are never substituted again.
        for column in list(expanded.find_all(exp.Column)):
            if not column.table and column.name in bound:
                argument = bound[column.name].copy()
                simple = isinstance(argument, (exp.Column, exp.Literal, exp.Paren))
                column.replace(argument if simple else exp.Paren(this=argument))
        return expanded.transform(expand)  # macros calling macros, and macro calls in arguments

    return tree.transform(expand)


def to_spark_sql(duckdb_sql: str) -> str:
    """One DuckDB statement as Spark SQL."""
    tree = expand_macros(sqlglot.parse_one(duckdb_sql, read="duckdb"))
    tree = tree.transform(_double_literal).transform(_duckdb_round)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def view_statements() -> list[tuple[str, str]]:
    """(view name, Spark SQL of its select) for every file in sql/views/, in layer order."""
    from pipeline.views import view_files

    statements = []
    for path in view_files():
        tree = sqlglot.parse_one(path.read_text(encoding="utf-8"), read="duckdb")
        if not isinstance(tree, exp.Create) or tree.expression is None:
            raise ExportMismatch(f"{path.name}: expected one `create or replace view … as select`")
        select = tree.expression.sql(dialect="duckdb")
        statements.append((path.stem, to_spark_sql(select)))
    return statements


def register_functions(spark: SparkSession) -> None:
    """The functions transpiled SQL calls (duckdb_round), as temporary SQL functions."""
    from pipeline.store import sql_text

    spark.sql(sql_text("spark/duckdb_round.sql"))


def create_views(spark: SparkSession, *, cache_base_days: bool = True) -> list[str]:
    """Every analyst view (and the base layer under them) as a temporary view in this session.

    cache_base_days keeps base_days (calendar × scope, a few thousand rows per year) in memory:
    every period view reads it two or three times, and Spark would otherwise recompute it each time.
    """
    register_functions(spark)
    names = []
    for name, select in view_statements():
        spark.sql(f"create or replace temporary view {name} as {select}")
        names.append(name)
    if cache_base_days:
        spark.catalog.cacheTable("base_days")
    return names


# Reading the export ----------------------------------------------------------------------------


def _join(root: str, relative: str) -> str:
    return root.rstrip("/") + "/" + relative


def read_manifest(spark: SparkSession, root: str) -> dict[str, Any]:
    """The export's manifest, read through Spark so object-storage paths (s3a://, abfss://, gs://)
    work as local ones do."""
    path = _join(root, MANIFEST)
    try:
        text = "".join(r[0] for r in spark.read.text(path, wholetext=True).collect())
    except Exception as exc:
        raise ExportMismatch(f"no export manifest at {path}: run `callstats export --parquet` first") from exc
    try:
        manifest: dict[str, Any] = json.loads(text)
    except ValueError as exc:
        raise ExportMismatch(f"{path} is not a valid export manifest ({exc})") from None
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ExportMismatch(
            f"{path}: export schema version {version}, this reader reads version {SCHEMA_VERSION};"
            " export again with this callstats version"
        )
    missing = [t for t in REQUIRED_TABLES if t not in manifest.get("tables", {})]
    if missing:
        raise ExportMismatch(f"{path}: the export lacks {', '.join(missing)}")
    return manifest


def _schema(columns: list[dict[str, str]]) -> str:
    unknown = [c["type"] for c in columns if c["type"] not in SPARK_TYPES]
    if unknown:
        raise ExportMismatch(f"column type {unknown[0]} has no Spark equivalent in this reader")
    return ", ".join(f"`{c['name']}` {SPARK_TYPES[c['type']]}" for c in columns)


def _table(spark: SparkSession, root: str, name: str, entry: dict[str, Any]) -> DataFrame:
    schema = _schema(entry["columns"])
    files = [_join(root, p["file"]) for p in entry["partitions"]]
    if not files:
        return spark.createDataFrame([], schema)
    # Exactly the files the manifest lists (no folder discovery): a reader never mixes two exports.
    frame = spark.read.schema(schema).parquet(*files)
    return frame.select(*[c["name"] for c in entry["columns"]])


def register_export(spark: SparkSession, root: str, *, check_rows: bool = True) -> dict[str, Any]:
    """Register the export's tables as temporary views after checking its manifest: schema version,
    the tables the views need, the build id against the exported settings, and (check_rows) each
    table's row count against the manifest. Nothing is registered unless every check passes.
    Returns the manifest."""
    manifest = read_manifest(spark, root)
    frames = {name: _table(spark, root, name, entry) for name, entry in manifest["tables"].items()}
    stored = frames["settings"].where("name = 'build_id'").select("value").collect()
    found = stored[0][0] if stored else "none"
    if found != manifest["build_id"]:
        raise ExportMismatch(
            f"the manifest is for build {manifest['build_id']}, the exported settings for build {found}"
        )
    if check_rows:
        for name, frame in frames.items():
            counted = frame.count()
            if counted != manifest["tables"][name]["rows"]:
                raise ExportMismatch(
                    f"{name}: {counted} rows in the Parquet files, the manifest says"
                    f" {manifest['tables'][name]['rows']}; the export is incomplete or was changed"
                    " after it was written"
                )
    for name, frame in frames.items():
        frame.createOrReplaceTempView(name)
    return manifest


def run_query(
    spark: SparkSession, duckdb_sql: str, max_rows: int = 10_000
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    """An analyst's DuckDB query on Spark. Returns (columns, rows, truncated) like store.run_limited."""
    register_functions(spark)
    frame = spark.sql(to_spark_sql(duckdb_sql))
    rows = frame.limit(max_rows + 1).collect()
    return list(frame.columns), [tuple(r) for r in rows[:max_rows]], len(rows) > max_rows
