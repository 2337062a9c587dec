"""The board's pack for one month: a slide deck, a workbook and a PDF, built from pipeline.board.

What the pack holds (the board's March 2017 "Statistik" slide, done right):
- the weeks of the month with working-day labels and split weeks, adding up to the month;
- the months of the year so far against the same months last year, the last one like for like
  ("t.o.m. 21 feb") when the data ends inside it, and the year's Summa row;
- the year's average per month against the baseline;
- the weekly trend (the last 13 weeks beside the same weeks a year earlier);
- the events that touch the month, and the month's commentary (events of kind 'comment').
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipeline import board, events, readable, store
from pipeline.board import BoardTable
from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.events import Event
from pipeline.report import check_org, data_through

TREND_WEEKS = 13


@dataclass(frozen=True)
class Pack:
    year: int
    month: int
    org: str | None
    lang: str
    through: dt.date
    weeks: BoardTable  # the weeks of the month
    months: BoardTable  # the months of the year up to the month, and the Summa row
    previous_year: board.YearSummary | None  # last year's average, while this year is incomplete
    trend: pl.DataFrame  # calls_by_week rows of the last TREND_WEEKS weeks up to the month's end
    events: tuple[Event, ...]  # touching the month, comments left out
    comments: tuple[Event, ...]
    baseline_per_month: float | None

    @property
    def title(self) -> str:
        what = "Växel – statistik" if self.lang == "sv" else "Switchboard – statistics"
        return f"{what} {readable.month_label(self.year, self.month, self.lang)}"

    def org_text(self) -> str:
        if self.org:
            return self.org
        return "Hela växeln" if self.lang == "sv" else "The whole switchboard"

    def through_text(self) -> str:
        return ("data t.o.m. " if self.lang == "sv" else "data through ") + readable.date_text(
            self.through, self.lang
        )

    def sentences(self) -> list[str]:
        """The year's average against the baseline: last year's whole year first while this one runs."""
        lines = []
        if self.previous_year is not None:
            lines.append(self.previous_year.sentence(self.lang))
        lines += list(self.months.notes)
        return [line for line in lines if line]

    def file_stem(self) -> str:
        return f"vaxel-statistik-{self.year}-{self.month:02d}-{slug(self.org or 'hela-vaxeln')}"

    def event_lines(self) -> list[str]:
        return [f"{e.span()}  {e.kind_label(self.lang)}: {e.text}" for e in self.events]


def slug(text: str) -> str:
    """'Vårgårda kommun' → 'vargarda-kommun' (for file names)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "org"


def resolve_month(text: str | None, through: dt.date) -> tuple[int, int]:
    """'YYYY-MM', or 'previous'/'current' against the data's last day (for scheduled runs)."""
    if text is None:
        raise UsageError("report board needs --month YYYY-MM, previous or current")
    if text == "previous":
        last_of_previous = through.replace(day=1) - dt.timedelta(days=1)
        return last_of_previous.year, last_of_previous.month
    if text == "current":
        return through.year, through.month
    try:
        year, month = (int(p) for p in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise UsageError(f"--month {text!r}: expected YYYY-MM, previous or current") from None
    return year, month


def build(con: duckdb.DuckDBPyConnection, year: int, month: int, org: str | None, lang: str) -> Pack:
    through = data_through(con)
    baseline = board.baseline_per_month(con)
    weeks = board.load_month_weeks(con, year, month, org, lang)
    all_months = board.load_months(con, org)
    up_to = all_months.filter(
        (pl.col("year") < year) | ((pl.col("year") == year) & (pl.col("month") <= month))
    )
    months = board.months_table(up_to, year, lang, org, baseline)
    previous_year = None
    summary = months.summary
    if (
        summary is not None
        and not summary.is_complete
        and not up_to.filter(pl.col("year") == year - 1).is_empty()
    ):
        previous_year = board.year_summary(up_to, year - 1, None if org else baseline)
        if not previous_year.is_complete:
            previous_year = None
    first = dt.date(year, month, 1)
    last = min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), through)
    trend = store_frame(
        con, "board/trend_weeks.sql", {"scope": org or board.ALL, "last": last, "weeks": TREND_WEEKS}
    )
    touching = events.load(con, first, last, org)
    return Pack(
        year=year,
        month=month,
        org=org,
        lang=lang,
        through=through,
        weeks=weeks,
        months=months,
        previous_year=previous_year,
        trend=trend,
        events=tuple(e for e in touching if e.kind != "comment"),
        comments=tuple(e for e in touching if e.kind == "comment"),
        baseline_per_month=None if org else baseline,
    )


def store_frame(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> pl.DataFrame:
    frame: pl.DataFrame = con.sql(store.sql_text(name), params=params).pl()
    return frame


def write(pack: Pack, out: Path) -> list[Path]:
    """The three files into `out` (created if needed; never written through a symbolic link)."""
    from pipeline import board_files, pack_pdf, pack_pptx, pack_xlsx

    if out.is_symlink():
        raise UsageError(f"--out {out}: is a symbolic link; give a plain folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; give a folder for the pack")
    out.mkdir(parents=True, exist_ok=True)
    stem = pack.file_stem()
    files = {
        out / f"{stem}.pptx": pack_pptx.render(pack),
        out / f"{stem}.xlsx": pack_xlsx.render(pack),
        out / f"{stem}.pdf": pack_pdf.render(pack),
    }
    for path, data in files.items():
        board_files.write_file(path, data)
    return list(files)


def cmd_board(args: argparse.Namespace, settings: Settings) -> int:
    if args.out is None:
        raise UsageError("report board needs --out DIR (the folder for the pack's three files)")
    con = store.connect_readonly(settings.db)
    try:
        check_org(con, args.org)
        year, month = resolve_month(args.month, data_through(con))
        pack = build(con, year, month, args.org, args.lang)
    finally:
        con.close()
    paths = write(pack, args.out)
    for path in paths:
        print(f"wrote {path}")
    if args.mail_to:
        from pipeline.mail import send_pack

        send_pack(settings, pack, paths, args.mail_to)
        print(f"mailed the pack to {', '.join(args.mail_to)}")
    return 0
