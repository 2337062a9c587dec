"""The synthetic sample: the board's figures exactly, realistic shape, and an honest export.

Checked straight from the generated frame and files with polars, independently of the ingest.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import polars as pl
import pytest

from pipeline.config import load_settings
from pipeline.sample import COLUMNS, FIRST_DAY, LAST_DAY, generate_calls, month_files, write_sample
from pipeline.workdays import WorkingCalendar

TZ = "Europe/Stockholm"
D = dt.date


@pytest.fixture(scope="module")
def calls() -> pl.DataFrame:
    return generate_calls()


@pytest.fixture(scope="module")
def local(calls: pl.DataFrame) -> pl.DataFrame:
    started = pl.col("started_at").dt.convert_time_zone(TZ)
    return calls.with_columns(date=started.dt.date(), time=started.dt.time())


@pytest.fixture(scope="module")
def per_day(local: pl.DataFrame) -> dict[dt.date, int]:
    counts = dict(local.group_by("date").len().iter_rows())
    day = FIRST_DAY
    while day <= LAST_DAY:
        counts.setdefault(day, 0)
        day += dt.timedelta(days=1)
    return counts


@pytest.fixture(scope="module")
def written_all(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample") / "sample_data"
    return out, write_sample(out)


@pytest.fixture(scope="module")
def written(written_all: tuple[Path, list[Path]]) -> list[Path]:
    return [p for p in written_all[1] if p.parent.name == "calls"]


def test_sample_site_layout(written_all: tuple[Path, list[Path]]) -> None:
    """The folder a user ingests holds each call once: the format copies are written beside it."""
    out, paths = written_all
    assert all(p.exists() for p in paths), "every path reported was written"
    inside = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert inside == sorted(
        ["callstats.toml", *(f"calls/{p.name}" for p in paths if p.parent.name == "calls")]
    )
    formats = out.parent / "sample_formats"
    assert {p.parent.name for p in paths if formats in p.parents} == {
        "asterisk",
        "asterisk_queue_log",
        "cucm",
    }
    site = load_settings(settings_file=out / "callstats.toml")
    assert {(r["number"], r["organisation"]) for r in site.switchboard_numbers()} == {
        ("051317000", "Herrljunga"),
        ("0322600600", "Vårgårda"),
    }


def span(per_day: dict[dt.date, int], first: dt.date, last: dt.date) -> int:
    return sum(n for day, n in per_day.items() if first <= day <= last)


def test_the_boards_figures(local: pl.DataFrame, per_day: dict[dt.date, int]) -> None:
    weeks = local.filter(pl.col("date").dt.iso_year() == 2016).group_by(pl.col("date").dt.week()).len()
    assert dict(weeks.filter(pl.col("date") >= 49).iter_rows()) == {49: 1884, 50: 1664, 51: 1236, 52: 692}
    assert span(per_day, D(2016, 12, 1), D(2016, 12, 31)) == 6247
    assert span(per_day, D(2016, 12, 1), D(2016, 12, 2)) == 771
    assert per_day[D(2016, 12, 3)] == per_day[D(2016, 12, 4)] == per_day[D(2017, 1, 1)] == 0
    assert span(per_day, D(2016, 1, 1), D(2016, 1, 31)) == 6331
    assert span(per_day, D(2017, 1, 1), D(2017, 1, 31)) == 6370
    assert span(per_day, D(2016, 2, 1), D(2016, 2, 29)) == 6670
    assert span(per_day, D(2017, 2, 1), D(2017, 2, 21)) == 4270
    assert span(per_day, D(2016, 1, 1), D(2016, 12, 31)) == 93_600
    assert local.filter(~pl.col("date").is_between(FIRST_DAY, LAST_DAY)).is_empty()
    assert per_day[D(2017, 2, 21)] > 0, "the data runs to 21 Feb 2017"


def test_months_are_realistic(local: pl.DataFrame) -> None:
    months = local.group_by(year=pl.col("date").dt.year(), month=pl.col("date").dt.month()).len()
    by_month = {(y, m): n for y, m, n in months.iter_rows()}
    for year in (2015, 2016):
        july = by_month[year, 7]
        assert all(july < by_month[year, m] for m in range(1, 13) if m != 7), "summer dip"
        assert by_month[year, 9] > 7800 and by_month[year, 10] > 7800, "busy autumn"
    total_2015 = sum(n for (y, _), n in by_month.items() if y == 2015)
    assert 0.94 * 93_600 < total_2015 < 0.995 * 93_600


def test_closed_and_half_days(per_day: dict[dt.date, int]) -> None:
    days = list(WorkingCalendar().days(FIRST_DAY, LAST_DAY))
    assert all(per_day[d.date] <= 4 for d in days if d.day_type == "closed")
    for half in (d for d in days if d.day_type == "half"):
        full = [
            per_day[d.date]
            for d in days
            if d.day_type == "full" and (d.date.year, d.date.month) == (half.date.year, half.date.month)
        ]
        assert per_day[half.date] < sum(full) / len(full), half


def test_weekday_and_hour_profiles(local: pl.DataFrame) -> None:
    by_weekday = dict(local.group_by(pl.col("date").dt.weekday()).len().iter_rows())
    assert by_weekday[1] == max(by_weekday.values()), "Mondays are busiest"
    by_hour = dict(local.group_by(pl.col("time").dt.hour()).len().iter_rows())
    assert max(by_hour, key=by_hour.__getitem__) in (9, 10)
    assert by_hour[13] > by_hour[12] and by_hour[13] > by_hour[15], "after-lunch peak"


def test_after_hours_share_and_outcome(local: pl.DataFrame) -> None:
    hours = WorkingCalendar().frame(FIRST_DAY, LAST_DAY).select("date", "opens_at", "closes_at")
    marked = local.join(hours, on="date").with_columns(
        after_hours=pl.col("opens_at").is_null()
        | (pl.col("time") < pl.col("opens_at"))
        | (pl.col("time") >= pl.col("closes_at"))
    )
    after = marked.filter("after_hours")
    assert 0.005 <= after.height / marked.height <= 0.03
    assert (after["outcome"] == "closed").mean() > 0.8  # type: ignore[operator]
    assert marked.filter(~pl.col("after_hours"), pl.col("outcome") == "closed").height == 0


def test_answer_rate_waits_and_talk(calls: pl.DataFrame) -> None:
    assert 0.85 <= (calls["outcome"] == "answered").mean() <= 0.92  # type: ignore[operator]
    assert set(calls["outcome"]) <= {"answered", "abandoned", "timeout", "voicemail", "closed"}
    answered = calls.filter(pl.col("outcome") == "answered")
    abandoned = calls.filter(pl.col("outcome") == "abandoned")
    assert 12 <= answered["wait_s"].median() <= 30  # type: ignore[operator]
    assert abandoned["wait_s"].median() > answered["wait_s"].median()  # type: ignore[operator]
    assert 60 <= answered["talk_s"].median() <= 90  # type: ignore[operator]
    assert calls.filter(pl.col("outcome") != "answered")["talk_s"].is_null().all()
    assert answered["talk_s"].is_not_null().all()
    ends = pl.col("started_at") + pl.duration(seconds=pl.col("wait_s") + pl.col("talk_s").fill_null(0))
    assert calls.filter(pl.col("ended_at") != ends).is_empty()


def test_organisations_and_callers(calls: pl.DataFrame) -> None:
    assert set(calls["dialled_number"]) == {"051317000", "0322600600"}
    assert 0.42 <= (calls["dialled_number"] == "051317000").mean() <= 0.48  # type: ignore[operator]
    assert calls["organisation"].null_count() == calls.height
    assert calls["call_id"].is_unique().all()
    callers = calls["caller"].drop_nulls()
    assert 0.01 <= calls["caller"].null_count() / calls.height <= 0.05
    assert callers.str.contains(r"^(0\d{8,9}|\+46\d{9})$").all()
    assert callers.str.starts_with("+46").any() and callers.str.starts_with("0513").any()
    per_caller = callers.value_counts()["count"]
    weeks = ((LAST_DAY - FIRST_DAY).days + 1) / 7
    assert (per_caller > 2 * weeks).sum() >= 10, "regulars call several times a week"


def read_files(paths: list[Path]) -> pl.DataFrame:
    return pl.concat(pl.read_csv(gzip.decompress(p.read_bytes()), infer_schema=False) for p in paths)


def test_files_as_exported(written: list[Path], calls: pl.DataFrame, per_day: dict[dt.date, int]) -> None:
    assert [p.name for p in written][:2] == ["calls-2015-01.csv.gz", "calls-2015-02.csv.gz"]
    assert written[-1].name == "calls-2017-02.csv.gz" and len(written) == 26
    for path in written:
        head = path.read_bytes()[:10]
        assert head[3] == 0 and head[4:8] == b"\0\0\0\0", "no file name, mtime 0"
    rows = read_files(written)
    assert rows.columns == COLUMNS
    assert rows["started_at"].str.contains(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$").all()
    assert rows.filter((pl.col("outcome") == "answered") != pl.col("answered_at").is_not_null()).is_empty()
    # Overlap: each file repeats the last day of the month before, identical rows under the same id.
    month_ends = {D(y, m, 1) - dt.timedelta(days=1) for y in (2015, 2016, 2017) for m in range(1, 13)}
    repeated = sum(n for day, n in per_day.items() if day in month_ends and day != LAST_DAY)
    assert rows.height - rows["call_id"].n_unique() == repeated > 1000
    assert rows.unique().height == rows["call_id"].n_unique() == calls.height
    # Counts per local date straight from the text (the date part of the local timestamp).
    from_files = dict(rows.unique().group_by(pl.col("started_at").str.slice(0, 10)).len().iter_rows())
    assert from_files == {str(day): n for day, n in per_day.items() if n}


def test_deterministic_bytes(written: list[Path]) -> None:
    again = month_files(generate_calls())
    assert {p.name: p.read_bytes() for p in written} == again
