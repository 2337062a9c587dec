"""The `callstats` command: argument parsing and delegation only."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import load_settings, settings_help
from pipeline.errors import USER_ERRORS

EXAMPLES = {
    "ingest": "callstats ingest sample_data/calls --db callstats.duckdb",
    "inspect": "callstats inspect /srv/export/växel/",
    "report": "callstats report weekly --month 2016-12",
    "query": 'callstats query "select * from calls_by_week where iso_year = 2016 and iso_week = 51"',
    "dashboard": "callstats dashboard --db callstats.duckdb --port 8501",
    "demo": "callstats demo",
    "sample": "callstats sample --out sample_data",
    "purge": "callstats purge --older-than 24m",
    "forecast": "callstats forecast --weeks 6 --format table",
    "staffing": "callstats staffing --week 2017-W09\n  callstats staffing --calls-per-hour 40 --handle-time 180 --target 80/20",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callstats",
        description="Switchboard call statistics: call logs into DuckDB, reports and a dashboard.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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

    p = command("inspect", "a first look at export files: format, dates, numbers, queues; writes nothing")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", dest="output_format", default="text", choices=["text", "json"])
    p.add_argument("--input-format", default="auto", help="read as this format (default: detected)")
    p.add_argument("--mapping", type=Path, help="TOML mapping for any other CSV layout")
    p.add_argument("--source-tz", help="time zone of naive timestamps in the files (default: the site's)")

    p = command("report", "the board's weekly or monthly table")
    p.add_argument("kind", choices=["weekly", "monthly"])
    p.add_argument("--year", type=int, help="calendar year (monthly) or ISO year (weekly)")
    p.add_argument("--month", help="YYYY-MM: the weeks of that month (weekly)")
    p.add_argument("--org", help="one organisation (default: the whole switchboard)")
    p.add_argument(
        "--format", dest="output_format", default="table", choices=["table", "csv", "json", "xlsx"]
    )
    p.add_argument("--out", type=Path, help="write to this file (required for xlsx)")
    p.add_argument("--lang", default="sv", choices=["sv", "en"])

    p = command("query", "run read-only SQL against the published database")
    p.add_argument("sql", help="one SQL statement (read-only)")
    p.add_argument("--format", dest="output_format", default="table", choices=["table", "csv", "json"])
    p.add_argument("--max-rows", type=int, default=10_000, help="row cap (default 10 000)")
    p.add_argument("--timeout", type=float, default=30.0, help="time limit in seconds (default 30)")

    p = command("dashboard", "start the Streamlit dashboard on the published database")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1 only)")

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
    p.add_argument("--older-than", required=True, help="e.g. 24m (months) or 730d (days)")

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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    overrides = {
        "db": str(args.db) if getattr(args, "db", None) else None,
        "source_tz": getattr(args, "source_tz", None),
    }
    try:
        settings = load_settings(overrides, settings_file=args.settings)
        from pipeline import commands  # heavy imports only once the arguments are known

        return commands.run(args, settings)
    except USER_ERRORS as exc:
        print(f"callstats: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("callstats: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
