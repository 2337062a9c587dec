"""The caller facts' SQL may be rewritten for speed, never for its values.

tests/fixtures/caller_facts_reference.sql is the straightforward form of the caller facts (every call
once per scope, windows in time order per caller); sql/ingest/refresh_caller_facts.sql must give the
same `caller_day_facts` and `caller_period_facts`, on the sample and on generated calls with repeat
callers in both organisations, calls across midnight, week, month and year ends and the Christmas
holidays, withheld numbers, and a second file that lands on dates already loaded.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import store
from pipeline.ingest import ingest
from tests.conftest import HEADER, settings_for

REFERENCE_SQL = Path(__file__).parent / "fixtures" / "caller_facts_reference.sql"
CALLER_FACTS_SQL = "ingest/refresh_caller_facts.sql"
TABLES = ("caller_day_facts", "caller_period_facts")
NUMBERS = ("051317000", "0322600600")  # Herrljunga's and Vårgårda's switchboards in the sample site
STOCKHOLM_WINTER = dt.timezone(dt.timedelta(hours=1))


def facts(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(con.execute(f"select * from {table}").fetchall()) for table in TABLES}


def published_facts(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return facts(con)
    finally:
        con.close()


def recounted_whole(db: Path, script: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every date of `db` recounted at once by `script` (in memory: the file is left as it was)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db}' as stored (read_only)")
        con.execute("copy from database stored to memory")
        con.execute("detach stored")
        con.execute("create temp table touched_dates as select distinct call_date as date from calls")
        store.execute_script(con, script)
        return facts(con)
    finally:
        con.close()


def line(call_id: str, started: dt.datetime, outcome: str, number: str, caller: str) -> str:
    wait = dt.timedelta(seconds=20 + int(started.timestamp()) % 90)
    answered = started + wait
    if outcome == "answered":
        ended = answered + dt.timedelta(seconds=150)
        return (
            f"{call_id},{started.isoformat()},{answered.isoformat()},{ended.isoformat()},answered,"
            f"{wait.seconds},150,{number},,vaxel,{caller}"
        )
    return f"{call_id},{started.isoformat()},,{answered.isoformat()},{outcome},{wait.seconds},,{number},,vaxel,{caller}"


def generated_calls(seed: int, first: dt.date, days: int, calls: int, prefix: str) -> str:
    """Calls from a small pool of callers, so that most call again: the same day, the next days, in
    the other organisation, a minute apart, at the same second or across midnight; one in eight
    withholds the number."""
    rng = random.Random(seed)
    callers = [f"070{n:07d}" for n in range(60)]
    lines = []
    for n in range(calls):
        day = first + dt.timedelta(days=rng.randrange(days))
        minute = rng.choice(
            [rng.randrange(7 * 60, 17 * 60), rng.randrange(23 * 60, 24 * 60), rng.randrange(30)]
        )
        started = dt.datetime.combine(
            day, dt.time(minute // 60, minute % 60, rng.randrange(60)), STOCKHOLM_WINTER
        )
        if rng.random() < 0.1:  # a call straight after the caller's previous one, often its retry
            started = started.replace(second=0)
        caller = rng.choice(["", "anonymous"]) if rng.random() < 0.125 else rng.choice(callers)
        outcome = rng.choices(["answered", "abandoned", "transferred"], weights=[6, 3, 1])[0]
        lines.append(line(f"{prefix}{n}", started, outcome, rng.choice(NUMBERS), caller))
        if caller and rng.random() < 0.05:  # a second call at the same second: call_id decides the order
            twin = rng.choice([f"{prefix}0{n}", f"{prefix}{n}z"])
            twin_outcome = rng.choice(["answered", "abandoned"])
            lines.append(line(twin, started, twin_outcome, rng.choice(NUMBERS), caller))
    return "\n".join(lines)


def facts_equal_to_reference(
    build: Callable[..., Path], tmp_path: Path, with_reference_sql: Callable[[], None]
) -> dict[str, list[tuple[Any, ...]]]:
    """The published facts of `build` with the current SQL, held equal to the same build (same key)
    with the reference SQL."""
    db = build(tmp_path / "current")
    current = published_facts(db)
    with_reference_sql()
    assert published_facts(build(tmp_path / "reference", key_from=db.parent / "private" / "key")) == current
    return current


def ingest_in_two_files(folder: Path, key_from: Path | None = None) -> Path:
    """Five winter weeks, then a second file on the last two of them and the week after."""
    folder.mkdir()
    settings = settings_for(folder)
    if key_from is not None:
        settings.key_file.parent.mkdir(mode=0o700, parents=True)
        shutil.copy2(key_from, settings.key_file)
    first = folder / "first.csv"
    first.write_text(HEADER + "\n" + generated_calls(1, dt.date(2016, 12, 5), 35, 1500, "a") + "\n")
    second = folder / "second.csv"
    second.write_text(HEADER + "\n" + generated_calls(2, dt.date(2016, 12, 26), 21, 700, "b") + "\n")
    ingest([first], settings)
    ingest([second], settings)
    return settings.db


@pytest.fixture
def with_reference_sql(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    def use_reference() -> None:
        original = store.sql_text

        def sql_text(relative: str) -> str:
            if relative == CALLER_FACTS_SQL:
                return REFERENCE_SQL.read_text(encoding="utf-8")
            return original(relative)

        monkeypatch.setattr(store, "sql_text", sql_text)

    return use_reference


def test_the_sample_gets_the_same_caller_facts_as_from_the_reference(sample_db: Path) -> None:
    loaded = published_facts(sample_db)
    assert len(loaded["caller_day_facts"]) > 1000 and len(loaded["caller_period_facts"]) > 100
    reference = recounted_whole(sample_db, REFERENCE_SQL.read_text(encoding="utf-8"))
    assert loaded == reference
    # loaded month by month (one file each) or recounted at once: the same
    assert recounted_whole(sample_db, store.sql_text(CALLER_FACTS_SQL)) == reference


def test_repeat_callers_across_files_get_the_same_caller_facts_as_from_the_reference(
    tmp_path: Path, with_reference_sql: Callable[[], None]
) -> None:
    current = facts_equal_to_reference(ingest_in_two_files, tmp_path, with_reference_sql)
    days = {row[1]: row for row in current["caller_day_facts"]}
    assert set(days) == {"(alla)", "Herrljunga", "Vårgårda"}
    # the data set reaches every measure, so that a wrong one cannot hide behind zeros
    day_sums = [sum(row[i] for row in current["caller_day_facts"]) for i in range(4, 15)]
    assert all(total > 0 for total in day_sums), day_sums
    period_sums = [sum(row[i] for row in current["caller_period_facts"]) for i in range(4, 8)]
    assert all(total > 0 for total in period_sums), period_sums
    # one person calling both organisations is one caller of the switchboard
    alla, orgs = [
        sum(row[4] for row in current["caller_day_facts"] if (row[1] == "(alla)") == whole)
        for whole in (True, False)
    ]
    assert alla < orgs


# (day, time, organisation's switchboard, outcome, caller) in the winter of 2017: Monday 23 January to
# Monday 6 February, across a month's end inside an ISO week.
HERRLJUNGA, VARGARDA = NUMBERS
MOVING_CALLS = [
    # one organisation only: the follow-ups stay inside it
    ("2017-01-23", "10:00", HERRLJUNGA, "abandoned", "0701000001"),
    ("2017-01-23", "10:20", HERRLJUNGA, "answered", "0701000001"),
    ("2017-01-24", "09:00", HERRLJUNGA, "answered", "0701000001"),
    ("2017-01-31", "15:00", HERRLJUNGA, "abandoned", "0701000001"),
    ("2017-02-01", "08:10", HERRLJUNGA, "answered", "0701000001"),
    ("2017-01-25", "11:00", VARGARDA, "abandoned", "0701000002"),
    ("2017-01-25", "11:05", VARGARDA, "answered", "0701000002"),
    ("2017-01-25", "13:00", VARGARDA, "answered", "0701000002"),
    ("2017-02-03", "09:00", VARGARDA, "answered", "0701000002"),
    # both organisations on the same day: gave up at one, got through at the other
    ("2017-01-24", "09:00", HERRLJUNGA, "abandoned", "0701000003"),
    ("2017-01-24", "09:30", VARGARDA, "answered", "0701000003"),
    ("2017-01-24", "10:00", HERRLJUNGA, "answered", "0701000003"),
    # answered both before and after the abandoned call, but only counting both organisations
    ("2017-01-26", "09:00", VARGARDA, "answered", "0701000003"),
    ("2017-01-26", "09:10", HERRLJUNGA, "abandoned", "0701000003"),
    ("2017-01-26", "09:40", VARGARDA, "answered", "0701000003"),
    # moves from Herrljunga to Vårgårda from one day to the next and stays there the next week
    ("2017-01-26", "14:00", HERRLJUNGA, "abandoned", "0701000004"),
    ("2017-01-27", "08:30", VARGARDA, "answered", "0701000004"),
    ("2017-01-30", "10:00", VARGARDA, "abandoned", "0701000004"),
    ("2017-01-31", "10:00", VARGARDA, "answered", "0701000004"),
    ("2017-02-06", "10:00", VARGARDA, "answered", "0701000004"),
    # moves at the month's end inside one week: a repeat caller of the week only for both together
    ("2017-01-30", "12:00", HERRLJUNGA, "answered", "0701000005"),
    ("2017-01-31", "12:00", HERRLJUNGA, "abandoned", "0701000005"),
    ("2017-02-01", "12:00", VARGARDA, "answered", "0701000005"),
    ("2017-02-02", "12:00", VARGARDA, "answered", "0701000005"),
    # withheld numbers at both
    ("2017-01-24", "11:00", HERRLJUNGA, "answered", ""),
    ("2017-01-24", "11:00", VARGARDA, "abandoned", ""),
    ("2017-02-02", "14:00", VARGARDA, "answered", "anonymous"),
]


def ingest_moving_callers(folder: Path, key_from: Path | None = None) -> Path:
    folder.mkdir()
    settings = settings_for(folder)
    if key_from is not None:
        settings.key_file.parent.mkdir(mode=0o700, parents=True)
        shutil.copy2(key_from, settings.key_file)
    lines = [
        line(f"m{n}", dt.datetime.fromisoformat(f"{day}T{time}:00+01:00"), outcome, number, caller)
        for n, (day, time, number, outcome, caller) in enumerate(MOVING_CALLS)
    ]
    path = folder / "calls.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    ingest([path], settings)
    return settings.db


def test_callers_of_one_both_and_moving_organisations_get_the_reference_caller_facts(
    tmp_path: Path, with_reference_sql: Callable[[], None]
) -> None:
    current = facts_equal_to_reference(ingest_moving_callers, tmp_path, with_reference_sql)

    def day(date: str, scope: str) -> tuple[Any, ...]:
        return next(r for r in current["caller_day_facts"] if str(r[0]) == date and r[1] == scope)

    def week(start: str, scope: str) -> tuple[Any, ...]:
        return next(
            r
            for r in current["caller_period_facts"]
            if r[0] == "week" and str(r[1]) == start and r[3] == scope
        )

    # (alla) is not the organisations added up wherever a caller crosses between them
    both, herrljunga, vargarda = (day("2017-01-24", s) for s in ("(alla)", "Herrljunga", "Vårgårda"))
    assert both[4] == 2 and herrljunga[4] + vargarda[4] == 3  # callers: 0701000003 once
    assert both[11] == 2 == herrljunga[11] + vargarda[11]  # withheld numbers add up
    both, herrljunga, vargarda = (day("2017-01-26", s) for s in ("(alla)", "Herrljunga", "Vårgårda"))
    # gave up: 0701000003 got through within the hour, 0701000004 the next working day
    assert (both[7], both[8], both[9]) == (2, 1, 1)
    assert both[10] == 2 and herrljunga[10] + vargarda[10] == 0  # through by the next working day
    both, herrljunga, vargarda = (week("2017-01-30", s) for s in ("(alla)", "Herrljunga", "Vårgårda"))
    assert both[5] == 1 and herrljunga[5] + vargarda[5] == 0  # 0701000005: four calls, two at each
    # a caller of one organisation counts the same in (alla)
    assert day("2017-01-25", "(alla)")[4:] == day("2017-01-25", "Vårgårda")[4:]
