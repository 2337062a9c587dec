"""Round trip: canonical calls written as Asterisk and CUCM files read back as the same calls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from formats_helpers import check_contract

from pipeline import formats
from pipeline.formats.base import AdapterOptions
from pipeline.sample_writers import write_asterisk, write_cucm

UTC = dt.UTC
OUTCOMES = ["answered", "abandoned", "busy", "failed", "voicemail", "timeout", "closed", "unknown"]


def canonical_calls() -> pl.DataFrame:
    rows = []
    starts = [
        dt.datetime(2024, 3, 4, 7, 0, tzinfo=UTC),
        dt.datetime(2024, 3, 30, 23, 30, tzinfo=UTC),  # Saturday night UTC = Sunday in Sweden
        dt.datetime(2024, 3, 31, 0, 59, tzinfo=UTC),  # the DST night
        dt.datetime(2024, 10, 26, 23, 10, tzinfo=UTC),
        dt.datetime(2024, 12, 31, 22, 58, tzinfo=UTC),  # New Year in Sweden
    ]
    n = 0
    for base in starts:
        for i, outcome in enumerate(OUTCOMES * 2):
            start = base + dt.timedelta(minutes=i * 3)
            wait = 5 + 7 * i
            talk = 30 + 11 * i if outcome == "answered" else None
            answered = start + dt.timedelta(seconds=wait) if outcome == "answered" else None
            end = (
                (answered + dt.timedelta(seconds=talk))
                if answered and talk
                else start + dt.timedelta(seconds=wait)
            )
            timed = outcome in ("answered", "abandoned", "timeout")
            rows.append({
                "call_id": f"c{n}", "started_at": start, "answered_at": answered, "ended_at": end,
                "outcome": outcome, "wait_s": wait if timed else None, "talk_s": talk,
                "dialled_number": "0513-170 00" if i % 2 else "0322-60 06 00",
                "queue": "vaxel", "caller": f"+4670{n:07d}" if i % 3 else f"0701{n:06d}",
            })  # fmt: skip
            n += 1
    return pl.DataFrame(rows)


def read_back(paths: list[Path]) -> pl.DataFrame:
    frames = []
    for path in paths:
        adapter = formats.detect(path)
        parsed = adapter.parse(path, options=AdapterOptions(source_tz="Europe/Stockholm"))
        check_contract(parsed)
        assert parsed.rejected == [] and parsed.filtered == []
        frames.append(parsed.calls)
    return pl.concat(frames)


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    started = pl.col("started_at")
    if frame.schema["started_at"] == pl.String:
        started = started.str.to_datetime(time_zone="UTC")
    return frame.select(
        started.dt.convert_time_zone("UTC").alias("started_at"),
        started.dt.convert_time_zone("Europe/Stockholm").dt.date().alias("local_date"),
        "outcome",
        pl.col("wait_s").cast(pl.Int64),
        pl.col("talk_s").cast(pl.Int64),
        "caller",
    ).sort("started_at")


@pytest.mark.parametrize("writer", [write_asterisk, write_cucm])
def test_round_trip_gives_the_same_calls(tmp_path: Path, writer: object) -> None:
    calls = canonical_calls()
    paths = writer(calls, tmp_path)  # type: ignore[operator]
    master = [p for p in paths if p.name != "queue_log"]
    got = comparable(read_back(master))
    want = comparable(calls)
    keep_wait = pl.col("outcome").is_in(["answered", "abandoned", "timeout"])
    want = want.with_columns(pl.when(keep_wait).then(pl.col("wait_s")))
    assert got.height == want.height
    assert got.to_dicts() == want.to_dicts()


def test_asterisk_master_is_the_stock_layout_in_utc(tmp_path: Path) -> None:
    master, queue_log = write_asterisk(canonical_calls(), tmp_path)
    lines = master.read_text().splitlines()
    assert all(line.count('","') >= 10 for line in lines)
    parsed = formats.get_adapter("asterisk_cdr").parse(master, options=AdapterOptions())
    assert any("UTC" in n for n in parsed.notices)
    assert parsed.merged > 0  # answered calls are two records
    assert formats.detect(queue_log).name == "asterisk_queue_log"


def test_queue_log_round_trip_for_queued_calls(tmp_path: Path) -> None:
    calls = canonical_calls()
    _, queue_log = write_asterisk(calls, tmp_path)
    got = comparable(read_back([queue_log]))
    queued = ["answered", "abandoned", "timeout", "failed", "unknown"]
    want = comparable(calls.filter(pl.col("outcome").is_in(queued)))
    assert got.drop("wait_s").to_dicts() == want.drop("wait_s").to_dicts()
    timed = pl.col("outcome").is_in(["answered", "abandoned", "timeout"])
    assert got.filter(timed)["wait_s"].to_list() == want.filter(timed)["wait_s"].to_list()


def test_queue_log_and_master_name_calls_alike(tmp_path: Path) -> None:
    master, queue_log = write_asterisk(canonical_calls(), tmp_path)
    options = AdapterOptions()
    cdr = formats.get_adapter("asterisk_cdr").parse(master, options=options)
    queue = formats.get_adapter("asterisk_queue_log").parse(queue_log, options=options)
    cdr_ids, queue_ids = set(cdr.calls["call_id"]), set(queue.calls["call_id"])
    assert queue_ids and queue_ids <= cdr_ids


def test_cucm_files_have_two_header_lines_and_transfers(tmp_path: Path) -> None:
    paths = write_cucm(canonical_calls(), tmp_path)
    assert all(p.name.startswith("cdr_StdCluster_01_") for p in paths)
    text = paths[0].read_text()
    assert text.splitlines()[1].startswith("INTEGER,INTEGER,INTEGER")
    assert not text.endswith("\n")
    merged = sum(formats.get_adapter("cucm").parse(p, options=AdapterOptions()).merged for p in paths)
    assert merged > 0


def test_writer_accepts_iso_text_with_offsets(tmp_path: Path) -> None:
    calls = (
        canonical_calls()
        .head(8)
        .with_columns(
            pl.col(c).dt.convert_time_zone("Europe/Stockholm").dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
            for c in ("started_at", "answered_at", "ended_at")
        )
    )
    paths = write_cucm(calls, tmp_path)
    got = comparable(read_back(paths))
    assert got["outcome"].to_list() == OUTCOMES
