"""The board's files are safe to open: text a spreadsheet would run as a formula is shown as text,
an organisation's name makes a valid sheet name, and --out never writes through a symbolic link."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from pipeline import board_files
from pipeline.board import MONTH_COLUMNS, BoardTable, Row
from pipeline.cli import main

HOSTILE_ORG = 'IT: [Växel]/*?\\ "=HYPERLINK(""http://x"")"'


def _table(label: str, org: str | None) -> BoardTable:
    values = {c: None for c in MONTH_COLUMNS} | {"calls": 6247, "workdays": 20.0, "answer_rate": 0.891}
    total = Row("Summa 2016", dict(values))
    return BoardTable("year_months", f"2016 – {org}", "sv", org, MONTH_COLUMNS, (Row(label, values),), total)


@pytest.mark.parametrize("text", ["=1+1", "+46 513", "-2", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_formula_like_text_is_neutralised_in_csv_and_xlsx(text: str) -> None:
    table = _table(text, text)
    rows = list(csv.reader(io.StringIO(board_files.render_csv(table).lstrip("\ufeff"))))
    assert rows[1][0] == "'" + text
    book = openpyxl.load_workbook(
        io.BytesIO(board_files.tables_xlsx_bytes({text: table}, dt.date(2017, 2, 21), None))
    )
    sheet = book.worksheets[0]
    assert sheet["A6"].value == "'" + text and sheet["A6"].data_type == "s"
    assert sheet["A2"].value == "Organisation: '" + text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_plain_labels_are_left_as_they_are() -> None:
    assert board_files.neutralise("v. 48 (1–4 dec, 2 dagar)") == "v. 48 (1–4 dec, 2 dagar)"
    assert board_files.neutralise("−9,2 %") == "−9,2 %"  # the minus sign is not a hyphen


def test_an_organisation_name_with_forbidden_characters_makes_a_valid_sheet_name() -> None:
    table = _table("januari 2016", HOSTILE_ORG)
    data = board_files.tables_xlsx_bytes(
        {table.title: table, table.title + " ": table}, dt.date(2017, 2, 21), 7800
    )
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(n.lower() for n in names)) == 2
    for name in names:
        assert len(name) <= 31 and not set(name) & set("/\\?*:[]")


def test_csv_file_has_a_bom_and_says_percent(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert (
        main(
            [
                "report",
                "monthly",
                "--year",
                "2016",
                "--format",
                "csv",
                "--out",
                str(out),
                "--db",
                str(sample_db),
            ]
        )
        == 0
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert "Svarsfrekvens (%)" in header and "Förändring (%)" in header


def test_out_through_a_symbolic_link_is_refused_in_one_line(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "report.xlsx"
    link.symlink_to(victim)
    for fmt in ("xlsx", "csv"):
        code = main(
            [
                "report",
                "monthly",
                "--year",
                "2016",
                "--format",
                fmt,
                "--out",
                str(link),
                "--db",
                str(sample_db),
            ]
        )
        assert code == 2
        error = capsys.readouterr().err.strip()
        assert "symbolic link" in error and "\n" not in error
    assert victim.read_text(encoding="utf-8") == "keep me"
    folder_link = tmp_path / "pack"
    folder_link.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert (
        main(["report", "board", "--month", "2016-12", "--out", str(folder_link), "--db", str(sample_db)])
        == 2
    )
    assert "symbolic link" in capsys.readouterr().err


def test_month_previous_and_current_resolve_against_the_data(sample_db: Path, tmp_path: Path) -> None:
    assert (
        main(["report", "board", "--month", "previous", "--out", str(tmp_path), "--db", str(sample_db)]) == 0
    )
    assert (
        main(["report", "board", "--month", "current", "--out", str(tmp_path), "--db", str(sample_db)]) == 0
    )
    stems = sorted({p.stem for p in tmp_path.iterdir()})
    assert stems == ["vaxel-statistik-2017-01-hela-vaxeln", "vaxel-statistik-2017-02-hela-vaxeln"]


def test_the_sql_pages_csv_neutralises_formula_like_text() -> None:
    import polars as pl

    from dashboard import tables

    frame = pl.DataFrame({"organisation": ["=cmd|' /C calc'!A0", "Vårgårda"], "calls": [-5, 6247]})
    lines = tables.csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert lines[1] == "'=cmd|' /C calc'!A0,-5"  # text neutralised, numbers untouched
    assert lines[2] == "Vårgårda,6247"
