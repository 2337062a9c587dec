"""The merging adapters staged in partitions give exactly what their whole-file `parse` gives.

`parse` (what `callstats inspect` shows) reads the whole file into polars and merges it; `stage`
(what the ingest runs) reads records in chunks into DuckDB and merges one partition of calls at a
time. With chunks of a few records and several partitions, every fixture of these formats, a
generated sample and a file whose calls' records lie far apart must give the same canonical rows,
rejects (line numbers and reasons), filtered records, notices, facets and accounting.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from formats_helpers import FIXTURES

from pipeline.formats import get_adapter, partitioned
from pipeline.formats.base import CANONICAL_COLUMNS, AdapterOptions, ParsedFile

TINY = [partitioned.Sizes(chunk_records=3, partition_records=4), partitioned.Sizes(2, 1_000_000)]

# (adapter, fixture, options): every fixture of the partitioned formats, with the switchboard
# filters their tests use.
FIXTURE_FILES: list[tuple[str, str, dict[str, Any]]] = [
    ("cucm", "cucm/cdr_StdCluster_01_202403040700_1", {}),
    ("cucm", "cucm/cdr_StdCluster_01_202403050800_2", {}),
    ("cucm", "cucm/cdr_headerless_129", {}),
    ("3cx", "3cx/cdr.log", {}),
    ("3cx", "3cx/cdr.log", {"switchboard_queues": ("800",)}),
    ("3cx", "3cx/cdr-header.csv", {}),
    ("3cx", "3cx/cdr-pbx-answers.log", {}),
    ("mapping", "3cx/cdr-custom.log", {"mapping": FIXTURES / "3cx/3cx-mapping.toml"}),
    ("mapping", "mapping/telia.csv", {"mapping": FIXTURES / "mapping/telia.toml"}),
]


def staged_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    frame = con.sql(f"select line_no, {', '.join(CANONICAL_COLUMNS)} from staged order by line_no").pl()
    return frame.to_dicts()


def assert_same(
    adapter_name: str, path: Path, options: AdapterOptions | None = None, sizes: partitioned.Sizes = TINY[0]
) -> ParsedFile:
    options = options or AdapterOptions()
    adapter = get_adapter(adapter_name)
    reference = adapter.parse(path, options=options)
    con = duckdb.connect()
    staged = adapter.stage(con, path, options=options, sizes=sizes)  # type: ignore[call-arg]
    expected = reference.calls.select(["line_no", *CANONICAL_COLUMNS]).sort("line_no")
    rows = staged_rows(con)
    con.close()
    assert rows == expected.to_dicts()
    assert staged.records_read == reference.records_read
    assert staged.merged == reference.merged
    assert sorted((i.line_no, i.reason) for i in staged.rejected) == sorted(
        (i.line_no, i.reason) for i in reference.rejected
    )
    assert sorted(i.raw for i in staged.rejected) == sorted(i.raw for i in reference.rejected)
    filtered = Counter(i.reason for i in staged.filtered) + Counter(staged.filtered_counts)
    assert filtered == Counter(i.reason for i in reference.filtered) + Counter(reference.filtered_counts)
    assert staged.notices == reference.notices
    assert staged.facets == reference.facets
    assert staged.direction_known == reference.direction_known
    accounted = (
        len(rows)
        + staged.merged
        + len(staged.rejected)
        + len(staged.filtered)
        + sum(staged.filtered_counts.values())
    )
    assert accounted == staged.records_read
    return staged


@pytest.mark.parametrize("sizes", TINY, ids=["tiny-partitions", "one-partition"])
@pytest.mark.parametrize(
    ("adapter", "relative", "options"), FIXTURE_FILES, ids=[f"{f[1]}{sorted(f[2])}" for f in FIXTURE_FILES]
)
def test_every_fixture_stages_as_it_parses(
    adapter: str, relative: str, options: dict[str, Any], sizes: partitioned.Sizes
) -> None:
    assert_same(adapter, FIXTURES / relative, AdapterOptions(**options), sizes=sizes)


def test_an_empty_file_after_the_header_stages_no_calls(tmp_path: Path) -> None:
    lines = (FIXTURES / "cucm/cdr_StdCluster_01_202403040700_1").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cdr_empty"
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    staged = assert_same("cucm", path)
    assert staged.records_read == 0


def test_combined_notices_sum_the_calls_they_count() -> None:
    notices = partitioned.combined_notices(
        [
            ["fixed", "2 call(s) entered more than one queue"],
            ["fixed", "3 call(s) entered more than one queue"],
        ]
    )
    assert notices == ["fixed", "5 call(s) entered more than one queue"]
