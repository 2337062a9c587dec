"""The reader's fast paths read exactly what the csv module and the per-cell loop read.

Lines without quotes are split with str.split instead of the csv module, and cells are stripped by
polars a chunk at a time instead of by str.strip one at a time: both must be invisible.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipeline.formats import textio
from pipeline.formats.reader import Record, _plain_split, iter_records

# Characters the csv module treats specially or that real exports contain around fields.
ALPHABET = [",", ";", "|", '"', " ", " ", "\t", "\r", "a", "b", "7", "é", "\xa0", "\u3000", "\x1c", "'"]

DIALECTS = [
    (",", '"', False),
    (",", '"', True),
    (";", '"', False),
    ("\t", '"', False),
    ("|", None, False),
    (",", None, True),
]


def _csv_fields(line: str, delimiter: str, quotechar: str | None, skipinitialspace: bool) -> list[str]:
    if quotechar is None:
        dialect: dict[str, Any] = {"delimiter": delimiter, "quoting": csv.QUOTE_NONE}
    else:
        dialect = {"delimiter": delimiter, "quotechar": quotechar, "skipinitialspace": skipinitialspace}
    return next(csv.reader([line + "\n"], **dialect))


@pytest.mark.parametrize(("delimiter", "quotechar", "skipinitialspace"), DIALECTS)
def test_plain_split_agrees_with_the_csv_module(
    delimiter: str, quotechar: str | None, skipinitialspace: bool
) -> None:
    rng = random.Random(14)
    split = _plain_split(delimiter, quotechar, skipinitialspace)
    assert split is not None
    taken = 0
    for _ in range(20_000):
        line = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14)))
        fields = split(line)
        if fields is None:
            continue
        taken += 1
        assert fields == _csv_fields(line, delimiter, quotechar, skipinitialspace), repr(line)
    assert taken > 2_000  # the fast path was really exercised


def test_plain_split_leaves_quotes_and_carriage_returns_to_the_csv_module() -> None:
    split = _plain_split(",", '"', False)
    assert split is not None
    assert _plain_split(" ", '"', True) is None
    assert split('a,"b,c",d') is None
    assert split("a,b\rc") is None
    assert split("a,b" + "x" * csv.field_size_limit()) is None
    assert split("a, b ,c") == ["a", " b ", "c"]
    no_quoting = _plain_split("|", None, True)
    assert no_quoting is not None
    assert no_quoting('a| "b|c') == ["a", ' "b', "c"]


def test_quoted_and_unquoted_lines_give_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(
        b'2024-01-02 08:00:00,46701,"Kundtj\xc3\xa4nst",answered\n'
        b"2024-01-02 08:00:00,46701,Kundtj\xc3\xa4nst,answered\n"
        b'"2024-01-02 08:00:00","46701","Kundtj\xc3\xa4nst","answered"\r\n'
        b"\n"
        b",,,\n"
        b'"",,"",\n'
        b"2024-01-02 08:00:00,46701,Kundtj\xe4nst,answered"
    )
    records = list(iter_records(path))
    assert [r.line_no for r in records] == [1, 2, 3, 7]
    assert {tuple(r.fields) for r in records} == {("2024-01-02 08:00:00", "46701", "Kundtjänst", "answered")}
    assert records[1].raw == "2024-01-02 08:00:00,46701,Kundtjänst,answered"
    assert all(r.issue is None for r in records)


def test_a_field_over_the_limit_is_rejected_on_the_fast_path_too(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    long = "x" * 9_000
    path.write_text(f'a,{long},c\na,"{long}",c\na,b,c\n', encoding="utf-8")
    records = list(iter_records(path))
    assert [r.issue for r in records[:2]] == [
        "field 2 has 9 000 characters, more than the limit of 8 192",
    ] * 2
    assert records[2] == Record(3, "a,b,c", ["a", "b", "c"])


def _reference_table(records: list[Record], columns: list[str], allow_fewer: int = 0) -> pl.DataFrame:
    """The per-cell loop records_to_table used to be: str.strip, empty as null."""
    width = len(columns)
    rows = []
    for rec in records:
        n = len(rec.fields)
        if rec.issue is None and (n == width or width - allow_fewer <= n < width):
            cells = [(rec.fields[i].strip() if i < n else "") or None for i in range(width)]
            rows.append({**dict(zip(columns, cells, strict=True)), "line_no": rec.line_no, "raw": rec.raw})
    schema = {**{c: pl.String for c in columns}, "line_no": pl.Int64, "raw": pl.String}
    return pl.DataFrame(rows, schema=schema)


def test_records_to_table_strips_cells_as_python_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "CHUNK_ROWS", 7)  # several chunks
    rng = random.Random(2)
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    assert "".join(spaces) == textio.PY_WHITESPACE
    values = ["", "a", "a b", "Kundtjänst", "0", *spaces, " x ", "\u200b"]  # \u200b is not a space
    records = []
    for line_no in range(1, 60):
        n = rng.choice([3, 4, 4, 4, 5])
        fields = ["".join(rng.choice(values) for _ in range(3)) for _ in range(n)]
        records.append(Record(line_no, ",".join(fields), fields))
    records.append(Record(60, "<12 NUL bytes>", [], "crash debris"))
    columns = ["start", "src", "dst", "outcome"]
    table = textio.records_to_table(records, columns, allow_fewer=1)
    assert table.frame.equals(_reference_table(records, columns, allow_fewer=1))
    assert table.records == 60
    assert sorted(i.reason for i in table.rejected)[0] == "crash debris"
    assert {i.reason for i in table.rejected} - {"crash debris"} == {"expected 3 to 4 fields, found 5"}


def test_records_to_table_keeps_only_the_columns_asked_for() -> None:
    records = [Record(1, "1, a ,b,", ["1", " a ", "b", ""]), Record(2, "2,c", ["2", "c"])]
    table = textio.records_to_table(records, ["id", "_1", "name", "_3"], only=["name", "id"])
    assert table.frame.columns == ["id", "name", "line_no", "raw"]
    assert table.frame.rows() == [("1", "b", 1, "1, a ,b,")]
    assert [i.reason for i in table.rejected] == ["expected 4 fields, found 2"]
    one = textio.records_to_table(records[:1], ["id", "_1", "name", "_3"], only=["_1"])
    assert one.frame.rows() == [("a", 1, "1, a ,b,")]
    none = textio.records_to_table(records[:1], ["id", "_1", "name", "_3"], only=[])
    assert none.frame.rows() == [(1, "1, a ,b,")]
