"""What each `callstats` subcommand does, given parsed arguments and settings."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline import formatting as fmt
from pipeline import health, store
from pipeline import report as reports
from pipeline.config import Settings
from pipeline.errors import EXIT_FAILED, EXIT_OK, UsageError
from pipeline.ingest import FileReport, IngestReport, ingest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def run(args: argparse.Namespace, settings: Settings) -> int:
    handler = {
        "ingest": cmd_ingest,
        "report": cmd_report,
        "query": cmd_query,
        "dashboard": cmd_dashboard,
        "demo": cmd_demo,
        "sample": cmd_sample,
        "purge": cmd_purge,
        "status": cmd_status,
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
        for reason, rows in f.filtered_reasons.items():
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


# report ---------------------------------------------------------------------------------------


def _parse_month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise UsageError(f"--month {text!r}: expected YYYY-MM, e.g. 2016-12") from None
    return year, month


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    if args.out is not None:
        store.check_can_write(args.out, "--out")
    if args.output_format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx needs --out FILE.xlsx")
    if args.month and args.kind == "monthly":
        raise UsageError("--month is for `report weekly`; use --year with `report monthly`")
    month = _parse_month(args.month) if args.month else None
    con = store.connect_readonly(settings.db)
    try:
        reports.check_org(con, args.org)
        through = reports.data_through(con)
        if args.kind == "weekly" and month:
            result = reports.weekly_for_month(con, month[0], month[1], args.org, args.lang)
            first = dt.date(month[0], month[1], 1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        elif args.kind == "weekly":
            iso_year = args.year or through.isocalendar().year
            result = reports.weekly_for_year(con, iso_year, args.org, args.lang)
            first = dt.date.fromisocalendar(iso_year, 1, 1)
            last = dt.date.fromisocalendar(iso_year + 1, 1, 1) - dt.timedelta(days=1)
        else:
            year = args.year or through.year
            result = reports.monthly(con, year, args.org, args.lang)
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        findings = health.findings_between(con, first, last)
    finally:
        con.close()
    if args.output_format == "xlsx":
        assert args.out is not None  # checked above
        reports.write_xlsx(result, args.out)
        print(f"wrote {args.out}")
        return 0
    text = {"table": reports.render_table, "csv": reports.render_csv, "json": reports.render_json}[
        args.output_format
    ](result)
    if args.output_format == "table":
        text += "\n\n" + ("data t.o.m. " if args.lang == "sv" else "data through ") + str(through)
        # A hole in the data must not be read as a dip: the report says so under its table.
        note = health.summary_line(findings, args.lang)
        if note:
            text += "\n" + note
    elif args.output_format == "json":
        text = json.dumps(
            {**json.loads(text), "data_health": findings}, ensure_ascii=False, indent=2, default=str
        )
    _emit(text, args.out)
    return 0


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")


# query ----------------------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    con = store.connect_readonly(settings.db)
    try:
        columns, rows, truncated = store.run_limited(
            con, args.sql, timeout_s=args.timeout, max_rows=args.max_rows
        )
    except duckdb.Error as exc:
        raise UsageError(str(exc).strip().splitlines()[0]) from None
    finally:
        con.close()
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
        # Readers, not developers: no "Deploy" button or developer menu.
        "--client.toolbarMode",
        "viewer",
    ]
    return subprocess.call(command, env=env)


def _needs_build(db: Path, sample_calls: Path) -> bool:
    if not db.exists():
        return True
    newest = max((p.stat().st_mtime for p in sample_calls.rglob("*") if p.is_file()), default=0.0)
    return db.stat().st_mtime < newest


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    sample_calls = args.sample / "calls"
    if not sample_calls.is_dir():
        raise UsageError(f"no sample at {sample_calls}: run `callstats sample` first")
    if _needs_build(settings.db, sample_calls):
        for stale in (settings.db, store.working_path(settings.db)):
            if stale.exists():
                stale.unlink()
        print(f"building {settings.db} from {sample_calls} …", flush=True)
        result = ingest([sample_calls], settings, progress=_progress_printer(sys.stderr.isatty()))
        print(_summary(result))
    if args.build_only:
        return 0
    return cmd_dashboard(args, settings)


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.sample import write_sample_files

    months, exports = write_sample_files(args.out)
    print(
        f"wrote {len(months) + len(exports)} files under {args.out}: {len(months)} monthly call files"
        f" in {args.out / 'calls'} and {len(exports)} telephony exports in {args.out / 'formats'}"
    )
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
            f"would remove {fmt.number(rows, 0, 'en')} call rows dated before {cutoff}{span};"
            " dry run, nothing changed"
        )
        return EXIT_OK
    removed, published = purge(settings, cutoff)
    print(
        f"removed {fmt.number(removed, 0, 'en')} call rows dated before {cutoff}; statistics unchanged;"
        f" published {published.path}"
    )
    return EXIT_OK


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
