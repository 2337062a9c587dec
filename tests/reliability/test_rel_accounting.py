"""Every row accounted for, proved over generated files: for each file,
rows_read = loaded + merged + duplicate + rejected + filtered (in the report and in ingested_files),
the loaded calls are exactly the distinct valid new call ids, and every rejected row keeps its line."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_helpers import HEADER, write_csv

from pipeline.config import Settings
from pipeline.ingest import ingest
from tests.conftest import settings_for

SEED_IDS = [f"seed-{i}" for i in range(10)]
BAD_KINDS = ("negative_wait", "bad_timestamp", "unknown_outcome", "missing_id", "too_few_fields",
             "too_many_fields", "end_before_start", "year_1970")
KINDS = ("good", "good", "good", "filtered", *BAD_KINDS)


def _line(kind: str, call_id: str, day: int, hour: int, tag: str) -> str:
    started = f"2016-04-{day:02d}T{hour:02d}:15:00+02:00"
    wait, outcome, dialled, ended = "7", "answered", "051317000", ""
    if kind == "negative_wait":
        wait = "-3"
    elif kind == "bad_timestamp":
        started = f"2016-04-{day:02d} kl {hour}"
    elif kind == "unknown_outcome":
        outcome = "maybe"
    elif kind == "missing_id":
        call_id = ""
    elif kind == "end_before_start":
        ended = f"2016-04-{day:02d}T{hour - 1:02d}:00:00+02:00"
    elif kind == "year_1970":
        started = "1970-01-02T10:00:00+01:00"
    elif kind == "filtered":
        dialled = "031-123 45 00"  # not a switchboard number
    line = f"{call_id},{started},,{ended},{outcome},{wait},30,{dialled},,{tag},0702223344"
    if kind == "too_few_fields":
        line = ",".join(line.split(",")[:5])
    elif kind == "too_many_fields":
        line += ",extra"
    return line


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, 14),  # call id: 0–9 new ids of this file, 10–14 a call loaded earlier
        st.integers(1, 28),
        st.integers(8, 17),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def store_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("accounting")
    settings = settings_for(folder)
    seed = write_csv(folder / "seed.csv", [_line("good", i, 1, 9, "seed") for i in SEED_IDS])
    ingest([seed], settings, publish=False)
    yield settings


counter = itertools.count()


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy)
def test_every_row_of_a_generated_file_is_accounted_for(
    store_settings: Settings, rows: list[tuple[str, int, int, int]]
) -> None:
    number = next(counter)
    tag = f"f{number}"  # in every line: each generated file has new content
    folder = store_settings.db.parent / "generated"
    folder.mkdir(exist_ok=True)
    lines, expected_ids, bad_lines = [], set(), set()
    ok_rows = filtered = 0
    for line_no, (kind, id_choice, day, hour) in enumerate(rows, start=2):
        call_id = SEED_IDS[id_choice - 10] if id_choice >= 10 else f"{tag}-c{id_choice}"
        lines.append(_line(kind, call_id, day, hour, tag))
        if kind in BAD_KINDS:
            bad_lines.add(line_no)
        elif kind == "filtered":
            filtered += 1
        else:
            ok_rows += 1
            if id_choice < 10:
                expected_ids.add(call_id)
    path = write_csv(folder / f"{tag}.csv", lines, header=HEADER)

    report = ingest([path], store_settings, publish=False)

    [file] = report.files
    assert file.status == "loaded", file.message
    assert file.rows_read == file.loaded + file.merged + file.duplicate + file.rejected + file.filtered
    assert (file.rows_read, file.loaded, file.duplicate, file.rejected, file.filtered) == (
        len(rows), len(expected_ids), ok_rows - len(expected_ids), len(bad_lines), filtered,
    )
    con = duckdb.connect(str(store_settings.db.with_name("callstats.work.duckdb")), read_only=True)
    try:
        stored = con.execute(
            "select file_id, rows_read, loaded, merged, duplicate, rejected, filtered from ingested_files"
            " where path = $p",
            {"p": str(path)},
        ).fetchall()
        [(file_id, *counts)] = stored
        assert counts == [file.rows_read, file.loaded, file.merged, file.duplicate, file.rejected, file.filtered]
        loaded_ids = {r[0] for r in con.execute("select call_id from calls where file_id = $f", {"f": file_id}).fetchall()}
        rejected_lines = {r[0] for r in con.execute(
            "select line_no from rejected_rows where file_id = $f", {"f": file_id}).fetchall()}
    finally:
        con.close()
    assert loaded_ids == expected_ids
    assert rejected_lines == bad_lines
