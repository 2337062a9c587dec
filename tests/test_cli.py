"""The command line as a user runs it: exit codes, one-line errors, and the board's figures in reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import EXAMPLES, main
from pipeline.views import analyst_views

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_report_monthly_2016_csv_prints_the_board_figures(sample_db: Path) -> None:
    result = run_cli("report", "monthly", "--year", "2016", "--format", "csv", "--db", str(sample_db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("januari 2016,18.5,6331,")
    assert lines[2].startswith("februari 2016,21.0,6670,")
    assert lines[12].startswith("december 2016,20.0,6247,")
    assert lines[0] == (
        "Period,Arbetsdagar,Samtal,Per arbetsdag,Svarsfrekvens (%),Föregående år,Förändring (%),"
        "Förändring per arbetsdag (%),Baslinje"
    )
    # The Summa row complete: last year, change and answer rate (2015 is in the data).
    assert lines[13] == "Summa 2016,249.5,93600,375.2,88.2,90985,2.9,1.6,93600.0"


def test_report_weekly_month_csv_adds_up_to_the_month(sample_db: Path) -> None:
    result = run_cli("report", "weekly", "--month", "2016-12", "--format", "csv", "--db", str(sample_db))
    assert result.returncode == 0, result.stderr
    body = result.stdout.splitlines()[1:]
    assert body == [
        '"v. 48 (1–4 dec, 2 dagar)",2.0,771,385.5,90.0',
        "v. 49,5.0,1884,376.8,88.9",
        "v. 50,5.0,1664,332.8,88.8",
        '"v. 51 (4,5 dagar)",4.5,1236,274.7,89.5',
        '"v. 52 (26–31 dec, 3,5 dagar)",3.5,692,197.7,89.2',
        "Summa december 2016,20.0,6247,312.4,89.1",
    ]


def test_report_monthly_2017_marks_february_incomplete(sample_db: Path) -> None:
    result = run_cli("report", "monthly", "--year", "2017", "--db", str(sample_db))
    assert result.returncode == 0, result.stderr
    february = next(line for line in result.stdout.splitlines() if line.startswith("februari"))
    assert "t.o.m. 21 feb" in february
    assert "4\u00a0270" in february  # Swedish thousands separator


def test_report_english_json(sample_db: Path) -> None:
    result = run_cli(
        "report", "monthly", "--year", "2016", "--format", "json", "--lang", "en", "--db", str(sample_db)
    )
    data = json.loads(result.stdout)
    assert data["rows"][11]["period"] == "December 2016"
    assert data["rows"][11]["calls"] == 6247
    assert (data["rows"][11]["year"], data["rows"][11]["month"], data["rows"][11]["is_complete"]) == (
        2016,
        12,
        True,
    )
    assert len(data["rows"]) == 12  # the Summa row apart
    assert data["total"]["period"] == "Total 2016"
    assert (data["total"]["calls_prev_year"], data["total"]["calls_yoy_pct"]) == (90985, 2.9)
    assert data["columns"]["answer_rate"]["unit"] == "share 0–1"
    assert data["columns"]["calls_yoy_pct"]["unit"] == "percent"
    assert data["year_summary"]["average_per_month"] == 7800.0


def test_report_xlsx(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.xlsx"
    result = run_cli(
        "report",
        "weekly",
        "--month",
        "2016-12",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--db",
        str(sample_db),
    )
    assert result.returncode == 0, result.stderr
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[-1][0] == "Summa december 2016" and values[-1][2] == 6247
    # Prints as the board's pack does: title and date above, landscape, one page wide, header repeated.
    assert values[0][0] == "Växel – samtal per vecka, december 2016"
    assert values[2][0] == "data t.o.m. 21 februari 2017"
    assert (sheet.page_setup.orientation, sheet.print_title_rows, sheet.freeze_panes) == (
        "landscape",
        "$1:$5",
        "B6",
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_query_shows_week_51(sample_db: Path) -> None:
    result = run_cli(
        "query", "--db", str(sample_db), "select * from calls_by_week where iso_year = 2016 and iso_week = 51"
    )
    assert result.returncode == 0, result.stderr
    assert "1236" in result.stdout and "4.5" in result.stdout
    as_json = run_cli(
        "query",
        "--db",
        str(sample_db),
        "--format",
        "json",
        "select calls, workdays from calls_by_week where iso_year = 2016 and iso_week = 51",
    )
    assert json.loads(as_json.stdout) == [{"calls": 1236, "workdays": 4.5}]


@pytest.mark.parametrize(
    "statement",
    [
        "drop view calls_by_week",
        "delete from calls",
        "insert into settings values ('a', 'b')",
        "copy calls to '/tmp/leak.csv'",
        "attach '/tmp/other.duckdb'",
        "install httpfs",
        "load httpfs",
        "set threads = 1",
        "select * from read_csv('/etc/passwd')",
    ],
)
def test_query_refuses_changes_and_file_access(sample_db: Path, statement: str) -> None:
    result = run_cli("query", "--db", str(sample_db), statement)
    assert result.returncode == 2
    assert result.stderr.startswith("callstats: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_query_stops_a_runaway_query(sample_db: Path) -> None:
    result = run_cli(
        "query",
        "--db",
        str(sample_db),
        "--timeout",
        "1",
        "select count(*) from range(100000000000) a, range(1000) b",
    )
    assert result.returncode == 2
    assert "stopped after 1 s" in result.stderr


def test_query_caps_rows(sample_db: Path) -> None:
    result = run_cli(
        "query", "--db", str(sample_db), "--max-rows", "5", "--format", "csv", "select * from calls"
    )
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 6
    assert "first 5 rows" in result.stderr


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    missing = run_cli("report", "monthly", "--db", str(tmp_path / "none.duckdb"))
    assert (
        missing.returncode == 2 and missing.stderr.count("\n") == 1 and "callstats ingest" in missing.stderr
    )
    bad_month = run_cli("report", "weekly", "--month", "dec", "--db", str(tmp_path / "none.duckdb"))
    assert bad_month.returncode == 2 and "Traceback" not in bad_month.stderr
    bad_zone = run_cli(
        "ingest", str(tmp_path), "--source-tz", "Mars/Olympus", "--db", str(tmp_path / "x.duckdb")
    )
    assert bad_zone.returncode == 2 and "unknown time zone" in bad_zone.stderr


def test_ingest_summary_and_a_failed_file(tmp_path: Path) -> None:
    good = tmp_path / "calls.csv"
    good.write_text(
        "call_id,started_at,outcome,dialled_number\n1,2016-03-01T10:00:00+01:00,answered,051317000\n"
        "2,2016-03-01T10:00:00+01:00,maybe,051317000\n",
        encoding="utf-8",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = run_cli("ingest", str(tmp_path), "--db", str(tmp_path / "db.duckdb"), env=env)
    assert result.returncode == 1
    assert "empty file" in result.stdout
    assert "calls.csv" in result.stdout
    again = run_cli("ingest", str(good), "--db", str(tmp_path / "db.duckdb"), env=env)
    assert again.returncode == 0 and "already loaded" in again.stdout


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command, example in EXAMPLES.items():
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert example in capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in EXAMPLES:
        assert f"callstats {command}" in readme, f"README does not document `callstats {command}`"


def test_duckdb_cli_reads_the_published_file(sample_db: Path) -> None:
    """Analysts' tools lag the Python package: the 1.5 CLI must open the file and query every view."""
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")
    assert cli is not None, "duckdb-cli is a dev dependency"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.")
    views = analyst_views()
    assert len(views) >= 9
    for view in views:
        result = subprocess.run(
            [cli, "-readonly", "-csv", str(sample_db), "-c", f"select count(*) from {view}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{view}: {result.stderr}"
        assert int(result.stdout.splitlines()[1]) > 0
    week = subprocess.run(
        [
            cli,
            "-readonly",
            "-csv",
            str(sample_db),
            "-c",
            "select calls, workdays from calls_by_week where iso_year = 2016 and iso_week = 51",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert week.stdout.splitlines()[1] == "1236,4.5"
    # The descriptions travel too: the 1.5 CLI reads the view and column comments and the macros.
    described = subprocess.run(
        [
            cli,
            "-readonly",
            "-csv",
            "-noheader",
            str(sample_db),
            "-c",
            "select count(*) filter (where coalesce(comment, '') = ''),"
            " count(*) filter (where column_name = 'calls_yoy_pct' and comment like 'change in per cent%')"
            " from duckdb_columns() where table_name = 'calls_by_month'",
            "-c",
            "select yoy_pct(110, 100), share_of(1, 4)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert described.stdout.splitlines() == ["0,1", "10.0,0.25"], described.stderr
