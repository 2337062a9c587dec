"""A month of nightly runs as cron would make them: `callstats ingest EXPORTS` then
`callstats status --max-age 2d`, every night of March 2016, with what real export folders do —
a day missing (sent late), a file sent twice, a broken file (re-sent later), a stray README and a
Ctrl-C. Each night's exit codes and status are checked."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.nightly_helpers import working_days, write_day

MISSING = dt.date(2016, 3, 8)  # its export comes a week late, with the night of 15 March
LATE_NIGHT = dt.date(2016, 3, 15)
REPEATED = dt.date(2016, 3, 16)  # sent twice, the second time under another name
BROKEN = dt.date(2016, 3, 21)  # garbage the first time, re-exported properly two nights later
README_NIGHT = dt.date(2016, 3, 3)
CTRL_C_NIGHT = dt.date(2016, 3, 31)

# night → (ingest exit code, status exit code, a phrase the status must show); nights not listed
# expect (0, 0, "status         OK").
EXPECTED: dict[dt.date, tuple[int, int, str]] = {
    README_NIGHT: (1, 1, "the last ingest had 1 file(s) that failed"),
    dt.date(2016, 3, 4): (0, 0, "still failing  "),  # reported, no longer failing the night
    dt.date(2016, 3, 9): (0, 0, "2 working day(s) old"),  # 8 March is not here yet, and not yet late
    **{
        dt.date(2016, 3, d): (0, 1, "missing_day: no calls on working day Tue 2016-03-08")
        for d in range(10, 15)
    },
    dt.date(2016, 3, 17): (0, 0, "status         OK"),
    dt.date(2016, 3, 22): (1, 1, "the last ingest had 1 file(s) that failed"),
    dt.date(2016, 3, 23): (0, 1, "missing_day: no calls on working day Mon 2016-03-21"),
    CTRL_C_NIGHT: (3, 0, "data through   2016-03-29"),
    dt.date(2016, 4, 1): (0, 0, "data through   2016-03-31"),
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLSTATS_DB", str(tmp_path / "callstats.duckdb"))
    monkeypatch.setenv("CALLSTATS_KEY_FILE", str(tmp_path / "key"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_month_of_nights(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = site / "exports"
    days = dict(working_days(dt.date(2016, 2, 1), dt.date(2016, 3, 31)))
    for day, day_type in days.items():
        if day.month == 2:
            write_day(exports, day, day_type)
    assert run(capsys, "ingest", "exports", "--quiet")[0] == 0  # February, loaded when callstats came

    night = dt.date(2016, 3, 2)
    seen: dict[dt.date, tuple[int, int]] = {}
    while night <= dt.date(2016, 4, 1):
        day = night - dt.timedelta(days=1)
        # What the PBX drops into the export folder during the night.
        if day in days and day != MISSING:
            path = write_day(exports, day, days[day])
            if day == BROKEN:
                path.write_bytes(b"\x00\x17\x9f PK garbage, the export crashed \xff\xfe\n")
        if night == LATE_NIGHT:
            write_day(exports, MISSING, days[MISSING])
        if night == README_NIGHT:
            (exports / "README.txt").write_text("Nightly export of the switchboard.\n", encoding="utf-8")
        if day == REPEATED:
            shutil.copy(exports / f"calls-{day}.csv", exports / f"calls-{day}-resent.csv")
        if night == BROKEN + dt.timedelta(days=3):
            write_day(exports, BROKEN, days[BROKEN])  # the re-export, under the same name

        if night == CTRL_C_NIGHT:
            monkeypatch.setenv("CALLSTATS_FAULT", "sigint:after_stage")
        before = (site / "callstats.duckdb").read_bytes()
        ingest_code, out, err = run(capsys, "ingest", "exports", "--quiet")
        monkeypatch.delenv("CALLSTATS_FAULT", raising=False)
        assert "Traceback" not in err
        if ingest_code == 3:
            assert (
                err.strip()
                == "callstats: interrupted; nothing from this run was published (the database is as it was)"
            )
            assert (site / "callstats.duckdb").read_bytes() == before
        if day == REPEATED:
            assert "already loaded" in out

        monkeypatch.setenv("CALLSTATS_TODAY", night.isoformat())
        status_code, shown, _ = run(capsys, "status", "--max-age", "2d")
        monkeypatch.delenv("CALLSTATS_TODAY")
        expected_ingest, expected_status, phrase = EXPECTED.get(night, (0, 0, "status         OK"))
        assert (ingest_code, status_code) == (expected_ingest, expected_status), (night, err, shown)
        assert phrase in shown, (night, shown)
        seen[night] = (ingest_code, status_code)
        night += dt.timedelta(days=1)

    assert len(seen) == 31
    # After the month: everything arrived, nothing is wrong, and the JSON says so too.
    monkeypatch.setenv("CALLSTATS_TODAY", "2016-04-01")
    code, shown, _ = run(capsys, "status", "--format", "json")
    data = json.loads(shown)
    assert code == 0 and data["ok"] is True and data["data_through"] == "2016-03-31"
    assert [f["path"].rsplit("/", 1)[-1] for f in data["still_failing"]] == ["README.txt"]
    assert data["findings"] == []
    assert data["sources"][0]["first_date"] == "2016-02-01"
    # And if the nightly job stops: Monday still counts Friday's data as fresh, Wednesday does not.
    monkeypatch.setenv("CALLSTATS_TODAY", "2016-04-04")
    assert run(capsys, "status")[0] == 0
    monkeypatch.setenv("CALLSTATS_TODAY", "2016-04-06")
    code, shown, _ = run(capsys, "status")
    assert code == 1
    assert "stale: data through 2016-03-31, 4 working days old (--max-age 2d)" in shown
