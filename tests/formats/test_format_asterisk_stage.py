"""Asterisk Master.csv staged in DuckDB gives exactly what the polars `parse` gives.

`parse` is the reference (and what `callstats inspect` shows); `stage` is what the ingest runs. For
every Master.csv fixture, damaged the ways real files are (crash debris, a record run into the next,
a cut last line, blank and delimiter-only lines, gzip, legacy 8-bit names), in every layout from 16
to 21 columns, with and without switchboard filters, and for a generated file large enough for
DuckDB to read in parallel with a call's legs far apart: the same canonical rows, the same rejects
(line numbers and reasons), the same filtered counts, notices, facets and accounting.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import duckdb
import polars as pl
import pytest
from formats_helpers import FIXTURES

from pipeline.formats import get_adapter
from pipeline.formats.base import CANONICAL_COLUMNS, AdapterOptions, ParsedFile

ADAPTER = get_adapter("asterisk_cdr")
MASTER = ["Master.csv", "Master-linkedid.csv", "Master-pbx-answers.csv", "Master-16.csv"]


def _lines(name: str) -> list[bytes]:
    return (FIXTURES / "asterisk" / name).read_bytes().splitlines(keepends=True)


def _fields(line: bytes) -> list[bytes]:
    """A record's fields, each written back as Asterisk writes it (text quoted, numbers bare)."""
    (fields,) = csv.reader([line.decode("utf-8").rstrip("\r\n")])
    return [
        f.encode() if f.isdigit() or not f else b'"' + f.replace('"', '""').encode() + b'"' for f in fields
    ]


def assert_same(path: Path, options: AdapterOptions | None = None) -> ParsedFile:
    options = options or AdapterOptions()
    reference = ADAPTER.parse(path, options=options)
    con = duckdb.connect()
    staged = ADAPTER.stage(con, path, options=options)  # type: ignore[attr-defined]
    assert isinstance(staged, ParsedFile)
    rows = pl.from_arrow(
        con.sql(
            f"select line_no, {', '.join(CANONICAL_COLUMNS)} from staged order by line_no"
        ).to_arrow_table()
    )
    expected = reference.calls.select(["line_no", *CANONICAL_COLUMNS]).sort("line_no")
    assert isinstance(rows, pl.DataFrame)
    assert rows.to_dicts() == expected.to_dicts()
    assert staged.records_read == reference.records_read
    assert staged.merged == reference.merged
    assert sorted((i.line_no, i.reason) for i in staged.rejected) == sorted(
        (i.line_no, i.reason) for i in reference.rejected
    )
    assert staged.filtered == []
    assert staged.filtered_counts == dict(Counter(i.reason for i in reference.filtered))
    assert staged.notices == reference.notices
    assert staged.facets == reference.facets
    accounted = len(expected) + staged.merged + len(staged.rejected) + sum(staged.filtered_counts.values())
    assert accounted == staged.records_read
    con.close()
    return staged


def _write(tmp_path: Path, name: str, lines: list[bytes]) -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def _utf8(lines: list[bytes]) -> list[bytes]:
    return [line.decode("cp1252").encode("utf-8") for line in lines]


@pytest.mark.parametrize("name", MASTER)
def test_every_fixture(name: str) -> None:
    assert_same(FIXTURES / "asterisk" / name)


DAMAGE = {
    "nul_run": lambda ls, k: [*ls[:k], b"\x00" * 78 + ls[k], *ls[k + 1 :]],
    "restart": lambda ls, k: [*ls[:k], ls[k][: len(ls[k]) // 2] + b"\x00" * 40 + ls[k + 1], *ls[k + 2 :]],
    "glued": lambda ls, k: [*ls[:k], ls[k].rstrip(b"\r\n")[: len(ls[k]) // 2] + ls[k + 1], *ls[k + 2 :]],
    "cut_last": lambda ls, k: [*ls[:-1], ls[-1].rstrip(b"\r\n")[: len(ls[-1]) * 2 // 5]],
    "blank_lines": lambda ls, k: [b"\n", *ls[:k], b"\n", b"\r\n", b"   \n", b",,,,,,,,,,,,,,,,,\n", *ls[k:], b"\n"],
    "bom_crlf": lambda ls, k: [b"\xef\xbb\xbf" + ls[0].rstrip(b"\r\n") + b"\r\n", *(x.rstrip(b"\r\n") + b"\r\n" for x in ls[1:])],
    "stray_quote": lambda ls, k: [*ls[:k], ls[k].replace(b'"DOCUMENTATION"', b'DOCU"MENTATION'), *ls[k + 1 :]],
    "legacy_byte": lambda ls, k: [*ls[:k], ls[k].replace(b"from-trunk", b"fr\xe5n-trunk"), *ls[k + 1 :]],
}  # fmt: skip


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("name", ["Master.csv", "Master-linkedid.csv", "Master-pbx-answers.csv"])
def test_damaged_files(name: str, damage: str, tmp_path: Path) -> None:
    lines = _lines(name)
    if name == "Master-linkedid.csv":
        lines = _utf8(lines)  # so DuckDB reads the plain lines (legacy bytes send the file to reader.py)
    damaged = DAMAGE[damage](lines, len(lines) // 2)
    assert_same(_write(tmp_path, f"{damage}-{name}", damaged))


def test_gzip_input(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv.gz"
    path.write_bytes(gzip.compress((FIXTURES / "asterisk/Master.csv").read_bytes()))
    assert_same(path)


@pytest.mark.parametrize(
    ("width", "keep"),
    [
        (16, list(range(16))),
        (17, list(range(17))),  # uniqueid
        (19, [*range(16), 18, 19, 20]),  # peeraccount, linkedid, sequence
        (20, [*range(17), 18, 19, 20]),  # uniqueid + the new columns
        (21, list(range(21))),
    ],
)
def test_layouts(width: int, keep: list[int], tmp_path: Path) -> None:
    lines = _utf8(_lines("Master-linkedid.csv"))
    out = [b",".join(f for i, f in enumerate(_fields(line)) if i in keep) + b"\n" for line in lines]
    assert len(_fields(out[0])) == width
    assert_same(_write(tmp_path, f"Master-{width}.csv", out))


def test_userfield_layout_and_local_half_legs_without_linkedid(tmp_path: Path) -> None:
    lines = _utf8(_lines("Master-linkedid.csv"))
    eighteen = [b",".join(_fields(line)[:18]) + b"\n" for line in lines]
    staged = assert_same(_write(tmp_path, "Master-18.csv", eighteen))
    assert sum(staged.filtered_counts.values()) == 3
    userfield = [b",".join([*_fields(line)[:16], b'"billing"']) + b"\n" for line in lines]
    assert_same(_write(tmp_path, "Master-17u.csv", userfield))


@pytest.mark.parametrize(
    "options",
    [
        AdapterOptions(switchboard_contexts=("from-trunk",)),
        AdapterOptions(switchboard_contexts=("from-trunk", "ringgroup")),
        AdapterOptions(source_tz="Europe/Stockholm"),
    ],
)
def test_switchboard_filters_and_source_tz(options: AdapterOptions) -> None:
    for name in ["Master.csv", "Master-linkedid.csv"]:
        assert_same(FIXTURES / "asterisk" / name, options)


def test_large_file_with_legs_far_apart(tmp_path: Path) -> None:
    """Big enough for DuckDB to read in parallel blocks; each call's legs 20 000 lines apart, with
    damage and blank lines in between, so line numbers and grouping are tested across blocks."""
    ring = [_fields(line) for line in _utf8(_lines("Master-linkedid.csv"))]
    first, second = [], []
    for i in range(20_000):
        call = f"1709{i:06d}.1".encode()
        day = b'"2024-03-%02d 08:00:00"' % (1 + i % 28)
        for n, legs in ((0, first), (4, second)):
            f = list(ring[n])
            f[9] = day
            f[16] = f[19] = b'"' + call + b'"'
            legs.append(b",".join(f) + b"\n")
    lines = [*first[:7000], b"\n", b"\x00" * 50 + first[7000], *first[7001:], b"\n\n", *second]
    lines[30_000] = lines[30_000].rstrip(b"\n")[:90] + lines[30_001]
    path = _write(tmp_path, "Master-big.csv", lines)
    staged = assert_same(path)
    assert staged.merged > 15_000


def test_padding_of_empty_lines_across_blocks(tmp_path: Path) -> None:
    """Megabytes of empty lines (a padded or hostile file) between records: counted in runs, and
    the records after them keep their line numbers."""
    lines = _lines("Master.csv")
    padded = [*lines[:5], b"\n" * 3_000_000, *lines[5:]]  # read by DuckDB
    assert_same(_write(tmp_path, "Master-padded.csv", padded))
    # Mixed line endings: reader.py reads the file (DuckDB can give up on one).
    crlf = [*(x.rstrip(b"\r\n") + b"\r\n" for x in lines[:5]), b"\r\n" * 1_000_000, *lines[5:]]
    assert_same(_write(tmp_path, "Master-padded-crlf.csv", crlf))


def _padded(field: bytes, i: int) -> bytes:
    """A field with spaces before it, after it, on both sides or none (inside a text field's
    quotes, as a PBX writes a padded value; around a bare number)."""
    pad = [(b"  ", b""), (b"", b" "), (b" ", b"   "), (b"", b"")][i % 4]
    if field.startswith(b'"'):
        return b'"' + pad[0] + field[1:-1] + pad[1] + b'"'
    return pad[0] + field + pad[1] if field else b"   "


@pytest.mark.parametrize("gap", [False, True], ids=["clean", "with_blank_line"])
def test_values_padded_with_spaces(gap: bool, tmp_path: Path) -> None:
    # Only a value that starts or ends with a space is trimmed in DuckDB; the rest are taken as
    # they are. Spaces on either side, on both, and fields of spaces only (read as empty), with and
    # without a gap in the line numbering (the two ways rows are numbered).
    lines = _lines("Master.csv")
    out = [
        b",".join(_padded(f, i + k) for i, f in enumerate(_fields(line))) + b"\n"
        for k, line in enumerate(lines)
    ]
    if gap:
        out.insert(len(out) // 2, b"\n")
    assert out[0] != lines[0]
    staged = assert_same(_write(tmp_path, "Master-padded.csv", out))
    assert staged.records_read == len(lines)
