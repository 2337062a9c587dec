"""One board table, four renderings: the terminal report, the CSV, the Excel workbook and the Månad
page show the same labels and the same figures for the same period."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from dashboard_helpers import NBSP, OpenPage

from pipeline.cli import main


def _number(text: str) -> float | None:
    """'6 247' → 6247, '4,5' → 4.5, '89,1 %' → 89.1, '−9,2 %' → -9.2, '–' → None."""
    cleaned = text.replace(NBSP, "").replace("%", "").replace("−", "-").replace(",", ".").strip()
    return None if cleaned in ("–", "") else float(cleaned)


def _cli_rows(capsys: pytest.CaptureFixture[str], *args: str) -> list[list[str]]:
    assert main(["report", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("---")]
    body = [line for line in lines[rules[0] + 1 :] if line and not line.startswith("---")]
    body = body[: next(i for i, line in enumerate(body) if line.startswith(("Summa", "Total"))) + 1]
    return [re.split(r"\s{2,}", line.strip()) for line in body]


@pytest.mark.parametrize(
    ("page_args", "cli_args", "frame_index"),
    [
        ({"month_chosen": "2016-12"}, ["weekly", "--month", "2016-12"], 1),
        ({"month_year": 2016}, ["monthly", "--year", "2016"], 0),
        ({"month_year": 2017}, ["monthly", "--year", "2017"], 0),
    ],
)
def test_cli_files_and_page_agree(
    open_page: OpenPage,
    dashboard_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    page_args: dict[str, object],
    cli_args: list[str],
    frame_index: int,
) -> None:
    at = open_page("manad")
    for key, value in page_args.items():
        at.selectbox(key=key).set_value(value).run()
    frame = at.dataframe[frame_index].value
    page = [list(map(str, row)) for row in frame.itertuples(index=False)]

    cli = _cli_rows(capsys, *cli_args, "--db", str(dashboard_db))
    assert cli == page  # same labels, same cells

    csv_path, xlsx_path = tmp_path / "t.csv", tmp_path / "t.xlsx"
    assert (
        main(["report", *cli_args, "--format", "csv", "--out", str(csv_path), "--db", str(dashboard_db)]) == 0
    )
    assert (
        main(["report", *cli_args, "--format", "xlsx", "--out", str(xlsx_path), "--db", str(dashboard_db)])
        == 0
    )
    csv_rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))[1:]
    sheet = openpyxl.load_workbook(xlsx_path).worksheets[0]
    xlsx_rows = [list(r) for r in sheet.iter_rows(min_row=6, max_row=5 + len(page), values_only=True)]

    for shown, from_csv, from_xlsx in zip(page, csv_rows, xlsx_rows, strict=True):
        assert shown[0] == from_csv[0] == from_xlsx[0]
        for col, cell in enumerate(shown[1:], start=1):
            expected = _number(cell)
            in_csv = float(from_csv[col]) if from_csv[col] else None
            in_xlsx = from_xlsx[col]
            if cell.endswith("%") and expected is not None:
                assert in_csv == pytest.approx(expected, abs=0.05)
                assert in_xlsx * 100 == pytest.approx(expected, abs=0.05)  # a share, shown as percent
            else:
                assert in_csv == pytest.approx(expected, abs=0.05) if expected is not None else in_csv is None
                assert (
                    in_xlsx == pytest.approx(expected, abs=0.05) if expected is not None else in_xlsx is None
                )
