"""The only module that opens DuckDB.

Two files per database:
- the *working store* (`<db stem>.work.duckdb` beside the published file), written only by the
  pipeline, under an exclusive lock file so two ingests never interleave;
- the *published database* (`--db`), a finished snapshot of the working store: copied to a
  temporary file beside it, flushed to disk, then renamed over the old one. A reader that holds the
  old file open keeps reading the old, consistent snapshot; the next reader gets the new one; no
  reader ever blocks the writer or sees a half-finished ingest.

Crash safety: a killed ingest leaves the published file as it was (it is only ever replaced by a
rename) and at worst a stale temporary publish file, removed by the next publish; the lock is an
fcntl lock, which dies with its process; DuckDB replays or discards the working store's WAL on open.
`CALLSTATS_FAULT=<point>` kills the process at a named point (see `fault_point`): the crash tests use
it to stop an ingest exactly where a power cut would hurt most.

Both files are written in storage version v1.2.0 so that analysts' DuckDB tools, which lag the
Python package (the 1.5 CLI reads storage versions 64–68 only), can open the published file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline import interrupts

STORAGE_VERSION = "v1.2.0"
SQL_DIR = next(
    p
    for p in (Path(__file__).resolve().parent.parent / "sql", Path(__file__).resolve().parent / "_sql")
    if p.is_dir()
)

# Reader connections of the dashboard and the reports (which run only the project's own SQL): no
# file system, no extensions, no configuration changes. A read-only database refuses DDL and DML;
# these settings close the other doors (read_csv, COPY TO, ATTACH). No temporary directory either:
# DuckDB would let a connection write there even with external access off. Analysts' own SQL never
# runs on these connections but in a child process of its own (pipeline.sql_guard).
READER_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",
    "memory_limit": "2GB",
}


def fault_point(name: str) -> None:
    """Test hook: SIGKILL this process here when CALLSTATS_FAULT names this point, or SIGINT it when
    CALLSTATS_FAULT is `sigint:<point>` (no-op otherwise).

    Points: after_lock, after_stage, after_insert, before_commit, after_commit (each per file),
    before_refresh (after the last file, before the run's facts refresh), before_publish,
    after_checkpoint, after_copy, after_fsync, before_rename, after_rename.
    """
    fault = os.environ.get("CALLSTATS_FAULT")
    if fault == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == f"sigint:{name}":  # Ctrl-C at exactly this point
        os.kill(os.getpid(), signal.SIGINT)


class StoreError(Exception):
    """The database cannot be used as asked: one line for the user."""


class LockHeld(StoreError):
    """Another ingest or purge holds the writer lock."""


def check_db_location(db: Path) -> None:
    """The published file can be written where it was asked for: checked before any work.

    The folder is never created: a mistyped folder is an error, not a new folder.
    """
    check_can_write(db, "--db", f"e.g. {db / 'callstats.duckdb'}")


def check_can_write(target: Path, flag: str, example: str = "") -> None:
    """`target` names a file in an existing folder that this process can write in."""
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise StoreError(f"{flag} {target} is a folder; name a file{', ' + example if example else ''}")
    if not folder.is_dir():
        raise StoreError(f"{flag} {target}: folder {folder} does not exist (create it first)")
    # A real write, not os.access: root passes access checks on read-only mounts and /proc.
    probe = folder / f".{target.name}.probe-{os.getpid()}.tmp"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(f"{flag} {target}: cannot write in {folder} ({exc.strerror or exc})") from None


def working_path(db: Path) -> Path:
    return db.with_name(db.stem + ".work.duckdb")


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def sql_text(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


@contextlib.contextmanager
def writer_lock(db: Path, wait_s: float | None = None) -> Iterator[None]:
    """Exclusive right to change the working store and publish. Waits (30 s, or
    CALLSTATS_LOCK_WAIT_S), then fails clearly. The kernel drops the lock when its holder dies."""
    if wait_s is None:
        wait_s = float(os.environ.get("CALLSTATS_LOCK_WAIT_S") or 30.0)
    # Library callers (tests, the benchmark) may name a new folder; the command line refuses a
    # missing one before it gets here (check_db_location).
    db.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(db)
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise LockHeld(
                        f"another ingest is running on {db} ({holder}); waited {wait_s:.0f} s, try again later"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        fault_point("after_lock")
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


# DuckDB's buffer while a store is written. The process peaks about 300 MB above it (Python, polars
# and the readers' buffers): at 700MB a 10 M-call ingest peaked at 940 MB, at 1GB at 1 235 MB, for
# 5–10 % more time spent spilling (bench/README.md, "Peak memory under 1 GB").
DEFAULT_MEMORY_LIMIT = "700MB"


def open_working(db: Path, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """Connect to the working store (caller holds writer_lock). Creates the tables if new.

    memory_limit is validated by the settings (a size such as 1GB): DuckDB spills the rest of a
    large file's work to a temporary folder beside the store instead of growing without bound.
    """
    path = working_path(db)
    try:
        con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    except duckdb.IOException as exc:
        raise StoreError(f"cannot open the working store {path}: {exc}") from exc
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(sql_text("schema/tables.sql"))
    return con


@dataclass(frozen=True)
class PublishResult:
    path: Path
    bytes: int
    seconds: float


def publish(con: duckdb.DuckDBPyConnection, db: Path) -> PublishResult:
    """Close the working connection and atomically replace the published file with a copy of it.

    An interrupt during the publish is held back until just before the rename: then the run stops
    with the published file untouched, or (once renamed) it has published completely.
    """
    with interrupts.deferred():
        return _publish(con, db)


def _publish(con: duckdb.DuckDBPyConnection, db: Path) -> PublishResult:
    started = time.perf_counter()
    fault_point("before_publish")
    con.execute("checkpoint")
    con.close()
    fault_point("after_checkpoint")
    source = working_path(db)
    # A publish killed half-way leaves its temporary file (named by a dead pid); we hold the
    # writer lock, so every such file is stale.
    for stale in db.parent.glob(f".{db.name}.publish-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    temporary = db.with_name(f".{db.name}.publish-{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temporary)
        fault_point("after_copy")
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        fault_point("after_fsync")
        os.chmod(temporary, 0o444)
        fault_point("before_rename")
        interrupts.check()
        os.replace(temporary, db)
        fault_point("after_rename")
        _fsync_dir(db.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return PublishResult(db, db.stat().st_size, time.perf_counter() - started)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_database(con: duckdb.DuckDBPyConnection, name: str, target: Path) -> None:
    """Every table, view and macro of the attached database `name` rewritten into a new file at
    `target` (in the storage version the published file uses), on disk when this returns. Only live
    rows are written: what a purge deleted does not linger in free blocks."""
    quoted = "'" + str(target).replace("'", "''") + "'"
    con.execute(f"attach {quoted} as copied (storage_version '{STORAGE_VERSION}')").fetchall()
    con.execute(f'copy from database "{name}" to copied').fetchall()
    con.execute("detach copied").fetchall()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def compact_working(con: duckdb.DuckDBPyConnection, db: Path) -> duckdb.DuckDBPyConnection:
    """Rewrite the working store into a fresh file and reconnect.

    Deleted rows can linger in a DuckDB file's free blocks; after a purge of personal data they
    must not. Copying the database into a new file leaves only live rows. A crash before the
    rename leaves the old (already purged, not yet compacted) store; the next purge compacts it.
    """
    path = working_path(db)
    fresh = path.with_name(path.name + ".compact")
    with contextlib.suppress(FileNotFoundError):
        fresh.unlink()
    name = con.execute("select current_database()").fetchall()[0][0]
    copy_database(con, name, fresh)
    con.execute("checkpoint").fetchall()
    con.close()
    os.replace(fresh, path)
    _fsync_dir(path.parent)
    return open_working(db)


def connect_readonly(db: Path) -> duckdb.DuckDBPyConnection:
    """A safe, read-only connection to the published snapshot."""
    if not db.exists():
        raise StoreError(f"no database at {db}: run `callstats ingest PATH --db {db}` first")
    try:
        con = duckdb.connect(str(db), read_only=True, config=dict(READER_CONFIG))
    except duckdb.Error as exc:
        raise StoreError(f"cannot open {db} read-only: {str(exc).splitlines()[0]}") from exc
    # Times in the site's zone (a 17:27 Stockholm call reads 17:27+01:00, not 16:27+00:00): the
    # zone the database was built with, for every session (cursors too). ICU is active only once
    # connected, so a SET, and the configuration is locked only after it. DuckDB shares one
    # instance between connections to the same file: a second connection finds it set and locked.
    if not con.execute("select current_setting('lock_configuration')").fetchall()[0][0]:
        try:
            row = con.execute("select value from settings where name = 'site_tz'").fetchall()
            if row and row[0][0]:
                con.execute("set global TimeZone = $zone", {"zone": row[0][0]}).fetchall()
        except duckdb.Error:
            pass  # not a callstats database, or an unknown zone: DuckDB's default zone
        con.execute("set lock_configuration = true").fetchall()
    return con


def connect_exporter(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot that may write files (COPY TO): for
    `callstats export`, which the user runs on their own database, never for analyst SQL."""
    if not db.exists():
        raise StoreError(f"no database at {db}: run `callstats ingest PATH --db {db}` first")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open {db} read-only: {str(exc).splitlines()[0]}") from exc
    con.execute("set TimeZone = 'UTC'")
    return con


def snapshot_identity(db: Path) -> tuple[int, int, int]:
    """Changes whenever a new snapshot is published (a rename gives a new inode)."""
    st = db.stat()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def execute_script(con: duckdb.DuckDBPyConnection, text: str, params: dict[str, Any] | None = None) -> None:
    """Run a SQL file statement by statement (DuckDB binds parameters only in single statements).

    DuckDB's own parser splits the file and names each statement's parameters, so a `;` inside a
    string or comment cannot cut a statement, and `$org` is never taken for `$organisation`.
    """
    given = params or {}
    for statement in con.extract_statements(text):
        wanted = {name: given[name] for name in statement.named_parameters if name in given}
        con.execute(statement, wanted).fetchall()


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """First row of a query, with the result fully consumed (duckdb 2.0 refuses new work on a
    connection while a streaming result is still open)."""
    rows = con.execute(sql, params or {}).fetchall()
    return rows[0] if rows else None
