"""The one gate for analysts' SQL, shared by `callstats query` and the dashboard's SQL page.

Two layers, both needed:

1. `check_statement` reads DuckDB's own parse of the text and lets through an allow-list only:
   exactly one SELECT (SELECT, FROM-first, WITH, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE), EXPLAIN
   [ANALYZE] of one SELECT, or a PRAGMA from a short list of pragmas that only read. Everything else
   (COPY, EXPORT/IMPORT DATABASE, `COPY FROM DATABASE`, SET, CALL, CHECKPOINT, transactions, temporary
   objects, `UPDATE EXTENSIONS`, several statements) is refused in one line before anything runs.
2. `run_query` runs the statement in a child process (pipeline.sql_reader) that the caller never
   shares: a read-only connection with no file system at all (external access off, an explicitly
   empty `allowed_directories`, no temporary directory, so nothing can be spilled or written even
   beside the database), the configuration locked, and an operating-system limit on the whole
   process's address space, so DuckDB's buffers, Python's result objects and anything else the
   query makes are bounded together. The parent stops the child by wall-clock time (SIGKILL), so
   parsing, planning, execution and turning the result into Python values all count. The child
   stops reading the result at the row cap or the byte cap, whichever comes first.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# PRAGMAs that only read the catalogue or the engine's own facts. Pragmas that set something
# (`pragma threads = 1`), profile to a file, or run scripts are not on it.
READ_ONLY_PRAGMAS = frozenset(
    {
        "table_info",
        "show",
        "show_tables",
        "show_tables_expanded",
        "show_databases",
        "database_list",
        "database_size",
        "storage_info",
        "metadata_info",
        "functions",
        "collations",
        "version",
        "platform",
        "user_agent",
    }
)

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 50_000_000
DEFAULT_MEMORY = "2GB"
# DuckDB's own buffer limit as a share of the process limit: the rest is for Python, the result
# and the engine's bookkeeping outside its buffer manager.
_DUCKDB_SHARE = 0.4

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B?\s*", re.IGNORECASE)


class SqlRefused(Exception):
    """The text is not one statement that only reads: one line for the user."""


class SqlFailed(Exception):
    """DuckDB refused or failed the query; the message is DuckDB's own first line."""


class SqlTimeout(Exception):
    """The query ran past its time limit and was stopped."""


class SqlLimitError(Exception):
    """A limit given by the user is not a usable limit."""


@dataclass(frozen=True)
class Limits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_rows: int = DEFAULT_MAX_ROWS
    max_bytes: int = DEFAULT_MAX_BYTES
    memory_bytes: int = field(default_factory=lambda: parse_size(DEFAULT_MEMORY, "memory"))

    def __post_init__(self) -> None:
        if (
            not isinstance(self.timeout_s, (int, float))
            or not math.isfinite(self.timeout_s)
            or self.timeout_s <= 0
        ):
            raise SqlLimitError(f"timeout: {self.timeout_s!r} is not a positive number of seconds")
        for name in ("max_rows", "max_bytes", "memory_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SqlLimitError(f"{name.replace('_', '-')}: {value!r} is not a positive whole number")
        if self.memory_bytes < 256 * 2**20:
            raise SqlLimitError("memory: at least 256MB (the engine itself needs about 150 MB)")


def parse_seconds(raw: str, name: str = "timeout") -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SqlLimitError(f"{name}: {raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise SqlLimitError(f"{name}: {raw!r} is not a positive number of seconds")
    return value


def parse_count(raw: str, name: str) -> int:
    text = raw.replace("_", "").replace(" ", "")
    if not text.isdigit() or int(text) < 1:
        raise SqlLimitError(f"{name}: {raw!r} is not a positive whole number")
    return int(text)


def parse_size(raw: str, name: str) -> int:
    """`2GB`, `512MB`, `1.5GiB`, or a number of bytes."""
    match = _SIZE.fullmatch(raw)
    if not match:
        raise SqlLimitError(f"{name}: {raw!r} is not a size such as 2GB or 512MB")
    number, unit, binary = match.groups()
    base = 1024 if binary else 1000
    value = int(float(number) * base ** "_KMGT".index(unit.upper() or "_"))
    if value < 1:
        raise SqlLimitError(f"{name}: {raw!r} is not a positive size")
    return value


# --- the statement check -------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    """The statement's tokens as text, comments dropped (DuckDB's own tokenizer)."""
    marks = duckdb.tokenize(text)
    out = []
    for index, (start, kind) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        if kind != duckdb.token_type.comment:
            out.append(text[start:end].strip())
    return out


def _statements(text: str) -> list[Any]:
    try:
        return list(duckdb.extract_statements(text))
    except duckdb.Error as exc:
        raise SqlFailed(first_line(exc)) from None


def _kind(statement: Any) -> str:
    try:
        return str(statement.type).rsplit(".", 1)[-1]
    except ValueError:
        # A statement type the Python package has no name for (`update extensions`): not a query.
        return "a statement that is not a query"


def check_statement(text: str) -> str:
    """The statement to run (its own text), or SqlRefused/SqlFailed with one line."""
    if not text.strip():
        raise SqlRefused("no statement given: write one query, e.g. select * from calls_by_month")
    statements = _statements(text)
    if not statements:
        raise SqlRefused("no statement given (only comments): write one query")
    if len(statements) > 1:
        raise SqlRefused(f"one statement at a time: got {len(statements)} separated by ';'")
    statement = statements[0]
    kind = _kind(statement)
    query = str(statement.query).strip().rstrip(";").strip()
    if kind == "SELECT":
        return query
    if kind == "EXPLAIN":
        _check_explain(query)
        return query
    if kind == "PRAGMA":
        _check_pragma(query)
        return query
    raise SqlRefused(f"only a query that reads is allowed (SELECT, EXPLAIN, read-only PRAGMA), not {kind}")


def _check_explain(query: str) -> None:
    """EXPLAIN [ANALYZE] [(options)] followed by exactly one SELECT."""
    marks = [(start, kind) for start, kind in duckdb.tokenize(query) if kind != duckdb.token_type.comment]
    words = [
        (start, query[start:].split(None, 1)[0].lower() if query[start:].split() else "")
        for start, _ in marks
    ]
    position = 1  # past EXPLAIN
    if position < len(words) and words[position][1].startswith("analyze"):
        position += 1
    if position < len(words) and query[words[position][0]] == "(":
        depth = 0
        while position < len(words):
            char = query[words[position][0]]
            depth += char == "("
            depth -= char == ")"
            position += 1
            if depth == 0:
                break
    inner = query[words[position][0] :] if position < len(words) else ""
    statements = _statements(inner) if inner.strip() else []
    if len(statements) != 1 or _kind(statements[0]) != "SELECT":
        inner_kind = _kind(statements[0]) if statements else "nothing"
        raise SqlRefused(f"EXPLAIN only of one SELECT, not of {inner_kind}")


def _check_pragma(query: str) -> None:
    tokens = _tokens(query)
    words = " ".join(tokens).split()
    if len(tokens) < 2 or tokens[0].lower() != "pragma":
        # IMPORT DATABASE and COPY FROM DATABASE parse as pragmas: they run scripts.
        raise SqlRefused(f"only a query that reads is allowed, not {' '.join(words[:2]).upper()}")
    name = tokens[1].strip('"').lower()
    if name not in READ_ONLY_PRAGMAS or (len(tokens) > 2 and tokens[2].startswith("=")):
        raise SqlRefused(
            f"PRAGMA {name} is not one of the read-only pragmas ({', '.join(sorted(READ_ONLY_PRAGMAS))})"
        )


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- running it ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated_by: str | None  # None, "rows" or "bytes"
    seconds: float

    @property
    def truncated(self) -> bool:
        return self.truncated_by is not None


def run_query(db: Path, text: str, limits: Limits, site_tz: str) -> QueryResult:
    """Check the statement, then run it in a fresh child process bounded by `limits`."""
    statement = check_statement(text)
    request = {
        "db": str(db),
        "sql": statement,
        "max_rows": limits.max_rows,
        "max_bytes": limits.max_bytes,
        "memory_bytes": limits.memory_bytes,
        "duckdb_memory_bytes": int(limits.memory_bytes * _DUCKDB_SHARE),
        "site_tz": site_tz,
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CALLSTATS_FAULT")}
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parent.parent), environment.get("PYTHONPATH", "")) if p
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.sql_reader"],
            input=pickle.dumps(request),
            capture_output=True,
            timeout=limits.timeout_s,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SqlTimeout(f"the query was stopped after {limits.timeout_s:g} s") from None
    return _answer(done, limits)


def _answer(done: subprocess.CompletedProcess[bytes], limits: Limits) -> QueryResult:
    memory = f"the query needed more memory than its limit ({limits.memory_bytes / 1e9:g} GB): narrow it"
    if done.returncode != 0 or not done.stdout:
        if (
            done.returncode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL)
            or b"MemoryError" in done.stderr
        ):
            raise SqlFailed(memory)
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SqlFailed(f"the query process failed ({detail[-1] if detail else f'exit {done.returncode}'})")
    answer: dict[str, Any] = pickle.loads(done.stdout)  # our own child wrote it
    if answer["status"] == "ok":
        return QueryResult(answer["columns"], answer["rows"], answer["truncated_by"], answer["seconds"])
    if answer["status"] == "memory":
        raise SqlFailed(memory)
    if answer["status"] == "refused":
        raise SqlRefused(answer["message"])
    raise SqlFailed(answer["message"])
