"""The analyst views' catalog: which view files exist, in what order they are created, and the
descriptions each carries into the database (`COMMENT ON VIEW` / `COMMENT ON COLUMN`).

One SQL file per view in `sql/views/`. Its header comment is the one place its documentation lives:

    -- calls_by_week: the whole switchboard per ISO week (…).       ← the view's description
    -- layer: 3                                                      ← creation order
    -- Grain: … Edge cases: …                                        ← description, continued
    -- column calls: offered calls in the week …                     ← one column's description
    --   (an indented line continues the column's text)
    -- columns as in: base_weeks                                     ← the other columns' texts

A file's `-- layer: N` line orders creation, so a view is created after the views it reads. Columns
without a `-- column` line of their own take their description from the files named in
`-- columns as in:` (recursively), so a view that selects from a base view does not repeat its
texts. The macros the views call (sql/macros/measures.sql) are created first. Adding a view is
adding its file (docs/extending.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline import store

# Persistent macros the views call: stored in the database, so the published file's views work in
# any DuckDB client; spark_views expands them before translating a view.
MACROS_FILE = "macros/measures.sql"

_COLUMN_LINE = re.compile(r"^-- column (\w+): (.+)$")
_CONTINUATION = re.compile(r"^--\s{2,}(\S.*)$")
_INHERIT_LINE = "-- columns as in:"


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    store.execute_script(con, store.sql_text(MACROS_FILE))
    for path in view_files():
        text = path.read_text(encoding="utf-8")
        store.execute_script(con, text)
        # The header travels with the view: the DuckDB CLI, DBeaver and the SQL page show it. The
        # texts come from our own files; COMMENT ON takes no bound parameter, hence the quoting.
        name = _identifier(path.stem)
        con.execute(f"comment on view {name} is {_literal(view_description(text))}").fetchall()
        present = {
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() "
                "where database_name = current_database() and schema_name = 'main' and table_name = $view",
                {"view": path.stem},
            ).fetchall()
        }
        own = own_column_comments(text)
        for column, comment in column_comments(path.stem).items():
            # A column the file describes itself must exist (DuckDB refuses a misspelt one); an
            # inherited description applies only where the view has that column.
            if column in own or column in present:
                con.execute(
                    f"comment on column {name}.{_identifier(column)} is {_literal(comment)}"
                ).fetchall()


def view_description(text: str) -> str:
    """A view file's header comment as one paragraph: its `-- layer:` line, column descriptions and
    `-- columns as in:` line left out (the columns get comments of their own)."""
    lines = []
    in_column = False
    for line in _header(text):
        if _COLUMN_LINE.match(line):
            in_column = True
            continue
        if in_column and _CONTINUATION.match(line):
            continue
        in_column = False
        body = line.removeprefix("--").strip()
        if not body.startswith("layer:") and not line.startswith(_INHERIT_LINE):
            lines.append(body)
    return " ".join(line for line in lines if line)


def own_column_comments(text: str) -> dict[str, str]:
    """The `-- column name: text` lines of a view file's header (with their indented continuations)."""
    comments: dict[str, str] = {}
    current: str | None = None
    for line in _header(text):
        column = _COLUMN_LINE.match(line)
        continuation = _CONTINUATION.match(line)
        if column:
            current = column.group(1)
            comments[current] = column.group(2).strip()
        elif current is not None and continuation:
            comments[current] += " " + continuation.group(1).strip()
        else:
            current = None
    return comments


def column_comments(view: str) -> dict[str, str]:
    """Every column description that applies to `view`: its own, then those of the files named in
    its `-- columns as in:` line, in that order (the first description of a column wins)."""
    text = (store.SQL_DIR / "views" / f"{view}.sql").read_text(encoding="utf-8")
    comments = own_column_comments(text)
    for line in _header(text):
        if line.startswith(_INHERIT_LINE):
            for source in line.removeprefix(_INHERIT_LINE).split(","):
                for column, comment in column_comments(source.strip()).items():
                    comments.setdefault(column, comment)
    return comments


def analyst_views() -> list[str]:
    """The documented views, by name (the `base_*` layer underneath them is internal)."""
    return [path.stem for path in view_files() if not path.stem.startswith("base_")]


def view_files() -> list[Path]:
    """View files in layer order: the `-- layer: N` line of each header, then name."""

    def layer(path: Path) -> tuple[int, str]:
        for line in path.read_text(encoding="utf-8").splitlines()[:15]:
            if line.startswith("-- layer:"):
                return int(line.split(":", 1)[1]), path.stem
        return 99, path.stem

    return sorted((store.SQL_DIR / "views").glob("*.sql"), key=layer)


def _header(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return lines


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
