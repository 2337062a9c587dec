"""Data health: holes and mistakes in the stored data are named at ingest (table data_health), so a
missing export is not read as a quiet Tuesday. Twelve weeks of made-up nightly exports, each fault
put in on purpose; a clean twelve weeks (and the sample, see test_the_sample_is_healthy) has none."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.ingest import ingest
from tests.conftest import settings_for
from tests.nightly_helpers import HEADER, day_lines, working_days, write_day

FIRST, LAST = dt.date(2016, 2, 1), dt.date(2016, 4, 29)
MISSING = dt.date(2016, 3, 8)  # a Tuesday whose export never came
LOW = dt.date(2016, 3, 15)  # an export cut off: 60 of about 200 calls
NO_TEN = dt.date(2016, 3, 22)  # 10:00-11:00 lost
SHIFTED = dt.date(2016, 4, 5)  # written an hour late (a DST mistake after the change on 27 March)
WIDER = dt.date(2016, 4, 12)  # from here on the PBX writes a fifth column
OVERLAP = dt.date(2016, 4, 19)  # the same day also sent by a second system

MAPPING = """\
[source]
delimiter = ","
time_zone = "Europe/Stockholm"
source_system = "telia"

[columns]
call_id = "call_id"
started_at = "started_at"
dialled_number = "dialled_number"
outcome = "outcome"
"""


def findings(db: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select kind, severity, first_date, last_date, source_system, detail from data_health order by first_date, kind"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("health")
    exports = root / "exports"
    for day, day_type in working_days(FIRST, LAST):
        if day == MISSING:
            continue
        kwargs: dict[str, Any] = {}
        if day == LOW:
            kwargs["calls"] = 60
        if day == NO_TEN:
            kwargs["skip_hours"] = (10,)
        if day == SHIFTED:
            kwargs["shift_hours"] = 1
        path = write_day(exports, day, day_type, **kwargs)
        if day >= WIDER:
            lines = path.read_text(encoding="utf-8").splitlines()
            path.write_text(
                "\n".join([HEADER + ",queue", *(line + ",vaxel" for line in lines[1:])]) + "\n",
                encoding="utf-8",
            )
    settings = settings_for(root)
    assert ingest([exports], settings).failed == []
    second = root / "telia"
    second.mkdir()
    (second / "telia.toml").write_text(MAPPING, encoding="utf-8")
    other = second / "telia-export.csv"
    other.write_text(
        HEADER
        + "\n"
        + "\n".join(line.replace(f"{OVERLAP:%Y%m%d}-", "t-") for line in day_lines(OVERLAP, "full"))
        + "\n",
        encoding="utf-8",
    )
    last = ingest([other], settings, mapping=second / "telia.toml")
    assert last.failed == []
    assert last.health == {"serious": 3, "warning": 3}  # the ingest summary's "data health" line
    return settings.db


def test_each_fault_is_found_once_and_nothing_else(faulty: Path) -> None:
    found = {
        (kind, first): (severity, last, source, detail)
        for kind, severity, first, last, source, detail in findings(faulty)
    }
    assert set(found) == {
        ("missing_day", MISSING),
        ("low_day", LOW),
        ("missing_hours", NO_TEN),
        ("shifted_hour", SHIFTED),
        ("format_changed", WIDER),
        ("overlapping_sources", OVERLAP),
    }, found
    assert found[("missing_day", MISSING)][:2] == ("serious", MISSING)
    assert found[("missing_day", MISSING)][3] == "no calls on working day Tue 2016-03-08"
    assert found[("low_day", LOW)][0] == "warning" and "usually about" in found[("low_day", LOW)][3]
    assert "10:00" in found[("missing_hours", NO_TEN)][3]
    assert (
        found[("shifted_hour", SHIFTED)][0] == "serious"
        and "one hour later" in found[("shifted_hour", SHIFTED)][3]
    )
    assert (
        "5 columns" in found[("format_changed", WIDER)][3]
        and "4 columns" in found[("format_changed", WIDER)][3]
    )
    assert found[("overlapping_sources", OVERLAP)][2] == "callstats and telia"


def test_clean_exports_have_no_findings(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    for day, day_type in working_days(FIRST, LAST):
        write_day(exports, day, day_type)
    settings = settings_for(tmp_path)
    assert ingest([exports], settings).health == {}
    assert findings(settings.db) == []


def test_the_sample_is_healthy(sample_db: Path) -> None:
    assert findings(sample_db) == []


def cli(db: Path, *args: str, today: str = "2016-04-30") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env={**os.environ, "CALLSTATS_TODAY": today},
        timeout=300,
    )


def test_status_lists_the_findings_and_fails_on_recent_serious_ones(faulty: Path) -> None:
    result = cli(faulty, "status")
    assert result.returncode == 1
    assert "data through   2016-04-29 (Fri), 1 working day(s) old" in result.stdout
    assert "data health    6 finding(s)" in result.stdout
    assert "sources        callstats: 2016-02-01 to 2016-04-29" in result.stdout
    problems = result.stdout.splitlines()[-1]
    # Serious and within the last 31 days of data: the shifted day and the doubled day fail the
    # check; the missing 8 March (older) is listed above but no longer fails it.
    assert "shifted_hour" in problems and "overlapping_sources" in problems and "missing_day" not in problems
    as_json = json.loads(cli(faulty, "status", "--format", "json").stdout)
    assert as_json["ok"] is False and len(as_json["findings"]) == 6


def test_a_report_names_the_findings_of_its_period(faulty: Path) -> None:
    march = cli(faulty, "report", "weekly", "--month", "2016-03")
    assert march.returncode == 0, march.stderr
    note = march.stdout.strip().splitlines()[-1]
    assert note.startswith(
        "Obs – datakvalitet: arbetsdag utan samtal 8 mar; dag långt under det vanliga 15 mar"
    )
    february = cli(faulty, "report", "weekly", "--month", "2016-02", "--lang", "en")
    # February's data is clean: the report ends with its data-through line and no health note.
    assert february.stdout.strip().splitlines()[-1].endswith("data through 29 April 2016")
    assert "data health" not in february.stdout
    as_json = json.loads(cli(faulty, "report", "monthly", "--year", "2016", "--format", "json").stdout)
    assert {f["kind"] for f in as_json["data_health"]} == {
        "missing_day",
        "low_day",
        "missing_hours",
        "shifted_hour",
        "format_changed",
        "overlapping_sources",
    }
