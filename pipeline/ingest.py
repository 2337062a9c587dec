"""Ingest: files → canonical rows → validated, deduplicated calls → facts → a published snapshot.

Every record of every file is accounted for, in `ingested_files` and in the summary:
rows_read = loaded + merged + duplicate + rejected + filtered.
Each file is loaded in one transaction: a file is either wholly loaded or not at all, and a file
whose content (sha256) was loaded before is reported as already loaded and skipped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline import formats, inputs, interrupts, store, switchboard
from pipeline.config import Settings
from pipeline.formats import callstats_csv
from pipeline.formats.base import Adapter, AdapterOptions, FormatError, ParsedFile
from pipeline.formats.canonical_csv import (
    RecordsMismatch,
    finish_canonical_csv,
    looks_canonical,
    release_inputs,
    stage_canonical_lines,
)
from pipeline.masking import mask_numbers, mask_optional
from pipeline.pseudonym import hmac_pads, load_or_create_key
from pipeline.rebuild import apply_setting_changes, fact_parameters, facts_fingerprint, refresh_stale_facts
from pipeline.views import create_views
from pipeline.workdays import WorkingCalendar, calendar_span


@dataclass
class FileReport:
    path: Path
    status: str  # loaded, already loaded, failed
    format: str = ""
    rows_read: int = 0
    loaded: int = 0
    merged: int = 0
    duplicate: int = 0
    rejected: int = 0
    filtered: int = 0
    message: str = ""
    file_id: int | None = None  # its row in ingested_files (and rejected_rows), when one was written
    filtered_reasons: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    @property
    def accounted(self) -> bool:
        return self.rows_read == self.loaded + self.merged + self.duplicate + self.rejected + self.filtered


@dataclass
class IngestReport:
    files: list[FileReport]
    published: store.PublishResult | None
    data_through: dt.date | None
    # Settings that shape the statistics changed since the last build: stored calls were recounted.
    recomputed: bool = False
    # Data-health findings of the published data, by severity (serious, warning).
    health: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]


Progress = Callable[[int, int, Path, FileReport | None], None]


def check_arguments(settings: Settings, format_name: str, mapping: Path | None) -> None:
    """What can be wrong with the format arguments, found before any file is read or any database
    is touched: a mistyped format or mapping must not publish an empty database."""
    if mapping is not None:
        from pipeline.formats.mapping import load_mapping

        load_mapping(mapping)  # a missing or malformed mapping: one line, FormatError
        if format_name not in ("auto", "mapping"):
            raise FormatError(f"--format {format_name} and --mapping do not go together")
    elif format_name != "auto":
        formats.get_adapter(format_name)  # unknown: FormatError naming the known formats
        if format_name == "mapping":
            raise FormatError("--format mapping needs --mapping FILE")


def ingest(
    paths: Iterable[Path],
    settings: Settings,
    *,
    format_name: str = "auto",
    mapping: Path | None = None,
    progress: Progress | None = None,
    publish: bool = True,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    retry_failed: bool = False,
    marks: dict[str, str] | None = None,
) -> IngestReport:
    """Load `paths` and publish. `include`/`exclude` default to the settings of the same names.
    A file that failed before with the same content is not tried again unless `retry_failed`.
    `marks`: extra rows for the settings table of this build (`callstats demo` marks its own
    database with them); a later ingest without them removes them."""
    files, skipped = inputs.select_inputs(
        paths,
        settings.key_file,
        include=settings["include"] if include is None else include,
        exclude=settings["exclude"] if exclude is None else exclude,
    )
    check_arguments(settings, format_name, mapping)
    db = settings.db
    key = load_or_create_key(settings.key_file)
    reports = [FileReport(s.path, "skipped", message=s.reason) for s in skipped]
    started = dt.datetime.now(dt.UTC)
    with store.writer_lock(db):
        con = store.open_working(db, str(settings["ingest_memory_limit"]))
        con.create_function("callstats_mask", mask_numbers, ["VARCHAR"], "VARCHAR", side_effects=False)
        interrupts.watch(con)
        try:
            _refresh_reference_tables(con, settings)
            recomputed = apply_setting_changes(con, settings)
            # Dates a run that died (or was stopped) between its files' commits and its facts refresh
            # left stale: recounted before this run reads any fact.
            _recount_stale_facts(con, settings)
            for index, path in enumerate(files):
                interrupts.check()
                if progress:
                    progress(index, len(files), path, None)
                report = _ingest_file(con, path, settings, key, format_name, mapping, retry_failed)
                reports.append(report)
                if progress:
                    progress(index + 1, len(files), path, report)
            interrupts.check()
            store.fault_point("before_refresh")
            # The facts of every date the run's files touched, once for the whole run.
            _recount_stale_facts(con, settings)
            interrupts.check()
            _record_run(con, started, reports)
            data_through = _finish_build(con, settings, marks or {})
            health = dict(con.execute(store.sql_text("ingest/health_counts.sql")).fetchall())
            interrupts.check()
            published = store.publish(con, db) if publish else None
        finally:
            interrupts.unwatch(con)
            # publish() closes the connection; closing twice is harmless.
            con.close()
    return IngestReport(reports, published, data_through, recomputed, health)


def _recount_stale_facts(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The facts of the stale dates, recounted; a failure (DuckDB out of memory, say) is one line,
    and the files stay loaded: their dates stay stale, and the next run recounts them."""
    try:
        refresh_stale_facts(con, fact_parameters(settings))
    except duckdb.Error as exc:
        if interrupts.requested():
            raise interrupts.Interrupted from None
        raise store.StoreError(
            f"recounting the facts failed ({_one_line(exc)}); the loaded files are kept and the next"
            " run recounts their facts; nothing was published"
        ) from None


def _refresh_reference_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    store.execute_script(con, store.sql_text("ingest/macros.sql"))
    con.begin()
    con.execute(store.sql_text("ingest/clear_switchboard_numbers.sql")).fetchall()
    for row in settings.switchboard_numbers():
        con.execute(store.sql_text("ingest/switchboard_numbers.sql"), row).fetchall()
    con.commit()


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = store.fetch_one(con, store.sql_text("ingest/stored_setting.sql"), {"name": name})
    return None if row is None else row[0]


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    settings: Settings,
    key: bytes,
    format_name: str,
    mapping: Path | None,
    retry_failed: bool = False,
) -> FileReport:
    size = path.stat().st_size
    digest = inputs.sha256_of(path)
    earlier = store.fetch_one(con, store.sql_text("ingest/earlier_load.sql"), {"sha": digest})
    if earlier is not None:
        return FileReport(path, "already loaded", message=f"same content as {earlier[0]}")
    if not retry_failed and mapping is None:
        # The same bytes read the same way fail the same way: say so once a night, not as a new failure.
        failed = store.fetch_one(
            con,
            store.sql_text("ingest/earlier_failure.sql"),
            {"sha": digest, "format": format_name, "site_tz": settings.site_tz},
        )
        if failed is not None and failed[0] is not None:
            return FileReport(
                path, "still failing", message=f"still failing (since {failed[0]}): {failed[1]}"
            )
    file_id = int(store.fetch_one(con, store.sql_text("ingest/next_file_id.sql"))[0])  # type: ignore[index]
    started = dt.datetime.now(dt.UTC)
    try:
        con.begin()
        parsed = _stage(con, path, settings, format_name, mapping)
        store.fault_point("after_stage")
        try:
            report = _load_staged(con, path, file_id, parsed, settings, key)
        except (RecordsMismatch, duckdb.InvalidInputException) as exc:
            if not parsed.read_lazily:
                raise
            # DuckDB's reader lost lines, or gave up on the file (a stray carriage return puts its
            # parser in an invalid state): start the file again, line by line (pipeline.formats.csv_lines).
            con.rollback()
            release_inputs()
            con.begin()
            parsed = stage_canonical_lines(con, path, _one_line(exc))
            report = _load_staged(con, path, file_id, parsed, settings, key)
        report.file_id = file_id
        store.fault_point("after_insert")
        con.execute(
            store.sql_text("ingest/record_loaded_file.sql"),
            {
                "file_id": file_id,
                "path": str(path),
                "size": size,
                "sha": digest,
                "format": parsed.format,
                "source": parsed.source_system,
                "read": report.rows_read,
                "loaded": report.loaded,
                "merged": report.merged,
                "duplicate": report.duplicate,
                "rejected": report.rejected,
                "filtered": report.filtered,
                "started": started,
                "message": mask_optional("; ".join(report.notices) or None),
            },
        ).fetchall()
        con.execute(
            store.sql_text("ingest/record_file_profile.sql"),
            {
                "file_id": file_id,
                "source": parsed.source_system,
                "format": parsed.format,
                "columns": inputs.column_count(path),
            },
        ).fetchall()
        store.fault_point("before_commit")
        con.commit()
        store.fault_point("after_commit")
        return report
    except (FormatError, duckdb.Error, UnicodeDecodeError, OSError) as exc:
        if interrupts.requested():
            # The query was stopped by Ctrl-C, not by the file: the file has not failed.
            raise interrupts.Interrupted from None
        con.rollback()
        message = mask_numbers(_one_line(exc))
        con.execute(
            store.sql_text("ingest/record_failed_file.sql"),
            {
                "file_id": file_id,
                "path": str(path),
                "size": size,
                "sha": digest,
                "format": format_name,
                "started": started,
                "message": message,
            },
        ).fetchall()
        return FileReport(path, "failed", message=message, file_id=file_id)
    finally:
        release_inputs()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _stage(
    con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, format_name: str, mapping: Path | None
) -> ParsedFile:
    """Fill temp table or view `staged` (line_no + canonical text columns) through the file's adapter."""
    options = AdapterOptions(
        # Only a zone the user chose: adapters fall back on their format's documented semantics.
        source_tz=str(settings["source_tz"]) or None,
        mapping=mapping,
        switchboard_queues=tuple(str(q) for q in settings["switchboard_queues"]),
        switchboard_contexts=tuple(str(c) for c in settings["switchboard_contexts"]),
    )
    return _adapter(path, format_name, mapping).stage(con, path, options=options)


def _adapter(path: Path, format_name: str, mapping: Path | None) -> Adapter:
    """The file's adapter: the mapping when one is given, the named format, or the one detected.
    A file with the callstats CSV's header is the callstats CSV, whatever other shape it may have."""
    if mapping is not None:
        return formats.get_adapter("mapping")
    if format_name != "auto":
        return formats.get_adapter(format_name)
    if looks_canonical(path):
        return callstats_csv.ADAPTER
    return formats.detect(path)


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file_id: int,
    parsed: ParsedFile,
    settings: Settings,
    key: bytes,
) -> FileReport:
    # The staged rows are judged by the `normalised` macro and read twice, never stored whole: once
    # for the rows set apart and the per-date counts (judged_summary), once to stream the accepted
    # rows into `calls` (insert_calls.sql).
    judging: dict[str, Any] = {
        "source_tz": settings.source_tz,
        "site_tz": settings.site_tz,
        "now_utc": dt.datetime.now(dt.UTC),
        "purged_before": _setting(con, "purged_before"),
        "numbers_configured": bool(settings["switchboard_numbers"]),
    }
    store.execute_script(con, store.sql_text("ingest/normalise.sql"))
    store.execute_script(con, store.sql_text("ingest/judged_summary.sql"), judging)
    _ensure_calendar(con, settings)
    loaded = _insert_calls(con, parsed, file_id, settings, key, judging)
    if parsed.read_lazily:
        finish_canonical_csv(con, parsed, path)
    drop_staged = "ingest/drop_staged_view.sql" if parsed.read_lazily else "ingest/drop_staged_table.sql"
    con.execute(store.sql_text(drop_staged)).fetchall()
    # Numbers in kept raw text and in reasons are masked (pipeline.masking).
    con.execute(store.sql_text("ingest/rejected_by_sql.sql"), {"file_id": file_id}).fetchall()
    for issue in parsed.rejected:
        con.execute(
            store.sql_text("ingest/rejected_by_adapter.sql"),
            {
                "file_id": file_id,
                "line_no": issue.line_no,
                "raw": mask_numbers(issue.raw[:2000]),
                "reason": mask_numbers(issue.reason),
            },
        ).fetchall()
    filtered = dict(con.execute(store.sql_text("ingest/filtered_by_sql.sql")).fetchall())
    for issue in parsed.filtered:
        filtered[issue.reason] = filtered.get(issue.reason, 0) + 1
    for reason, records in parsed.filtered_counts.items():
        filtered[reason] = filtered.get(reason, 0) + records
    for reason, rows in filtered.items():
        con.execute(
            store.sql_text("ingest/record_filtered.sql"),
            {"file_id": file_id, "reason": mask_numbers(reason), "rows": rows},
        ).fetchall()

    con.execute(store.sql_text("ingest/touched_dates.sql")).fetchall()
    overlap = _other_sources_on_same_days(con, parsed.source_system)
    store.execute_script(con, store.sql_text("ingest/refresh_source_days.sql"))
    # The facts of these dates are recounted once per run, after its last file (refresh_stale_facts).
    con.execute(store.sql_text("ingest/mark_stale_dates.sql")).fetchall()
    counts = store.fetch_one(con, store.sql_text("ingest/verdict_counts.sql"))
    assert counts is not None
    ok, rejected_values = (int(c) for c in counts)
    report = FileReport(
        path,
        "loaded",
        format=parsed.format,
        rows_read=parsed.records_read,
        loaded=loaded,
        merged=parsed.merged,
        duplicate=ok - loaded,
        rejected=rejected_values + len(parsed.rejected),
        filtered=sum(filtered.values()),
        filtered_reasons=filtered,
        notices=list(parsed.notices),
    )
    if overlap:
        report.notices.append(overlap)
    dialled_seen = con.execute(
        store.sql_text("ingest/dialled_seen.sql"), {"why": switchboard.NUMBER_STEM}
    ).fetchall()
    report.notices.extend(
        switchboard.notes(
            switchboard.Definition.of(settings),
            direction_known=parsed.direction_known,
            format_name=parsed.format,
            counted=ok,
            filtered_reasons=filtered,
            dialled_seen=dialled_seen,
        )
    )
    if not report.accounted:
        # A bug, not a user error: the books must balance before anything is committed.
        raise AssertionError(f"{path}: rows do not add up: {report}")
    return report


def _insert_calls(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    file_id: int,
    settings: Settings,
    key: bytes,
    judging: dict[str, Any],
) -> int:
    """Stream the file's new calls into `calls`; returns how many. Repeated call ids inside the file
    are found in the rows just inserted (cheaper than a pass over the file for them, and most files
    have none): then this file's rows are removed and inserted again, keeping each id's first line."""
    ipad, opad = hmac_pads(key)
    params = {
        **judging,
        "source_system": parsed.source_system,
        "file_id": file_id,
        "store_raw_caller": bool(settings["store_raw_caller"]),
        "repeats_in_file": False,
        "ipad": ipad,
        "opad": opad,
    }
    inserted = con.execute(store.sql_text("ingest/insert_calls.sql"), params).fetchall()
    loaded = int(inserted[0][0]) if inserted else 0
    repeats = store.fetch_one(con, store.sql_text("ingest/repeats_loaded.sql"), {"file_id": file_id})
    if loaded and repeats and repeats[0]:
        con.execute(store.sql_text("ingest/forget_file_calls.sql"), {"file_id": file_id}).fetchall()
        params["repeats_in_file"] = True
        inserted = con.execute(store.sql_text("ingest/insert_calls.sql"), params).fetchall()
        loaded = int(inserted[0][0]) if inserted else 0
    return loaded


def _other_sources_on_same_days(con: duckdb.DuckDBPyConnection, source_system: str) -> str | None:
    """Calls are unique per source system, so two systems that logged the same calls (a PBX's CDR
    and a queue tool's log, say) both count them. That cannot be told from the rows, but it shows as
    two sources on the same days: worth one line in the summary and in `ingested_files.message`."""
    others = con.execute(
        store.sql_text("ingest/other_sources.sql"), {"source_system": source_system}
    ).fetchall()
    if not others:
        return None
    listed = ", ".join(f"{source} on {days} of them" for source, days, _ in others)
    total = others[0][2]
    return (
        f"another source already has calls on the days of this file ({total} day{'s' if total != 1 else ''};"
        f" {listed}): if both"
        " logged the same calls they are counted twice; ingest each system into its own database"
    )


def _ensure_calendar(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The calendar covers whole years around all data (stored and staged), plus the year before."""
    row = store.fetch_one(con, store.sql_text("ingest/calendar_needed.sql"))
    if row is None or row[0] is None:
        return
    start, end = calendar_span(row[0], row[1])
    have = store.fetch_one(con, store.sql_text("ingest/calendar_held.sql"))
    if have is not None and have[0] is not None and have[0] <= start and have[1] >= end:
        return
    if have is not None and have[0] is not None:
        start, end = min(start, have[0]), max(end, have[1])
    frame = WorkingCalendar(settings.calendar_rules()).frame(start, end)
    con.register("calendar_frame", frame.to_arrow())
    try:
        store.execute_script(con, store.sql_text("ingest/replace_calendar.sql"))
    finally:
        con.unregister("calendar_frame")


def _record_run(con: duckdb.DuckDBPyConnection, started: dt.datetime, reports: list[FileReport]) -> None:
    def count(status: str) -> int:
        return sum(1 for r in reports if r.status == status)

    con.execute(
        store.sql_text("ingest/record_run.sql"),
        {
            "started": started,
            "files": len(reports),
            "loaded": count("loaded"),
            "already": count("already loaded"),
            "still": count("still failing"),
            "failed": count("failed"),
            "calls": sum(r.loaded for r in reports),
            "rejected": sum(r.rejected for r in reports),
        },
    ).fetchall()


def _finish_build(
    con: duckdb.DuckDBPyConnection, settings: Settings, marks: dict[str, str]
) -> dt.date | None:
    """Settings of this build, data_through, and the views — everything a snapshot needs."""
    through = store.fetch_one(con, store.sql_text("ingest/data_through.sql"))
    data_through = None if through is None else through[0]
    purged_before = _setting(con, "purged_before")
    con.begin()
    con.execute(store.sql_text("ingest/clear_settings.sql")).fetchall()
    rows = [
        *settings.as_rows(),
        ("data_through", str(data_through) if data_through else None),
        ("purged_before", purged_before),
        ("build_id", uuid.uuid4().hex[:12]),
        ("built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ("facts_fingerprint", facts_fingerprint(settings)),
        *marks.items(),
    ]
    for name, value in rows:
        con.execute(store.sql_text("ingest/record_setting.sql"), {"name": name, "value": value}).fetchall()
    store.execute_script(con, store.sql_text("ingest/data_health.sql"))
    create_views(con)
    con.commit()
    return data_through
