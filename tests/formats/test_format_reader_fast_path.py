"""The reader's fast paths read exactly what the line-by-line reader and the per-cell loop read.

Clean runs of lines are decoded a block at a time, records are tokenised by one csv.reader per batch
of lines, and cells are stripped by polars a chunk at a time instead of by str.strip one at a time:
none of it may change a record, a line number, a raw text or a reason.
"""

from __future__ import annotations

import gc
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipeline.formats import reader, textio
from pipeline.formats.base import FormatError, ReadLimits
from pipeline.formats.reader import Record, iter_records

# Pieces of lines: delimiters, quotes (balanced or not), spaces, CR, NUL runs, legacy bytes, text.
PIECES = [
    b",",
    b";",
    b"|",
    b'"',
    b'""',
    b" ",
    b"\t",
    b"\r",
    b"\x00\x00",
    b"a",
    b"77",
    b"\xc3\xa9",
    b"\xe9",
    b"x" * 40,
]


def _damaged_file(rng: random.Random, lines: int, damage: float = 0.4) -> bytes:
    out = [b"\xef\xbb\xbf"] if rng.random() < 0.5 else []
    for _ in range(lines):
        kind = rng.random()
        if kind >= damage:  # a clean record, quoted or not
            cells = [rng.choice([b"a", b"77", b"Kundtj\xc3\xa4nst", b""]) for _ in range(4)]
            if rng.random() < 0.5:
                cells = [b'"' + c + b'"' for c in cells]
            out.append(b",".join(cells))
        elif kind < damage / 4:
            out.append(rng.choice([b"", b"\r", b" ", b",,,"]))
        else:
            out.append(b"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12))))
        out.append(rng.choice([b"\n", b"\n", b"\r\n"]))
    return b"".join(out)


def _read_both(
    path: Path, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> tuple[list[Record], list[Record]]:
    fast = list(iter_records(path, **options))
    with monkeypatch.context() as m:
        m.setattr(reader, "BATCH_LINES", 0)
        m.setattr(reader, "CLEAN_RUNS", False)
        one_by_one = list(iter_records(path, **options))
    return fast, one_by_one


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"multiline": True},
        {"skipinitialspace": True},
        {"delimiter": "|", "quotechar": None},
        {"delimiter": ";", "multiline": True},
        {"repair": lambda line: line.replace(";", ",")},
    ],
    ids=["csv", "multiline", "skipinitialspace", "no-quoting", "semicolon-multiline", "repair"],
)
def test_batches_and_clean_runs_read_as_the_feeder_reads_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    # Small blocks and batches, so that runs, batches and blocks end everywhere in these files.
    monkeypatch.setattr(reader, "BLOCK_BYTES", 512)
    monkeypatch.setattr(reader, "BATCH_LINES", 16)
    limits = ReadLimits(line_bytes=300, field_chars=60, record_lines=3)
    rng = random.Random(14)
    for n in range(60):
        path = tmp_path / f"damaged-{n}.csv"
        path.write_bytes(_damaged_file(rng, rng.randint(1, 120), damage=rng.choice([0.4, 0.02])))
        fast, one_by_one = _read_both(path, monkeypatch, limits=limits, **options)
        assert fast == one_by_one, path.read_bytes()[:400]


def test_the_fast_paths_are_taken_on_clean_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("".join(f'"{i}","Kundtjänst",{i * 7}\r\n' for i in range(3000)), encoding="utf-8")
    runs: list[int] = []
    original = reader._clean_run

    def counted(region: bytes, line_no: int, line_bytes: int) -> list[tuple[int, str, str | None]] | None:
        run = original(region, line_no, line_bytes)
        runs.append(len(run or []))
        return run

    monkeypatch.setattr(reader, "_clean_run", counted)
    fast, one_by_one = _read_both(path, monkeypatch)
    assert fast == one_by_one
    assert sum(runs) == 2999  # every line but the first came in clean runs
    assert fast[2999] == Record(3000, '"2999","Kundtjänst",20993', ["2999", "Kundtjänst", "20993"])


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


def test_records_to_table_gives_the_cycle_collector_back_as_it_found_it() -> None:
    records = [Record(1, "a,b", ["a", "b"])]

    def failing() -> Iterator[Record]:
        yield from records
        raise FormatError("calls.csv.gz: damaged gzip data after 10 bytes")

    assert gc.isenabled()
    textio.records_to_table(records, ["x", "y"])
    assert gc.isenabled()
    with pytest.raises(FormatError):
        textio.records_to_table(failing(), ["x", "y"])
    assert gc.isenabled()
    gc.disable()
    try:
        textio.records_to_table(records, ["x", "y"])
        assert not gc.isenabled()
    finally:
        gc.enable()
