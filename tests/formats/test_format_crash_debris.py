"""Crash debris costs a line, never a file, in every adapter.

A telephony system killed mid-write leaves a run of NUL bytes where its record should be; after the
restart the next record can start on the same physical line, and the last line of a file can be cut
short. Each case damages a clean fixture the way a crash does and compares the result with the clean
file minus the records the crash destroyed: the damaged lines are rejected with their line numbers
and reasons, every other call comes out exactly as before, and the accounting holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from formats_helpers import FIXTURES, check_contract

from pipeline import formats
from pipeline.formats import textio
from pipeline.formats.base import AdapterOptions, ParsedFile


@dataclass(frozen=True)
class Case:
    relative: str
    adapter: str
    header_lines: int = 0
    mapping: str | None = None
    # The layout marks where a record starts (queue_log's epoch, 3CX's `Call NNN`), so a record
    # written on the same line after a cut one is recovered.
    recovers: bool = False


CASES = [
    Case("asterisk/Master.csv", "asterisk_cdr"),
    Case("asterisk/Master-linkedid.csv", "asterisk_cdr"),
    Case("asterisk/Master-16.csv", "asterisk_cdr"),
    Case("queue_log/queue_log", "asterisk_queue_log", recovers=True),
    Case("freeswitch/Master.csv", "freeswitch_csv"),
    Case("freeswitch/default-template.csv", "freeswitch_csv"),
    Case("freeswitch/sql-template.csv", "freeswitch_csv"),
    Case("cucm/cdr_StdCluster_01_202403040700_1", "cucm", header_lines=2),
    Case("cucm/cdr_headerless_129", "cucm"),
    Case("3cx/cdr.log", "3cx", recovers=True),
    Case("teams/DirectRoutingUsage.csv", "teams", header_lines=1),
    Case("teams/PSTNUsage-CallingPlans.csv", "teams", header_lines=1),
    Case("asterisk/freepbx-cdr-report.csv", "asterisk_cdr_export", header_lines=1),
    Case("asterisk/cdr-table-export.csv", "asterisk_cdr_export", header_lines=1),
    Case("grandstream/cdr-ucm.csv", "asterisk_cdr_export", header_lines=1),
    Case("queue_log/queue_log-table.csv", "asterisk_queue_log", header_lines=1),
    Case("3cx/cdr-header.csv", "3cx", header_lines=1),
    Case("3cx/cdr-pbx-answers.log", "3cx", recovers=True),
    Case("freeswitch/loopback.csv", "freeswitch_csv"),
    Case("mapping/telia.csv", "mapping", header_lines=1, mapping="mapping/telia.toml"),
    Case("3cx/cdr-custom.log", "mapping", mapping="3cx/3cx-mapping.toml"),
]
NUL_RUN = b"\x00" * 78
# Files with a few records to spare: in a two-line file a line run into the next is all there is.
ROOMY = [c for c in CASES if len((FIXTURES / c.relative).read_bytes().splitlines()) - c.header_lines >= 4]


def _lines(case: Case) -> list[bytes]:
    return (FIXTURES / case.relative).read_bytes().splitlines(keepends=True)


def _middle(case: Case, lines: list[bytes]) -> int:
    """Index of a data line in the middle of the file that has a data line after it."""
    return case.header_lines + (len(lines) - case.header_lines - 1) // 2


def _parse(case: Case, data: bytes, tmp_path: Path, name: str) -> ParsedFile:
    path = tmp_path / f"{name}-{Path(case.relative).name}"
    path.write_bytes(data)
    options = AdapterOptions(mapping=FIXTURES / case.mapping if case.mapping else None)
    if case.mapping is None:
        assert formats.detect(path).name == case.adapter  # the damage does not hide the format
    parsed = formats.get_adapter(case.adapter).parse(path, options=options)
    check_contract(parsed)
    return parsed


def _same_calls(damaged: ParsedFile, reference: ParsedFile) -> None:
    assert damaged.calls.height > 0
    assert damaged.calls.drop("line_no").equals(reference.calls.drop("line_no"))
    assert damaged.merged == reference.merged
    assert len(damaged.filtered) == len(reference.filtered)


def _cut(line: bytes, share: float) -> bytes:
    return line.rstrip(b"\r\n")[: int(len(line.rstrip(b"\r\n")) * share)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.relative)
def test_nul_run_at_the_start_of_a_line_costs_no_call(case: Case, tmp_path: Path) -> None:
    lines = _lines(case)
    k = _middle(case, lines)
    damaged = _parse(case, b"".join([*lines[:k], NUL_RUN + lines[k], *lines[k + 1 :]]), tmp_path, "nul")
    clean = _parse(case, b"".join(lines), tmp_path, "clean")
    _same_calls(damaged, clean)
    new = [(i.line_no, i.reason) for i in damaged.rejected if i not in clean.rejected]
    assert new == [(k + 1, "crash debris: 78 NUL bytes (a write cut off by a crash or power loss)")]
    assert damaged.records_read == clean.records_read + 1


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.relative)
def test_restart_after_nul_run_inside_a_line_costs_the_cut_record(case: Case, tmp_path: Path) -> None:
    lines = _lines(case)
    k = _middle(case, lines)
    crashed = _cut(lines[k], 0.5) + b"\x00" * 40 + lines[k + 1]
    damaged = _parse(case, b"".join([*lines[:k], crashed, *lines[k + 2 :]]), tmp_path, "restart")
    reference = _parse(case, b"".join([*lines[:k], *lines[k + 1 :]]), tmp_path, "ref")
    _same_calls(damaged, reference)
    new = [
        (i.line_no, i.reason)
        for i in damaged.rejected
        if i.reason not in {r.reason for r in reference.rejected}
    ]
    assert new == [
        (k + 1, "record cut short by crash debris (NUL bytes)"),
        (k + 1, "crash debris: 40 NUL bytes (a write cut off by a crash or power loss)"),
    ]


@pytest.mark.parametrize("case", ROOMY, ids=lambda c: c.relative)
def test_record_run_into_the_next_one_costs_that_line(case: Case, tmp_path: Path) -> None:
    """A restart wrote the next record after a cut one, on the same line. Where the layout marks a
    record's start the cut record alone is lost; elsewhere the line is (one record more)."""
    lines = _lines(case)
    k = _middle(case, lines)
    glued = _cut(lines[k], 0.5) + lines[k + 1]
    damaged = _parse(case, b"".join([*lines[:k], glued, *lines[k + 2 :]]), tmp_path, "glued")
    kept = lines[k + 1 :] if case.recovers else lines[k + 2 :]
    reference = _parse(case, b"".join([*lines[:k], *kept]), tmp_path, "ref")
    _same_calls(damaged, reference)
    known = {(i.raw, i.reason) for i in reference.rejected}
    new = [(i.line_no, i.reason) for i in damaged.rejected if (i.raw, i.reason) not in known]
    if case.recovers:
        assert new == [(k + 1, textio.GLUED_REASON)]
    else:
        assert [n for n, _ in new] == [k + 1]
    assert damaged.records_read == reference.records_read + 1


@pytest.mark.parametrize("case", ROOMY, ids=lambda c: c.relative)
def test_truncated_last_line_costs_that_line(case: Case, tmp_path: Path) -> None:
    lines = _lines(case)
    damaged = _parse(case, b"".join([*lines[:-1], _cut(lines[-1], 0.4)]), tmp_path, "cut")
    reference = _parse(case, b"".join(lines[:-1]), tmp_path, "ref")
    _same_calls(damaged, reference)
    assert [i.line_no for i in damaged.rejected if i not in reference.rejected] == [len(lines)]


def test_queue_log_78_nul_bytes_leave_every_other_line_readable(tmp_path: Path) -> None:
    """The reported case: one NUL run made all 543 lines "unreadable event time" and 30 calls 0.

    The fixture is a queue_log after crashes: the COMPLETECALLER of the first call was lost, its
    space left as NUL bytes, and the restart QUEUESTART written after them; an ABANDON was cut off
    and the next ENTERQUEUE written on the same line; the file ends cut short.
    """
    path = FIXTURES / "queue_log/queue_log-crash"
    assert path.read_bytes().count(NUL_RUN) == 1
    parsed = formats.detect(path).parse(path, options=AdapterOptions())
    check_contract(parsed)
    assert not any(i.reason == "unreadable event time" for i in parsed.rejected)
    assert [(i.line_no, i.reason) for i in parsed.rejected] == [
        (4, "crash debris: 78 NUL bytes (a write cut off by a crash or power loss)"),
        (9, "record cut short: the next record starts on the same line (a restart mid-write)"),
        (10, "expected 5 to 10 fields, found 2"),
    ]
    outcomes = dict(parsed.calls.select("call_id", "outcome").iter_rows())
    assert outcomes["1709536200.205"] == "unknown"  # its ABANDON was the cut record
    assert outcomes["1709536300.210"] == "unknown"  # entered the queue on the run-together line
    assert parsed.calls.height == 4
    assert parsed.calls.filter(pl.col("outcome") == "answered").height == 2
