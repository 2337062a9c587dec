"""The analyst views' catalog: which view files exist, in what order they are created, and the
description each carries into the database (its header comment, as `COMMENT ON VIEW`).

One SQL file per view in `sql/views/`; a file's `-- layer: N` header line orders creation, so a view
is created after the views it reads. Adding a view is adding its file (docs/extending.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline import store


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    for path in view_files():
        text = path.read_text(encoding="utf-8")
        store.execute_script(con, text)
        # The header travels with the view: the DuckDB CLI, DBeaver and the SQL page show it.
        comment = view_description(text).replace("'", "''")
        con.execute(f"comment on view {path.stem} is '{comment}'").fetchall()


def view_description(text: str) -> str:
    """A view file's header comment as one paragraph (its `-- layer:` line left out)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        body = line.removeprefix("--").strip()
        if not body.startswith("layer:"):
            lines.append(body)
    return " ".join(lines)


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
