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
from pipeline import report as reports
from pipeline import store, switchboard
from pipeline.config import Settings, load_settings
from pipeline.errors import UsageError
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
    if report.published:
        lines.append(
            f"published {report.published.path} (data through {report.data_through or 'no data yet'},"
            f" {report.published.bytes / 1e6:.1f} MB in {report.published.seconds:.2f} s)"
        )
    return "\n".join(lines)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    result = ingest(
        args.paths,
        settings,
        format_name=args.format,
        mapping=args.mapping,
        progress=_progress_printer(sys.stderr.isatty() and not args.quiet),
    )
    print(_summary(result))
    if result.failed:
        print(
            f"callstats: {len(result.failed)} file(s) could not be loaded (see above);"
            " the other files were loaded and published",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    """Writes nothing: no database, no key. Exit 1 when a file is not recognised."""
    from pipeline import inspection
    from pipeline.ingest import expand_paths

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
    con = store.connect_readonly(settings.db)
    try:
        reports.check_org(con, args.org)
        through = reports.data_through(con)
        if args.kind == "weekly" and args.month:
            try:
                year, month = (int(p) for p in args.month.split("-"))
                dt.date(year, month, 1)
            except ValueError:
                raise UsageError(f"--month {args.month!r}: expected YYYY-MM, e.g. 2016-12") from None
            result = reports.weekly_for_month(con, year, month, args.org, args.lang)
        elif args.kind == "weekly":
            result = reports.weekly_for_year(
                con, args.year or through.isocalendar().year, args.org, args.lang
            )
        else:
            if args.month:
                raise UsageError("--month is for `report weekly`; use --year with `report monthly`")
            result = reports.monthly(con, args.year or through.year, args.org, args.lang)
    finally:
        con.close()
    if args.output_format == "xlsx":
        if args.out is None:
            raise UsageError("--format xlsx needs --out FILE.xlsx")
        reports.write_xlsx(result, args.out)
        print(f"wrote {args.out}")
        return 0
    text = {"table": reports.render_table, "csv": reports.render_csv, "json": reports.render_json}[
        args.output_format
    ](result)
    if args.output_format == "table":
        text += "\n\n" + ("data t.o.m. " if args.lang == "sv" else "data through ") + str(through)
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
    if args.engine == "spark" or args.parquet:
        return query_on_spark(args)
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


def query_on_spark(args: argparse.Namespace) -> int:
    """`query --engine spark --parquet DIR`: the same SQL on Spark over a Parquet export."""
    if args.engine != "spark" or not args.parquet:
        raise UsageError("--parquet DIR goes with --engine spark, and --engine spark needs --parquet DIR")
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
        columns, rows, truncated = spark_views.run_query(spark, args.sql, max_rows=args.max_rows)
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
        print(f"{t.name:<14} {fmt.number(t.rows, 0):>11} {t.written:>8} {t.kept:>6} {t.removed:>8}")
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
    if args.settings is None:
        # The demo is the sample site: its numbers and organisations come from the sample's own file.
        site_file = args.sample / "callstats.toml"
        overrides = {"db": str(settings.db), "key_file": settings["key_file"] or None}
        settings = load_settings(overrides, settings_file=site_file if site_file.is_file() else None)
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
    from pipeline.sample import write_sample

    formats_dir = args.formats_out or args.out.parent / "sample_formats"
    paths = write_sample(args.out, formats_dir)
    inside = sum(1 for p in paths if args.out in p.parents)
    print(f"wrote {inside} files under {args.out} and {len(paths) - inside} under {formats_dir}")
    return 0


# purge ----------------------------------------------------------------------------------------


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.retention import parse_age, purge

    cutoff = parse_age(args.older_than, dt.date.today())
    removed, published = purge(settings, cutoff)
    print(
        f"removed {fmt.number(removed, 0, 'en')} call rows dated before {cutoff}; statistics unchanged;"
        f" published {published.path}"
    )
    return 0
