"""Input limits in the shared reader: a huge line, a huge field and a gzip bomb cost a row or one
line of error, never the memory of the machine or minutes of the ingest's time."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest
from formats_helpers import FIXTURES, check_contract

from pipeline import formats
from pipeline.formats import textio
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile, ReadLimits

QUEUE_LOG = (FIXTURES / "queue_log/queue_log").read_bytes()


def _parse(path: Path) -> ParsedFile:
    parsed = formats.get_adapter("asterisk_queue_log").parse(path, options=AdapterOptions())
    check_contract(parsed)
    return parsed


def test_a_50_mb_line_is_one_rejected_row_read_in_bounded_memory(tmp_path: Path) -> None:
    lines = QUEUE_LOG.splitlines(keepends=True)
    path = tmp_path / "queue_log"
    with path.open("wb") as fh:
        fh.writelines(lines[:5])
        fh.write(b"1709535700|" + b"x" * (50 * 1024 * 1024) + b"\n")
        fh.writelines(lines[5:])
    tracemalloc.start()
    try:
        records = list(textio.iter_records(path, delimiter="|", quotechar=None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the line is 50 MiB: it was never held
    damaged = [r for r in records if r.issue is not None]
    assert [(r.line_no, r.issue) for r in damaged] == [
        (6, "line of 52 428 811 bytes is longer than the limit of 65 536 bytes")
    ]
    assert damaged[0].raw.startswith("1709535700|xxx") and len(damaged[0].raw) <= textio.RAW_KEEP + 1

    parsed = _parse(path)
    clean = _parse(FIXTURES / "queue_log/queue_log")
    assert parsed.calls.drop("line_no").equals(clean.calls.drop("line_no"))
    assert parsed.records_read == clean.records_read + 1


def test_a_line_without_any_newline_is_measured_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(QUEUE_LOG + b"1709535700|" + b"y" * 200_000)
    parsed = _parse(path)
    assert parsed.rejected[-1].reason == "line of 200 011 bytes is longer than the limit of 65 536 bytes"
    assert parsed.rejected[-1].line_no == QUEUE_LOG.count(b"\n") + 1


def test_an_over_long_field_is_a_rejected_row(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    huge = b"1709535700|1709535595.101|vaxel|NONE|DID|" + b"7" * 10_000 + b"\n"
    path.write_bytes(QUEUE_LOG.replace(b"1709535595|1709535595.101|NONE|NONE|DID|051317000\n", huge))
    parsed = _parse(path)
    assert (3, "field 6 has 10 000 characters, more than the limit of 8 192") in [
        (i.line_no, i.reason) for i in parsed.rejected
    ]
    assert len(parsed.rejected[0].raw) <= textio.RAW_KEEP + 1


def test_gzip_input_reads_like_the_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "queue_log.gz"
    path.write_bytes(gzip.compress(QUEUE_LOG))
    assert formats.detect(path).name == "asterisk_queue_log"
    plain = _parse(FIXTURES / "queue_log/queue_log")
    packed = _parse(path)
    assert packed.calls.equals(plain.calls)
    assert packed.records_read == plain.records_read


def test_gzip_bomb_is_a_one_line_file_error(tmp_path: Path) -> None:
    """65 MiB of newlines packed into about 64 KiB: more than 100 times its size and the 64 MiB
    allowance, so the reader stops with one line instead of holding the ingest for minutes."""
    path = tmp_path / "queue_log.gz"
    path.write_bytes(gzip.compress(QUEUE_LOG + b"\n" * (65 * 1024 * 1024), compresslevel=1))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(FormatError) as err:
        _parse(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("queue_log.gz: unpacks to more than 67 108 864 bytes")


def test_gzip_limit_follows_the_packed_size(tmp_path: Path) -> None:
    limits = ReadLimits(gzip_floor_bytes=64 * 1024, gzip_ratio=10)
    path = tmp_path / "f.gz"
    packed = gzip.compress(b"a,b\n" * 50_000)
    path.write_bytes(packed)
    with pytest.raises(FormatError, match="unpacks to more than"):
        list(textio.iter_records(path, limits=limits))
    roomy = ReadLimits(gzip_floor_bytes=64 * 1024, gzip_ratio=1000)
    assert sum(1 for _ in textio.iter_records(path, limits=roomy)) == 50_000


def test_damaged_gzip_is_a_one_line_file_error(tmp_path: Path) -> None:
    path = tmp_path / "queue_log.gz"
    path.write_bytes(gzip.compress(QUEUE_LOG)[:-30])
    with pytest.raises(FormatError, match=r"^queue_log.gz: damaged gzip data"):
        _parse(path)


def test_limits_come_from_the_adapter_options(tmp_path: Path) -> None:
    """The ingest can pass the site's limits: every adapter reads with `options.limits`."""
    path = tmp_path / "queue_log"
    path.write_bytes(QUEUE_LOG)
    tight = AdapterOptions(limits=ReadLimits(line_bytes=60))
    parsed = formats.get_adapter("asterisk_queue_log").parse(path, options=tight)
    check_contract(parsed)
    too_long = [i.line_no for i in parsed.rejected if "longer than the limit of 60 bytes" in i.reason]
    assert too_long == [n for n, line in enumerate(QUEUE_LOG.splitlines(), 1) if len(line) > 60]
    assert too_long
