"""`callstats report`: the board's tables (pipeline.board) rendered for the terminal.

The files (CSV, JSON, Excel) are written by pipeline.board_files from the same tables.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from pipeline.board import BoardTable
from pipeline.board_files import org_text, through_text
from pipeline.store import StoreError, fetch_one


def data_through(con: duckdb.DuckDBPyConnection) -> dt.date:
    row = fetch_one(con, "select cast(value as date) from settings where name = 'data_through'")
    if row is None or row[0] is None:
        raise StoreError("the database holds no calls yet")
    return row[0]  # type: ignore[no-any-return]


def check_org(con: duckdb.DuckDBPyConnection, org: str | None) -> None:
    if org is None:
        return
    known = [r[0] for r in con.execute("select distinct organisation from daily_facts order by 1").fetchall()]
    if org not in known:
        raise StoreError(f"unknown organisation {org!r}; known: {', '.join(known)}")


def render_table(table: BoardTable, through: dt.date) -> str:
    """The table as aligned text: labels left, figures right, the Summa row under a rule."""
    header = table.headers()
    body = table.display_rows()
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells))

    lines = [table.title, "", line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in body[: len(table.rows)]]
    if table.total is not None:
        lines.append("  ".join("-" * w for w in widths))
        lines.append(line(body[-1]))
    if table.notes:
        lines += ["", *table.notes]
    lines += ["", f"{org_text(table.org, table.lang)}, {through_text(through, table.lang)}"]
    return "\n".join(lines)
