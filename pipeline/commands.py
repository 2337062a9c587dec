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
        "dashboard": cmd_dashboard,
        "demo": cmd_demo,
        "inspect": cmd_inspect,
        "sample": cmd_sample,
        "purge": cmd_purge,
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
