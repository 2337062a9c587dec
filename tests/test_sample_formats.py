"""The real-format sample weeks (sample_formats/) give the canonical sample's daily counts.

sample_formats/ holds ISO weeks 49–52 of 2016 of the same synthetic calls as sample_data/calls/,
written as Asterisk Master.csv, Asterisk queue_log and Cisco CUCM CDR files. Each folder is ingested
into its own database and compared day by day with a database built from the callstats CSV.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipeline.config import load_settings
from pipeline.ingest import IngestReport, ingest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
SAMPLE_FORMATS = ROOT / "sample_formats"
FIRST, LAST = dt.date(2016, 12, 5), dt.date(2016, 12, 31)
PER_DAY = "select date, sum(calls) from calls_by_day where date between $first and $last group by date"


def build(paths: list[Path], folder: Path) -> tuple[IngestReport, dict[dt.date, int]]:
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings({"db": str(folder / "callstats.duckdb"), "key_file": str(folder / "private" / "key")})
    report = ingest(paths, settings)
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        found = {day: int(n) for day, n in con.execute(PER_DAY, {"first": FIRST, "last": LAST}).fetchall()}
    finally:
        con.close()
    # A database's days end at its last call, so a quiet last day (Saturday 31 Dec: none) is 0 here.
    days = (FIRST + dt.timedelta(n) for n in range((LAST - FIRST).days + 1))
    return report, {day: found.get(day, 0) for day in days}


def iso_weeks(counts: dict[dt.date, int]) -> dict[int, int]:
    weeks: dict[int, int] = {}
    for day, n in counts.items():
        week = day.isocalendar().week
        weeks[week] = weeks.get(week, 0) + n
    return weeks


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> dict[dt.date, int]:
    calls = SAMPLE / "calls"
    paths = [calls / "calls-2016-12.csv.gz", calls / "calls-2017-01.csv.gz"]
    report, counts = build(paths, tmp_path_factory.mktemp("canonical"))
    assert not report.failed
    return counts


def test_canonical_weeks_are_the_boards(canonical: dict[dt.date, int]) -> None:
    weeks = iso_weeks(canonical)
    assert (weeks[49], weeks[50], weeks[51]) == (1884, 1664, 1236)


@pytest.mark.parametrize(("folder", "fmt"), [("asterisk", "asterisk_cdr"), ("cucm", "cucm")])
def test_real_format_weeks_count_like_the_callstats_csv(
    folder: str, fmt: str, canonical: dict[dt.date, int], tmp_path: Path
) -> None:
    source = SAMPLE_FORMATS / folder
    report, counts = build([source], tmp_path)
    assert report.files, f"no files under {source}"
    for file in report.files:
        assert file.status == "loaded", (file.path.name, file.status, file.message)
        assert file.format == fmt, file.path.name
        assert file.rows_read > 0
        assert file.rows_read == file.loaded + file.merged + file.duplicate + file.rejected + file.filtered
        assert file.accounted
    assert counts == canonical
    weeks = iso_weeks(counts)
    assert (weeks[49], weeks[50], weeks[51], weeks[52]) == (1884, 1664, 1236, 692)  # 1 Jan 2017: none


def test_queue_log_has_its_own_folder_and_is_detected(canonical: dict[dt.date, int], tmp_path: Path) -> None:
    folder = SAMPLE_FORMATS / "asterisk_queue_log"
    assert [p.name for p in folder.iterdir() if p.is_file()] == ["queue_log"]
    assert not (SAMPLE_FORMATS / "asterisk" / "queue_log").exists()
    report, counts = build([folder], tmp_path)
    (file,) = report.files
    assert (file.status, file.format) == ("loaded", "asterisk_queue_log"), file.message
    assert file.accounted and file.loaded > 0
    # Only calls that entered the queue are in queue_log (not voicemail or closed), so never more.
    assert all(counts[day] <= canonical[day] for day in canonical)
    assert sum(counts.values()) > 0.9 * sum(canonical.values())
