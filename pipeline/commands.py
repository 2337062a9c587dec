"""What each `callstats` subcommand does, given parsed arguments and settings."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline import board, board_files, health, readable, store, switchboard
from pipeline import report as reports
from pipeline.config import Settings, load_settings
from pipeline.errors import EXIT_FAILED, EXIT_OK, UsageError
from pipeline.ingest import FileReport, IngestReport, ingest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def run(args: argparse.Namespace, settings: Settings) -> int:
    handler = {
        "ingest": cmd_ingest,
        "report": cmd_report,
        "query": cmd_query,
        "export": cmd_export,
        "dashboard": cmd_dashboard,
        "demo": cmd_demo,
        "inspect": cmd_inspect,
        "sample": cmd_sample,
        "purge": cmd_purge,
        "events": cmd_events,
        "status": cmd_status,
        "forecast": cmd_forecast,
        "staffing": cmd_staffing,
    }[args.command]
    return handler(args, settings)


# ingest ---------------------------------------------------------------------------------------


def _progress_printer(enabled: bool) -> Any:
    def show(done: int, total: int, path: Path, result: FileReport | None) -> None:
        if not enabled:
            return
        bar = "#" * int(24 * done / max(total, 1))
        line = f"\r[{bar:<24}] {done}/{total} {path.name[:40]:<40}"
        print(line, end="" if done < total else "\n", file=sys.stderr, flush=True)

    return show


def _grouped_reasons(reasons: dict[str, int]) -> dict[str, int]:
    """Switchboard filters name what each call dialled; the summary counts them per rule instead
    (the switchboard note names the most frequent)."""
    grouped: dict[str, int] = {}
    for reason, rows in reasons.items():
        key = switchboard.stem(reason) if switchboard.is_switchboard_filter(reason) else reason
        grouped[key] = grouped.get(key, 0) + rows
    return grouped


def _summary(report: IngestReport) -> str:
    lines = []
    header = f"{'file':<40} {'status':<15} {'read':>9} {'loaded':>9} {'merged':>8} {'dupl.':>8} {'rejected':>8} {'filtered':>8}"
    lines.append(header)
    for f in report.files:
        lines.append(
            f"{f.path.name[:40]:<40} {f.status:<15} {f.rows_read:>9} {f.loaded:>9} {f.merged:>8} {f.duplicate:>8}"
            f" {f.rejected:>8} {f.filtered:>8}"
        )
        if f.format and f.format != "callstats":
            lines.append(f"    format: {f.format}")
        for reason, rows in _grouped_reasons(f.filtered_reasons).items():
            lines.append(f"    filtered {rows}: {reason}")
        for notice in f.notices:
            lines.append(f"    note: {notice}")
        if f.message:
            lines.append(f"    {f.message}")
    totals = [
        sum(getattr(f, k) for f in report.files)
        for k in ("rows_read", "loaded", "merged", "duplicate", "rejected", "filtered")
    ]
    lines.append(
        f"{'total':<40} {'':<15} {totals[0]:>9} {totals[1]:>9} {totals[2]:>8} {totals[3]:>8}"
        f" {totals[4]:>8} {totals[5]:>8}"
    )
    if report.recomputed:
        lines.append(
            "settings that shape the statistics changed: stored calls were recounted by the new rules"
        )
    if report.health:
        counts = ", ".join(f"{n} {severity}" for severity, n in sorted(report.health.items()))
        lines.append(f"data health: {counts} finding(s); see `callstats status`")
    if report.published:
        lines.append(
            f"published {report.published.path} (data through {report.data_through or 'no data yet'},"
            f" {report.published.bytes / 1e6:.1f} MB in {report.published.seconds:.2f} s)"
        )
    return "\n".join(lines)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    store.check_db_location(settings.db)
    result = ingest(
        args.paths,
        settings,
        format_name=args.format,
        mapping=args.mapping,
        progress=_progress_printer(sys.stderr.isatty() and not args.quiet),
        include=args.include,
        exclude=args.exclude,
        retry_failed=args.retry_failed,
    )
    print(_summary(result))
    for note in settings.privacy_notes():
        print(f"privacy: {note}")
    rejected = [f for f in result.files if f.rejected and f.file_id is not None]
    pointer = _rejected_pointer(rejected)
    if pointer:
        print(pointer)
    # One line on stderr at most: the outcome that decides the exit code.
    if result.failed:
        print(
            f"callstats: {len(result.failed)} file(s) could not be loaded (see above);"
            " the other files were loaded and published",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if pointer:
        print(f"callstats: {pointer}", file=sys.stderr)
        return EXIT_FAILED if args.strict else EXIT_OK
    return EXIT_OK


def _rejected_pointer(rejected: list[FileReport]) -> str:
    """Where this run's rejected rows are: a query the user can paste."""
    if not rejected:
        return ""
    ids = sorted(f.file_id for f in rejected if f.file_id is not None)
    where = f"file_id in ({', '.join(map(str, ids))})" if len(ids) <= 5 else f"file_id >= {ids[0]}"
    rows = sum(f.rejected for f in rejected)
    return (
        f"{rows} row(s) rejected in {len(rejected)} file(s); see them with:"
        f' callstats query "select * from rejected_rows where {where}"'
    )


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    """Writes nothing: no database, no key. Exit 1 when a file is not recognised."""
    from pipeline import inspection
    from pipeline.inputs import expand_paths

    found = [
        inspection.inspect_file(
            path, format_name=args.input_format, mapping=args.mapping, source_tz=args.source_tz
        )
        for path in expand_paths(args.paths)
    ]
    print(inspection.as_json(found) if args.output_format == "json" else inspection.as_text(found))
    return 0 if all(item.recognised for item in found) else 1


# report ---------------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    if args.kind == "board":
        from pipeline.pack import cmd_board

        return cmd_board(args, settings)
    # Every argument is checked before the data is read: a wrong one costs nothing.
    if args.out is not None:
        store.check_can_write(args.out, "--out")
    if args.output_format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx needs --out FILE.xlsx")
    if args.month and args.kind == "monthly":
        raise UsageError("--month is for `report weekly` and `report board`; use --year with `report monthly`")
    month = parse_month(args.month) if args.month else None
    con = store.connect_readonly(settings.db)
    try:
        reports.check_org(con, args.org)
        through = reports.data_through(con)
        baseline = board.baseline_per_month(con)
        if args.kind == "weekly" and month:
            table = board.load_month_weeks(con, month[0], month[1], args.org, args.lang)
            first = dt.date(month[0], month[1], 1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        elif args.kind == "weekly":
            iso_year = args.year or through.isocalendar().year
            table = board.load_year_weeks(con, iso_year, args.org, args.lang)
            first = dt.date.fromisocalendar(iso_year, 1, 1)
            last = dt.date.fromisocalendar(iso_year + 1, 1, 1) - dt.timedelta(days=1)
        else:
            year = args.year or through.year
            table = board.load_year_months(con, year, args.org, args.lang)
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        findings = health.findings_between(con, first, last)
    finally:
        con.close()
    if args.output_format == "xlsx":
        out = safe_output_file(args.out)
        board_files.write_report_xlsx(out, table, through, baseline)
        print(f"wrote {out}")
        return EXIT_OK
    if args.output_format == "csv":
        text = board_files.render_csv(table, bom=args.out is not None)
    elif args.output_format == "json":
        text = json.dumps(
            {**json.loads(board_files.render_json(table, through)), "data_health": findings},
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    else:
        text = reports.render_table(table, through)
        # A hole in the data must not be read as a dip: the report says so under its table.
        note = health.summary_line(findings, args.lang)
        if note:
            text += "\n" + note
    _emit(text, args.out)
    return 0


def parse_month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise UsageError(f"--month {text!r}: expected YYYY-MM, e.g. 2016-12") from None
    return year, month


def safe_output_file(out: Path) -> Path:
    """An output path that is not a symbolic link: writing through one could overwrite any file the
    link points at."""
    if out.is_symlink():
        raise UsageError(f"--out {out}: is a symbolic link; give a plain file or folder path")
    return out


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        board_files.write_file(safe_output_file(out), text.encode("utf-8"))
        print(f"wrote {out}")


# query ----------------------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import sql_guard

    if args.engine == "spark" or args.parquet:
        return query_on_spark(args)

    limits = sql_guard.Limits(
        timeout_s=sql_guard.parse_seconds(args.timeout, "--timeout"),
        max_rows=sql_guard.parse_count(args.max_rows, "--max-rows"),
        max_bytes=sql_guard.parse_size(args.max_bytes, "--max-bytes"),
        memory_bytes=sql_guard.parse_size(args.memory, "--memory"),
    )
    if not settings.db.exists():
        raise store.StoreError(
            f"no database at {settings.db}: run `callstats ingest PATH --db {settings.db}` first"
        )
    text = sys.stdin.read() if args.sql == "-" else args.sql
    result = sql_guard.run_query(settings.db, text, limits, settings.site_tz)
    columns, rows = result.columns, result.rows
    if args.output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        text = buffer.getvalue()
    elif args.output_format == "json":
        text = json.dumps(
            [dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, default=str, indent=1
        )
    else:
        text = _text_table(columns, rows)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if result.truncated_by == "rows":
        print(f"callstats: showing the first {limits.max_rows} rows (--max-rows)", file=sys.stderr)
    elif result.truncated_by == "bytes":
        print(
            f"callstats: showing the first {len(rows)} rows, {args.max_bytes} in all (--max-bytes)",
            file=sys.stderr,
        )
    return 0


def query_on_spark(args: argparse.Namespace) -> int:
    """`query --engine spark --parquet DIR`: the same SQL on Spark over a Parquet export."""
    if args.engine != "spark" or not args.parquet:
        raise UsageError("--parquet DIR goes with --engine spark, and --engine spark needs --parquet DIR")
    from pipeline import sql_guard

    try:
        from pipeline import spark_views
    except ImportError:
        raise UsageError("--engine spark needs PySpark and SQLGlot: pip install 'callstats[spark]'") from None
    try:
        spark = spark_views.local_session()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"Spark did not start (it needs Java 17 or newer): {first}") from None
    try:
        spark_views.register_export(spark, args.parquet)
        spark_views.create_views(spark)
        max_rows = sql_guard.parse_count(args.max_rows, "--max-rows")
        columns, rows, truncated = spark_views.run_query(spark, args.sql, max_rows=max_rows)
    except spark_views.ExportMismatch as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # SQLGlot's parse errors and Spark's analysis errors alike
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"spark: {first}") from None
    if args.output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([columns, *rows])
        text = buffer.getvalue()
    elif args.output_format == "json":
        records = [dict(zip(columns, r, strict=True)) for r in rows]
        text = json.dumps(records, ensure_ascii=False, default=str, indent=1)
    else:
        text = _text_table(columns, rows)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if truncated:
        print(f"callstats: showing the first {args.max_rows} rows (--max-rows)", file=sys.stderr)
    return 0


def _text_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


# export ---------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.parquet_export import ExportError, export_parquet

    try:
        report = export_parquet(settings.db, args.parquet)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    print(f"{'table':<14} {'rows':>11} {'written':>8} {'kept':>6} {'removed':>8}")
    for t in report.tables:
        print(f"{t.name:<14} {readable.number(t.rows, 0):>11} {t.written:>8} {t.kept:>6} {t.removed:>8}")
    print(
        f"exported build {report.build_id} (data through {report.data_through or 'no data yet'}) to"
        f" {report.folder}: {report.bytes_total / 1e6:.1f} MB in {report.seconds:.1f} s"
    )
    return 0


# dashboard and demo ---------------------------------------------------------------------------


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:
    db = settings.db.resolve()
    if not db.exists():
        raise store.StoreError(f"no database at {db}: run `callstats ingest PATH` or `callstats demo` first")
    env = dict(os.environ, CALLSTATS_DB=str(db))
    app = PACKAGE_ROOT / "dashboard" / "app.py"
    print(f"callstats dashboard on http://{args.host}:{args.port} (database {db})", flush=True)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *_protection_flags(args.host, getattr(args, "allowed_host", None) or []),
        # Readers, not developers: no "Deploy" button or developer menu.
        "--client.toolbarMode",
        "viewer",
    ]
    return subprocess.call(command, env=env)


LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def allowed_hosts(listen: str, extra: list[str]) -> list[str]:
    """The host names the dashboard answers to. A page on another site whose name is made to point
    at this machine (DNS rebinding) sends its own name as Host: it is refused."""
    names = [*LOCAL_NAMES, *extra]
    if listen in ("0.0.0.0", "::", ""):
        names += [socket.gethostname(), socket.getfqdn()]
    elif listen not in names:
        names.append(listen)
    return list(dict.fromkeys(n for n in names if n))


def _protection_flags(listen: str, extra: list[str]) -> list[str]:
    """Streamlit's own protections, set explicitly so that no config file can turn them off:
    XSRF tokens, CORS (foreign Origins refused), the Host allow-list, no static files, no agent API."""
    flags = [
        "--server.enableXsrfProtection",
        "true",
        "--server.enableCORS",
        "true",
        "--server.enableStaticServing",
        "false",
        "--server.enableAgentApi",
        "false",
    ]
    for name in allowed_hosts(listen, extra):
        flags += ["--server.allowedHosts", name]
    return flags


DEMO_MARK = "built_by"


def _needs_build(db: Path, sample_calls: Path) -> bool:
    if not db.exists():
        return True
    newest = max((p.stat().st_mtime for p in sample_calls.rglob("*") if p.is_file()), default=0.0)
    return db.stat().st_mtime < newest


def _demo_mark(db: Path) -> str | None:
    """The demo's mark in a database's settings (the published file, or the working store when a
    demo build stopped before publishing), or None: a database the demo did not build."""
    import duckdb

    for path in (db, store.working_path(db)):
        if not path.exists():
            continue
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return None
        try:
            row = con.execute("select value from settings where name = $n", {"n": DEMO_MARK}).fetchall()
        except duckdb.Error:
            return None
        finally:
            con.close()
        return str(row[0][0]) if row and row[0][0] else None
    return None


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """The demo builds only its own database: one it finds is rebuilt only if the demo built it
    (a mark in its settings table); any other database under that name is refused, untouched."""
    sample_calls = args.sample / "calls"
    if not sample_calls.is_dir():
        raise UsageError(f"no sample at {sample_calls}: run `callstats sample` first")
    if args.settings is None:
        # The demo is the sample site: its numbers and organisations come from the sample's own file.
        site_file = args.sample / "callstats.toml"
        overrides = {"db": str(settings.db), "key_file": settings["key_file"] or None}
        settings = load_settings(overrides, settings_file=site_file if site_file.is_file() else None)
    db = settings.db
    exists = db.exists() or store.working_path(db).exists()
    if exists and _demo_mark(db) is None:
        raise UsageError(
            f"{db} was not built by `callstats demo`; the demo never touches another database:"
            " give it its own, e.g. --db demo.duckdb"
        )
    if _needs_build(db, sample_calls):
        for stale in (db, store.working_path(db)):
            if stale.exists():
                stale.unlink()
        print(f"building {db} from {sample_calls} …", flush=True)
        mark = {DEMO_MARK: f"callstats demo from {sample_calls.resolve()}"}
        result = ingest([sample_calls], settings, progress=_progress_printer(sys.stderr.isatty()), marks=mark)
        print(_summary(result))
    if args.build_only:
        return 0
    return cmd_dashboard(args, settings)


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.sample import write_sample

    formats_dir = args.formats_out or args.out.parent / "sample_formats"
    paths = write_sample(args.out, formats_dir)
    inside = sum(1 for p in paths if args.out in p.parents)
    print(f"wrote {inside} files under {args.out} and {len(paths) - inside} under {formats_dir}")
    return 0


# purge ----------------------------------------------------------------------------------------


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.retention import cutoff_for, purge, would_purge

    age = args.older_than or str(settings["retention"])
    if not age:
        raise UsageError("purge needs --older-than AGE (e.g. 24m), or the retention setting")
    cutoff = cutoff_for(age, dt.date.today(), force=args.force)
    store.check_db_location(settings.db)
    if args.dry_run:
        rows, oldest = would_purge(settings, cutoff)
        span = f" (oldest {oldest})" if oldest else ""
        print(
            f"would remove {readable.number(rows, 0, 'en')} call rows dated before {cutoff}{span};"
            " dry run, nothing changed"
        )
        return EXIT_OK
    removed, published = purge(settings, cutoff)
    print(
        f"removed {readable.number(removed, 0, 'en')} call rows dated before {cutoff}; statistics unchanged;"
        f" published {published.path}"
    )
    return 0


# events ---------------------------------------------------------------------------------------


def cmd_events(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import events

    if args.action == "add":
        new_id, published = events.add(
            settings.db, first=args.date, last=args.to, org=args.org, kind=args.kind, text=args.text
        )
        print(f"added event {new_id}; published {published.path}")
        return 0
    if args.action == "remove":
        published = events.remove(settings.db, args.id)
        print(f"removed event {args.id}; published {published.path}")
        return 0
    con = store.connect_readonly(settings.db)
    try:
        found = events.load(con, org=args.org)
    finally:
        con.close()
    rows = [(str(e.id), e.span(), e.organisation or "(alla)", e.kind, e.text) for e in found]
    print(_text_table(["id", "dates", "organisation", "kind", "text"], rows))
    return 0


# status ---------------------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import status as health

    max_age = health.parse_max_age(args.max_age)
    result = health.check(settings, max_age, health.today())
    if args.output_format == "json":
        print(json.dumps(result.as_json(), ensure_ascii=False, default=str, indent=1))
    else:
        print(health.render(result, settings.site_tz))
    return EXIT_OK if result.ok else EXIT_FAILED


# forecast and staffing --------------------------------------------------------------------------


def cmd_forecast(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import planning

    if not 1 <= args.weeks <= 12:
        raise UsageError(f"--weeks {args.weeks}: between 1 and 12")
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"--as-of {args.as_of!r}: expected a date such as 2016-12-01") from None
    fc = planning.load_forecast(settings.db, args.org, args.weeks, as_of)
    text = {"table": planning.forecast_table, "csv": planning.forecast_csv, "json": planning.forecast_json}[
        args.output_format
    ](fc)
    _emit(text, None)
    return 0


def cmd_staffing(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import planning
    from pipeline.staffing import Target

    if args.target:
        target = Target.parse(args.target)
    else:
        target = Target(float(settings["service_level_share"]), float(settings["service_level_s"]))
    if args.calls_per_hour is not None:
        if args.handle_time is None or args.handle_time <= 0 or args.calls_per_hour < 0:
            raise UsageError("--calls-per-hour needs --handle-time SECONDS (more than 0) and 0 or more calls")
        _emit(planning.interval_text(args.calls_per_hour, args.handle_time, target, args.agents), None)
        return 0
    if args.handle_time is not None or args.agents is not None:
        raise UsageError("--handle-time and --agents go with --calls-per-hour (one interval)")
    wrap_up = float(settings["wrap_up_s"]) if args.wrap_up is None else args.wrap_up
    plan, fc = planning.load_plan(settings.db, args.org, args.week, target, wrap_up)
    text = planning.plan_csv(plan) if args.output_format == "csv" else planning.plan_table(plan, fc)
    if args.output_format == "table":
        check = planning.load_check(settings.db, args.org, target, wrap_up, fc.data_through)
        text += "\n" + (
            check or "no whole week of call rows to check Erlang C against (too little data, or purged)"
        )
    _emit(text, None)
    return 0
