"""Accounting that cannot be fooled: valid callstats CSV files, corrupted at random (quotes, NUL
bytes, truncation, huge lines, binary, broken or joined lines), still balance
rows_read = loaded + merged + duplicate + rejected + filtered, and every valid line away from the
damage is loaded. Once, an unterminated quote at the start of a field made every line after it
vanish, uncounted, in a file reported as loaded."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_helpers import HEADER, call_line, write_csv

from pipeline.config import Settings
from pipeline.ingest import FileReport, ingest
from tests.conftest import settings_for

DAMAGE = (
    "quote_first",
    "quote_inside",
    "nul",
    "huge_line",
    "binary",
    "line_break",
    "join_lines",
    "lone_cr",
    "truncate",
)


@pytest.fixture(scope="module")
def store_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield settings_for(tmp_path_factory.mktemp("corruption"))


def _lines(tag: str, count: int) -> list[str]:
    return [
        call_line(f"{tag}-{i}", day=1 + i % 28, hour=8 + i % 9, caller=f"070{i:07d}") for i in range(count)
    ]


def _loaded_ids(settings: Settings, path: Path) -> set[str]:
    con = duckdb.connect(str(settings.db.with_name("callstats.work.duckdb")), read_only=True)
    try:
        rows = con.execute(
            "select c.call_id from calls as c join ingested_files as f using (file_id) where f.path = $p",
            {"p": str(path)},
        ).fetchall()
        stored = con.execute(
            "select rows_read, loaded + merged + duplicate + rejected + filtered from ingested_files"
            " where path = $p",
            {"p": str(path)},
        ).fetchall()
    finally:
        con.close()
    [(read, parts)] = stored
    assert read == parts
    return {r[0] for r in rows}


def _balanced(report: FileReport) -> bool:
    return (
        report.rows_read
        == report.loaded + report.merged + report.duplicate + report.rejected + report.filtered
    )


@pytest.mark.parametrize("compressed", [False, True])
def test_an_unterminated_quote_at_the_start_of_a_field_loses_nothing(
    store_settings: Settings, tmp_path: Path, compressed: bool
) -> None:
    """The example of the review: one bad line, then 20 000 valid calls."""
    tag = f"quote{int(compressed)}"
    good = _lines(tag, 20_000)
    bad = f'{tag}-bad,"2016-03-01T10:00:00+01:00,,,answered,5,60,051317000,,,0701234567'
    path = write_csv(tmp_path / f"{tag}.csv", [good[0], bad, *good[1:]])
    if compressed:
        packed = path.with_name(path.name + ".gz")
        packed.write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
        path = packed
    [file] = ingest([path], store_settings, publish=False).files
    assert file.status == "loaded", file.message
    assert (file.rows_read, file.loaded, file.rejected) == (20_001, 20_000, 1)
    assert _loaded_ids(store_settings, path) == {line.split(",")[0] for line in good}


counter = itertools.count()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(20, 120),
    damage=st.lists(
        st.tuples(
            st.sampled_from(DAMAGE), st.floats(0, 1), st.integers(0, 10), st.binary(min_size=1, max_size=8)
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_a_corrupted_file_balances_and_keeps_the_valid_lines_far_from_the_damage(
    store_settings: Settings, count: int, damage: list[tuple[str, float, int, bytes]]
) -> None:
    tag = f"g{next(counter)}"
    lines = [line.encode() for line in _lines(tag, count)]
    damaged: set[int] = set()  # indexes into lines
    cut: int | None = None
    for kind, where, field, noise in damage:
        index = min(int(where * count), count - 1)
        line = lines[index]
        fields = line.split(b",")
        position = field % len(fields)
        if kind == "quote_first":
            fields[position] = b'"' + fields[position]
            line = b",".join(fields)
        elif kind == "quote_inside":
            fields[position] = fields[position][:1] + b'"' + fields[position][1:]
            line = b",".join(fields)
        elif kind == "nul":
            line = line[:position] + b"\x00" + line[position:]
        elif kind == "huge_line":
            line = line + b"," + b"x" * (2 << 20)
        elif kind == "binary":
            line = line[:position] + noise + line[position:]
        elif kind == "line_break":
            line = line[:position] + b"\n" + line[position:]
        elif kind == "lone_cr":
            line = line[:position] + b"\r" + line[position:]  # once enough to make DuckDB give up
        elif kind == "join_lines":
            line = line + b"\r"  # the next line's newline is kept; this one becomes `\r` (old Mac)
        lines[index] = line
        damaged.update({index - 1, index, index + 1})
        if kind == "truncate":
            cut = index if cut is None else min(cut, index)
    body = HEADER.encode() + b"\n" + b"".join(line + b"\n" for line in lines)
    if cut is not None:
        # Cut inside line `cut`, as a copy stopped half-way would.
        start = len(HEADER) + 1 + sum(len(line) + 1 for line in lines[:cut])
        body = body[: start + len(lines[cut]) // 2]
    folder = store_settings.db.parent / "generated"
    folder.mkdir(exist_ok=True)
    path = folder / f"{tag}.csv"
    path.write_bytes(body)

    [file] = ingest([path], store_settings, publish=False).files

    assert file.status == "loaded", file.message  # damaged lines are quarantined, never the file
    assert _balanced(file), file
    loaded = _loaded_ids(store_settings, path)
    far = {f"{tag}-{i}" for i in range(count) if i not in damaged and (cut is None or i < cut - 1)}
    assert far <= loaded, sorted(far - loaded)[:5]


def test_a_stray_carriage_return_quarantines_its_line_not_the_file(
    store_settings: Settings, tmp_path: Path
) -> None:
    """DuckDB's reader gives up on a file with one lone `\\r` (its parser reaches an invalid state)."""
    good = _lines("cr", 100)
    path = tmp_path / "cr.csv"
    path.write_bytes((HEADER + "\n" + "\n".join(good[:50]) + "\r" + "\n".join(good[50:]) + "\n").encode())
    [file] = ingest([path], store_settings, publish=False).files
    assert file.status == "loaded", file.message
    assert (file.rows_read, file.loaded, file.rejected) == (99, 98, 1)
    assert _loaded_ids(store_settings, path) == {line.split(",")[0] for line in good} - {"cr-49", "cr-50"}
