"""The `callstats` command: argument parsing and delegation only."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import interrupts
from pipeline.config import load_settings, settings_help
from pipeline.entry import INTERRUPTED_LINE
from pipeline.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_USAGE,
    USER_ERRORS,
)
from pipeline.store import LockHeld

EXAMPLES = {
    "ingest": "callstats ingest sample_data/calls --db callstats.duckdb",
    "inspect": "callstats inspect /srv/export/växel/",
    "report": "callstats report weekly --month 2016-12\n  callstats report board --month previous --out pack/",
    "query": 'callstats query "select * from calls_by_week where iso_year = 2016 and iso_week = 51"',
    "export": "callstats export --parquet /srv/lake/callstats",
    "dashboard": "callstats dashboard --db callstats.duckdb --port 8501",
    "demo": "callstats demo",
    "sample": "callstats sample --out sample_data",
    "purge": "callstats purge --older-than 24m",
    "events": 'callstats events add --date 2017-03-01 --kind outage --text "Störningar i behörighetssystemet"',
    "status": "callstats status --max-age 2d",
    "forecast": "callstats forecast --weeks 6 --format table",
    "staffing": "callstats staffing --week 2017-W09\n  callstats staffing --calls-per-hour 40 --handle-time 180 --target 80/20",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("callstats")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callstats",
        description="Switchboard call statistics: call logs into DuckDB, reports and a dashboard.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="settings file (default: the nearest callstats.toml from the working folder up)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name not in ("sample", "inspect"):
            p.add_argument(
                "--db", type=Path, help="published database (default callstats.duckdb, env CALLSTATS_DB)"
            )
        return p

    p = command("ingest", "load call-log files or folders (recursively) and publish the database")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", default="auto", help="input format (default: detected from each file)")
    p.add_argument("--mapping", type=Path, help="TOML mapping for any other CSV layout")
    p.add_argument("--source-tz", help="time zone of naive timestamps in the files (default: the site's)")
    p.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    p.add_argument("--strict", action="store_true", help="exit 1 when any row was rejected")
    p.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help="in folders, only files matching GLOB (repeatable; default: the include setting, or all)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="in folders, skip files matching GLOB (repeatable; default: the exclude setting)",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="try again files that failed before with the same content (default: reported as still failing)",
    )

    p = command("inspect", "a first look at export files: format, dates, numbers, queues; writes nothing")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", dest="output_format", default="text", choices=["text", "json"])
    p.add_argument("--input-format", default="auto", help="read as this format (default: detected)")
    p.add_argument("--mapping", type=Path, help="TOML mapping for any other CSV layout")
    p.add_argument("--source-tz", help="time zone of naive timestamps in the files (default: the site's)")

    p = command("report", "the board's weekly or monthly table, or the board's monthly pack")
    p.add_argument("kind", choices=["weekly", "monthly", "board"])
    p.add_argument("--year", type=int, help="calendar year (monthly) or ISO year (weekly)")
    p.add_argument(
        "--month",
        help="YYYY-MM: the weeks of that month (weekly), or the pack's month (board; also previous|current)",
    )
    p.add_argument("--org", help="one organisation (default: the whole switchboard)")
    p.add_argument(
        "--format", dest="output_format", default="table", choices=["table", "csv", "json", "xlsx"]
    )
    p.add_argument("--out", type=Path, help="write to this file (required for xlsx); the folder for board")
    p.add_argument("--lang", default="sv", choices=["sv", "en"])
    p.add_argument("--mail-to", action="append", metavar="ADDR", help="board: mail the pack (repeatable)")

    p = command("query", "run read-only SQL against the published database")
    p.add_argument("sql", help="one SQL statement (read-only); - reads it from standard input")
    p.add_argument("--format", dest="output_format", default="table", choices=["table", "csv", "json"])
    p.add_argument("--max-rows", default="10000", help="row cap (default 10 000)")
    p.add_argument(
        "--max-bytes", default="50MB", help="cap on the result's size, beside the row cap (default 50MB)"
    )
    p.add_argument(
        "--timeout", default="30", help="time limit in seconds, start to printed result (default 30)"
    )
    p.add_argument("--memory", default="2GB", help="memory limit of the whole query process (default 2GB)")
    p.add_argument(
        "--engine",
        default="duckdb",
        choices=["duckdb", "spark"],
        help="duckdb (the published database) or spark (a Parquet export, --parquet; needs callstats[spark])",
    )
    p.add_argument(
        "--parquet", metavar="DIR", help="the `callstats export` folder or URL that --engine spark reads"
    )

    p = command("export", "write the facts, calendar and calls as Hive-partitioned Parquet, incrementally")
    p.add_argument(
        "--parquet", required=True, type=Path, metavar="DIR", help="export folder (created if new)"
    )

    p = command("dashboard", "start the Streamlit dashboard on the published database")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1 only)")
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name users reach the dashboard by (repeatable); others are refused",
    )

    p = command("demo", "build the database from sample_data/ if needed and start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--sample", type=Path, default=Path("sample_data"), help="sample folder")
    p.add_argument("--build-only", action="store_true", help="build the database, do not start the dashboard")

    p = command("sample", "regenerate sample_data/ (and its format copies) deterministically")
    p.add_argument("--out", type=Path, default=Path("sample_data"), help="the sample site's folder")
    p.add_argument(
        "--formats-out",
        type=Path,
        help="the same calls as real exports (default: sample_formats beside --out)",
    )

    p = command("purge", "delete call rows older than a limit; the statistics stay as they are")
    p.add_argument("--older-than", help="e.g. 24m (months) or 730d (days); default: the retention setting")
    p.add_argument("--dry-run", action="store_true", help="print what would be removed, change nothing")
    p.add_argument("--force", action="store_true", help="allow an age under one month")

    p = command(
        "status", "is the published data fresh and healthy? exit 0 yes, 1 no (for cron and monitoring)"
    )
    p.add_argument(
        "--max-age", default="2d", help="stale after this many working days without data (default 2d)"
    )
    p.add_argument("--format", dest="output_format", default="table", choices=["table", "json"])

    p = command(
        "events", "add, list or remove the events that explain the figures (shown on charts and in the pack)"
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="record an event (or a month's commentary with --kind comment)")
    add.add_argument("--date", required=True, type=_date, help="first day, YYYY-MM-DD")
    add.add_argument("--to", type=_date, help="last day, YYYY-MM-DD (default: the first day)")
    add.add_argument("--org", help="one organisation (default: the whole switchboard)")
    add.add_argument(
        "--kind", required=True, choices=["outage", "change", "campaign", "closure", "comment", "other"]
    )
    add.add_argument("--text", required=True, help="what happened, in the board's words")
    listing = actions.add_parser("list", help="the recorded events")
    listing.add_argument("--org", help="one organisation's events and the whole switchboard's")
    remove = actions.add_parser("remove", help="delete an event by its id (see events list)")
    remove.add_argument("id", type=int)
    for sub_parser in (add, listing, remove):
        sub_parser.add_argument(
            "--db", type=Path, help="published database (default callstats.duckdb, env CALLSTATS_DB)"
        )

    p = command("forecast", "offered calls per working day for the next weeks, with the backtest's errors")
    p.add_argument("--weeks", type=int, default=6, help="weeks ahead (1–12, default 6)")
    p.add_argument("--org", help="one organisation (default: the whole switchboard)")
    p.add_argument("--format", dest="output_format", default="table", choices=["table", "csv", "json"])
    p.add_argument(
        "--as-of",
        metavar="DATE",
        help="forecast from the data before DATE and compare with what came (e.g. 2016-12-01)",
    )

    p = command("staffing", "operators needed per weekday × hour of a forecast week (Erlang C)")
    p.add_argument("--week", help="ISO week such as 2017-W09 (default: the first whole forecast week)")
    p.add_argument("--org", help="one organisation (default: the whole switchboard)")
    p.add_argument("--target", help="service level SHARE/SECONDS, e.g. 80/20 (default: the settings)")
    p.add_argument("--wrap-up", type=float, help="seconds after each call (default: the wrap_up_s setting)")
    p.add_argument("--calls-per-hour", type=float, help="one interval only: the plain Erlang C, no database")
    p.add_argument("--handle-time", type=float, help="with --calls-per-hour: handling time in seconds")
    p.add_argument("--agents", type=int, help="with --calls-per-hour: the service level this staffing gives")
    p.add_argument("--format", dest="output_format", default="table", choices=["table", "csv"])
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Every failure ends as one line on stderr and an exit code from
    pipeline.errors (0 ok, 1 failed in part, 2 usage, 3 interrupted, 4 locked)."""
    args = _parser().parse_args(argv)
    overrides = {
        "db": str(args.db) if getattr(args, "db", None) else None,
        "source_tz": getattr(args, "source_tz", None),
    }
    with interrupts.interruptible():
        try:
            settings = load_settings(overrides, settings_file=args.settings)
            from pipeline import commands  # heavy imports only once the arguments are known

            return commands.run(args, settings)
        except LockHeld as exc:
            return _fail(str(exc), EXIT_LOCKED)
        except USER_ERRORS as exc:
            return _fail(str(exc), EXIT_USAGE)
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_FAILED
        except BaseException as exc:
            # An interrupt surfaces as KeyboardInterrupt or as DuckDB's RuntimeError("Query
            # interrupted"), depending on where it lands: the recorded request decides.
            if interrupts.requested() or isinstance(exc, KeyboardInterrupt):
                return _fail(INTERRUPTED_LINE.removeprefix("callstats: ").strip(), EXIT_INTERRUPTED)
            if isinstance(exc, OSError):
                where = f": {exc.filename}" if exc.filename else ""
                return _fail(f"{exc.strerror or exc}{where}", EXIT_FAILED)
            raise


def _fail(message: str, code: int) -> int:
    print(f"callstats: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
