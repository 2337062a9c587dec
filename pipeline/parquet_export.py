"""`callstats export --parquet DIR`: the published database as Hive-partitioned Parquet.

What a distributed engine (Spark, or DuckDB over a lake) needs to run the same views: the daily and
hourly facts (`year=/month=`), the calls as stored, pseudonymised (`organisation=/year=/month=`),
the calendar and the build's settings (one file each). Layout:

    DIR/manifest.json
    DIR/daily_facts/year=2016/month=3/part-<build>.parquet
    DIR/calls/organisation=Herrljunga/year=2016/month=3/part-<build>.parquet
    DIR/calendar/part-<build>.parquet

Incremental: each partition carries a fingerprint (row count and a hash over its rows); a partition
whose fingerprint is unchanged since the previous export keeps its file, a changed one is written
under a new name, a vanished one (purged calls) is removed. The manifest is replaced last, by a
rename, and lists exactly the files of this export, so a reader that follows the manifest never sees
a half-written export; files the new manifest no longer lists are deleted after the rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline import store

# Raise when the layout or the meaning of a column changes; readers refuse other versions.
SCHEMA_VERSION = 2  # 2: the caller facts (callers_by_* views) joined the export
MANIFEST = "manifest.json"
# Export order; each table's select is sql/export/<table>.sql.
TABLES = (
    "daily_facts",
    "hourly_facts",
    "caller_day_facts",
    "caller_period_facts",
    "calls",
    "calendar",
    "settings",
)
PARTITION_PREFIX = "part_"
# Characters Hive and Spark escape in partition folder names (%XX), so both read the value back.
_HIVE_ESCAPED = set("\"#%'*/:=?\\{[]^") | {chr(c) for c in range(0x20)} | {"\x7f"}


class ExportError(Exception):
    """The export cannot be written as asked: one line for the user."""


@dataclass
class TableExport:
    name: str
    rows: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    bytes_written: int = 0


@dataclass
class ExportReport:
    folder: Path
    build_id: str
    data_through: str | None
    tables: list[TableExport] = field(default_factory=list)
    seconds: float = 0.0
    bytes_total: int = 0


def hive_escape(value: str) -> str:
    return "".join(f"%{ord(ch):02X}" if ch in _HIVE_ESCAPED else ch for ch in value)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = store.fetch_one(con, "select value from settings where name = $name", {"name": name})
    return None if row is None else row[0]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path}: not a readable export manifest ({exc})") from None
    return manifest


def export_parquet(db: Path, folder: Path) -> ExportReport:
    """Write (or bring up to date) the Parquet export of the published database `db` in `folder`."""
    started = time.perf_counter()
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(folder)
    if previous is not None and previous.get("schema_version") != SCHEMA_VERSION:
        previous = None  # another layout: write everything anew
    elif previous is None and any(folder.iterdir()):
        raise ExportError(f"{folder} is not empty and holds no {MANIFEST}: choose an empty or new folder")
    con = store.connect_exporter(db)
    try:
        build_id = _setting(con, "build_id") or "unknown"
        report = ExportReport(folder, build_id, _setting(con, "data_through"))
        tables: dict[str, Any] = {}
        for name in TABLES:
            old = (previous or {}).get("tables", {}).get(name, {})
            entry, result = _export_table(con, folder, name, build_id, old)
            tables[name] = entry
            report.tables.append(result)
    finally:
        con.close()
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "build_id": build_id,
        "data_through": report.data_through,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }
    _write_manifest(folder, manifest)
    _remove_unlisted(folder, previous, manifest)
    report.bytes_total = sum(p["bytes"] for t in tables.values() for p in t["partitions"])
    report.seconds = time.perf_counter() - started
    return report


def _export_table(
    con: duckdb.DuckDBPyConnection, folder: Path, name: str, build_id: str, old: dict[str, Any]
) -> tuple[dict[str, Any], TableExport]:
    select = store.sql_text(f"export/{name}.sql")
    described = con.execute(f"describe {select}").fetchall()
    keys = [str(c[0]) for c in described if str(c[0]).startswith(PARTITION_PREFIX)]
    columns = [{"name": str(c[0]), "type": str(c[1])} for c in described if str(c[0]) not in keys]
    key_list = ", ".join(keys)
    fingerprints = con.execute(
        f"select {key_list + ',' if keys else ''} count(*), cast(sum(hash(t)) as varchar)"
        f" from ({select}) as t {'group by ' + key_list if keys else ''}"
    ).fetchall()
    old_parts = {p["path"]: p for p in old.get("partitions", []) if (folder / p["file"]).exists()}
    result = TableExport(name)
    partitions = []
    changed: list[tuple[list[Any], str, int, str]] = []
    for row in fingerprints:
        values, rows, digest = list(row[: len(keys)]), int(row[len(keys)]), f"{row[len(keys)]}:{row[-1]}"
        if rows == 0:
            continue  # an empty table without partitions gives one row of count 0
        path = "/".join(
            f"{k.removeprefix(PARTITION_PREFIX)}={hive_escape(str(v))}"
            for k, v in zip(keys, values, strict=True)
        )
        result.rows += rows
        kept = old_parts.get(path)
        if kept is not None and kept["fingerprint"] == digest:
            partitions.append(kept)
            result.kept += 1
        else:
            changed.append((values, path, rows, digest))
    source = _stage(con, select, keys, [c[0] for c in changed]) if keys and changed else f"({select})"
    for values, path, rows, digest in changed:
        relative = "/".join(p for p in (name, path, f"part-{build_id}.parquet") if p)
        target = folder / relative
        _write_partition(con, source, keys, values, columns, target)
        size = target.stat().st_size
        partitions.append(
            {"path": path, "file": relative, "rows": rows, "fingerprint": digest, "bytes": size}
        )
        result.written += 1
        result.bytes_written += size
    con.execute("drop table if exists export_stage").fetchall()
    listed = {p["path"] for p in partitions}
    result.removed = sum(1 for p in old.get("partitions", []) if p["path"] not in listed)
    partitions.sort(key=lambda p: str(p["path"]))
    entry = {
        "columns": columns,
        "partition_by": [k.removeprefix(PARTITION_PREFIX) for k in keys],
        "rows": result.rows,
        "partitions": partitions,
    }
    return entry, result


def _stage(con: duckdb.DuckDBPyConnection, select: str, keys: list[str], changed: list[list[Any]]) -> str:
    """The rows of the changed partitions, sorted by partition, in a temporary table: one pass over
    the table instead of one per partition; each partition's COPY then reads only its own row
    groups (DuckDB skips the others by their min/max)."""
    key_list = ", ".join(keys)
    con.execute(
        f"create or replace temp table export_changed as select {key_list} from ({select}) as t limit 0"
    ).fetchall()
    placeholders = ", ".join("?" for _ in keys)
    con.executemany(f"insert into export_changed values ({placeholders})", changed)
    con.execute(
        f"create or replace temp table export_stage as select t.* from ({select}) as t"
        f" semi join export_changed using ({key_list}) order by {key_list}"
    ).fetchall()
    con.execute("drop table export_changed").fetchall()
    return "export_stage"


def _write_partition(
    con: duckdb.DuckDBPyConnection,
    source: str,
    keys: list[str],
    values: list[Any],
    columns: list[dict[str, str]],
    target: Path,
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    where = " and ".join(f"{k} = ${k}" for k in keys) or "true"
    names = ", ".join(f'"{c["name"]}"' for c in columns)
    con.execute(
        f"copy (select {names} from {source} as t where {where}) to {_quoted(temporary)}"
        " (format parquet, compression zstd)",
        dict(zip(keys, values, strict=True)),
    ).fetchall()
    os.replace(temporary, target)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    temporary = folder / (MANIFEST + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / MANIFEST)


def _remove_unlisted(folder: Path, previous: dict[str, Any] | None, manifest: dict[str, Any]) -> None:
    """Files of the previous export that this one replaced or dropped, and their empty folders."""
    if previous is None:
        return
    listed = {p["file"] for t in manifest["tables"].values() for p in t["partitions"]}
    for table in previous.get("tables", {}).values():
        for part in table.get("partitions", []):
            if part["file"] in listed:
                continue
            path = folder / part["file"]
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            for parent in path.parents:
                if parent == folder:
                    break
                with contextlib.suppress(OSError):
                    parent.rmdir()  # only succeeds when empty
