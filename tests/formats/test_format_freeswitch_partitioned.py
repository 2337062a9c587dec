"""FreeSWITCH staged in partitions gives exactly what its whole-file `parse` gives.

Which call a FreeSWITCH record belongs to is decided from the whole file (a B leg by the first
record naming its uuid, a loopback leg by the latest A leg with its caller number and times), so the
stage links records in SQL before it cuts partitions. These files put every such decision at risk:
B legs far from their A legs, the same few caller numbers in many overlapping calls, repeated uuids
(one with another caller number), loopback legs with `legs=a` and `legs=ab`, a loopback whose A leg
is missing, chains of B legs, a B leg named by two A legs, and damaged lines.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from test_format_partitioned import assert_same, partition_heights

from bench.generate import write_freeswitch_csv
from pipeline.formats import get_adapter, partitioned
from pipeline.formats.base import AdapterOptions

BASE = dt.datetime(2024, 3, 4, 8, 0, 0)
CALLERS = ["0701234567", "0702223344", "+46513998877", "0709998877", "anonymous"]


def _stamp(at: dt.datetime | None) -> str:
    return "" if at is None else f"{at:%Y-%m-%d %H:%M:%S}"


def _record(
    caller: str,
    dest: str,
    start: dt.datetime,
    answer: dt.datetime | None,
    end: dt.datetime,
    cause: str,
    uuid: str,
    bleg: str = "",
    *,
    context: str = "public",
) -> str:
    billsec = int((end - answer).total_seconds()) if answer else 0
    fields = [
        f"Caller {caller}", caller, dest, context, _stamp(start), _stamp(answer), _stamp(end),
        str(int((end - start).total_seconds())), str(billsec), cause, uuid, bleg, "", "PCMA", "PCMA",
    ]  # fmt: skip
    return ",".join(f'"{f}"' for f in fields)


def _call(rng: random.Random, i: int) -> tuple[list[str], list[str]]:
    """One call's records: (A-side records, records written elsewhere in the file)."""
    caller = rng.choice(CALLERS)
    start = BASE + dt.timedelta(seconds=rng.randint(0, 40 * i + 60))
    a, b = f"{i:08d}-aaaa-4d5e-8f90-{i:012d}", f"{i:08d}-bbbb-4d5e-8f90-{i:012d}"
    answer = start + dt.timedelta(seconds=rng.randint(1, 30))
    end = answer + dt.timedelta(seconds=rng.randint(0, 200))
    kind = rng.randrange(11)
    if kind <= 2:  # answered by a person, legs=ab (the B leg somewhere else)
        return [_record(caller, "051317000", start, answer, end, "NORMAL_CLEARING", a, b)], [
            _record(caller, "201", start + dt.timedelta(seconds=1), answer, end, "NORMAL_CLEARING", b,
                    context="default"),
        ]  # fmt: skip
    if kind == 3:  # never answered; the B leg it tried was not logged
        cause = rng.choice(["ORIGINATOR_CANCEL", "NO_ANSWER", "USER_BUSY", "CALL_REJECTED"])
        return [_record(caller, "051317000", start, None, end, cause, a, rng.choice(["", b]))], []
    if kind in (4, 5):  # voicemail/IVR by loopback, legs=a: the loopback's inbound half on its own
        app = rng.choice(["voicemail", "ivr", "playback", "Voicemail "])
        loop_end = end + dt.timedelta(seconds=rng.choice([-1, 0, 0, 1, 3]))
        loop = _record(caller, app, answer + dt.timedelta(seconds=1), answer, loop_end, "NORMAL_CLEARING",
                       f"{i:08d}-dddd-4d5e-8f90-{i:012d}", context="default")  # fmt: skip
        host = _record(caller, "051317000", start, answer, end, "NORMAL_CLEARING", a, b)
        return [host], [loop]
    if kind == 6:  # loopback with legs=ab: the outbound half is the A leg's B leg
        host = _record(caller, "051317000", start, answer, end, "NORMAL_CLEARING", a, b)
        return [host], [_record(caller, "voicemail", answer, answer, end, "NORMAL_CLEARING", b)]
    if kind == 7:  # a loopback leg whose A leg is not in the file
        return [], [_record(caller, "voicemail", answer, answer, end, "NORMAL_CLEARING", a)]
    if kind == 8:  # the A leg written twice (a spreadsheet copy, once with another caller number)
        first = _record(caller, "051317000", start, answer, end, "NORMAL_CLEARING", a, b)
        copy = _record(rng.choice(CALLERS), "051317000", start, None, start, "LOSE_RACE", a)
        return [first], [copy, _record(caller, "201", answer, answer, end, "NORMAL_CLEARING", b)]
    if kind == 9:  # a chain: the B leg names a leg of its own
        c = f"{i:08d}-cccc-4d5e-8f90-{i:012d}"
        return [_record(caller, "051317000", start, answer, end, "NORMAL_CLEARING", a, b)], [
            _record(caller, "201", start, answer, end, "NORMAL_CLEARING", b, c),
            _record(caller, "202", start, answer, end, "NORMAL_CLEARING", c),
        ]
    # a B leg named by this A leg and by the previous call's (another caller number, maybe)
    other = f"{i - 1:08d}-aaaa-4d5e-8f90-{i - 1:012d}"
    named_twice = f"{i - 1:08d}-bbbb-4d5e-8f90-{i - 1:012d}"
    return [_record(caller, "051317000", start, answer, end, "NORMAL_CLEARING", a, named_twice)], [
        _record(rng.choice(CALLERS), "051317000", start, None, end, "NO_ANSWER", other, named_twice),
    ]


DAMAGED = [
    '"Caller 1","0701234567","051317000","public","2024-03-04 09:00:00"',  # cut short
    '"X","0701234567","051317000","public","not a time","","2024-03-04 09:00:09","9","0",'
    '"NO_ANSWER","99999999-eeee-4d5e-8f90-000000000001","","","PCMA","PCMA"',
    '"X","0701234567","voicemail","default","2024-03-04 09:00:00","","2024-03-04 09:00:09","9","0",'
    '"NORMAL_CLEARING","","","","PCMA","PCMA"',  # no uuid
]


def _messy_file(path: Path, seed: int, calls: int, *, shuffle: bool) -> Path:
    """A-side records in order, the others at the far end in reverse (or everything shuffled),
    with damaged lines among them."""
    rng = random.Random(seed)
    near: list[str] = []
    far: list[str] = []
    for i in range(1, calls + 1):
        a_side, elsewhere = _call(rng, i)
        near += a_side
        far += elsewhere
        if i % 37 == 0:
            near.append(DAMAGED[i % len(DAMAGED)])
    lines = [*near, *far[::-1]]
    if shuffle:
        rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("shuffle", [False, True], ids=["far-apart", "shuffled"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_messy_files_stage_as_they_parse(tmp_path: Path, seed: int, shuffle: bool) -> None:
    path = _messy_file(tmp_path / "Master.csv", seed, 160, shuffle=shuffle)
    for sizes in (partitioned.Sizes(3, 4), partitioned.Sizes(7, 40), partitioned.Sizes(5, 1_000_000)):
        for options in (AdapterOptions(), AdapterOptions(switchboard_contexts=("public",))):
            assert_same("freeswitch_csv", path, options, sizes=sizes)


def test_the_messy_file_holds_every_case(tmp_path: Path) -> None:
    """The generated file really holds what the tests above claim to cover."""
    path = _messy_file(tmp_path / "Master.csv", 1, 160, shuffle=False)
    parsed = get_adapter("freeswitch_csv").parse(path, options=AdapterOptions())
    reasons = Counter(i.reason for i in parsed.filtered)
    outcomes = Counter(parsed.calls["outcome"].to_list())
    assert reasons["loopback leg (voicemail) whose call is not in the file"] > 0
    assert reasons["B leg whose A leg is not in the file"] > 0  # the far end of a chain
    assert {"answered", "voicemail", "closed", "abandoned", "busy", "timeout"} <= set(outcomes)
    assert {i.reason for i in parsed.rejected} == {
        "expected 15 fields, found 5",
        "unreadable start_stamp or missing uuid",
    }
    assert parsed.merged > 100


def test_stage_merges_in_many_partitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _messy_file(tmp_path / "Master.csv", 4, 160, shuffle=True)
    merged = partition_heights(monkeypatch)
    staged = assert_same(
        "freeswitch_csv", path, sizes=partitioned.Sizes(chunk_records=9, partition_records=20)
    )
    assert len(merged) > 10
    assert sum(merged) + len([i for i in staged.rejected if i.reason.startswith("expected")]) == (
        staged.records_read
    )
    assert max(merged) < staged.records_read // 4


def test_a_long_chain_of_b_legs_stays_one_partition(tmp_path: Path) -> None:
    """Each leg names the next (a transfer loop logged badly): the labelling needs many rounds."""
    legs = [f"{i:08d}-ffff-4d5e-8f90-{i:012d}" for i in range(60)]
    start = BASE
    lines = [
        _record("0701234567", "051317000", start, start, start + dt.timedelta(seconds=9), "NORMAL_CLEARING",
                uuid, legs[i + 1] if i + 1 < len(legs) else "")
        for i, uuid in enumerate(legs)
    ][::-1]  # fmt: skip
    path = tmp_path / "Master.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    staged = assert_same("freeswitch_csv", path, sizes=partitioned.Sizes(3, 4))
    assert staged.merged == 1  # the first A leg took the second as its B leg


def test_generated_bench_file_with_b_legs_at_the_end_stages_as_it_parses(tmp_path: Path) -> None:
    con = duckdb.connect()
    try:
        generated = write_freeswitch_csv(con, 400, tmp_path / "generated.csv", per_day=60)
    finally:
        con.close()
    lines = generated.read_text(encoding="utf-8").splitlines(keepends=True)
    a_legs = [line for line in lines if '"public"' in line]
    b_legs = [line for line in lines if '"public"' not in line]
    path = tmp_path / "Master.csv"
    path.write_text("".join([*a_legs, *b_legs[::-1]]), encoding="utf-8")
    staged = assert_same(
        "freeswitch_csv", path, sizes=partitioned.Sizes(chunk_records=37, partition_records=120)
    )
    assert staged.merged == len(b_legs) > 300
