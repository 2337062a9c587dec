"""The merging steps every adapter shares: the Ledger of set-aside records, grouping and the emit."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from pipeline.formats import textio
from pipeline.formats.base import RowIssue


def _table(
    rows: list[tuple[str | None, str | None, str | None]], *, reader_rejected: int = 0
) -> textio.Table:
    """Records `(key, start, kind)` on lines 2, 3, …; the reader already rejected `reader_rejected` more."""
    frame = pl.DataFrame(
        {
            "key": [r[0] for r in rows],
            "start": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "line_no": list(range(2, len(rows) + 2)),
            "raw": [",".join(v or "" for v in r) for r in rows],
        },
        schema={
            "key": pl.String,
            "start": pl.String,
            "kind": pl.String,
            "line_no": pl.Int64,
            "raw": pl.String,
        },
    )
    rejected = [RowIssue(100 + i, "debris", "expected 3 fields, found 1") for i in range(reader_rejected)]
    return textio.Table(frame, len(rows) + reader_rejected, rejected)


def _merge(table: textio.Table) -> tuple[textio.Ledger, pl.DataFrame]:
    ledger = textio.Ledger(table)
    frame = table.frame.with_columns(started=textio.parse_ts("start"))
    frame = ledger.reject_unreadable(frame, "started", "start time")
    frame = ledger.filter(frame, pl.col("kind") == "internal", "internal call")
    calls = textio.group_calls(frame.sort(["key", "line_no"]), "key", started=pl.col("started").min())
    calls = ledger.filter_calls(
        calls, pl.col("key") != "B", lambda call: f"not a switchboard call ({call['key']})"
    )
    return ledger, calls


def test_every_record_is_a_call_merged_rejected_or_filtered_with_its_reason() -> None:
    table = _table(
        [
            ("A", "2024-03-04 08:00:00", "in"),
            ("A", "2024-03-04 08:00:05", "in"),  # a second leg of call A
            ("B", "2024-03-04 09:00:00", "in"),  # a call the switchboard filter drops, both legs
            ("B", "2024-03-04 09:00:01", "in"),
            ("C", "04/03/2024 10:00", "in"),  # a start in no known layout
            ("D", "2024-03-04 11:00:00", "internal"),
        ],
        reader_rejected=1,
    )
    ledger, calls = _merge(table)
    emitted = textio.emit(
        calls,
        outcome=pl.lit("abandoned"),
        stamp=textio.naive_text,
        answered=pl.lit(None, pl.Datetime("us")),
        ended="started",
        talk=pl.lit(0),
    )
    parsed = ledger.parsed(emitted, fmt="test", source_system="test", direction_known=False)

    assert parsed.calls["call_id"].to_list() == ["A"]
    assert parsed.merged == 1
    assert [(r.line_no, r.reason) for r in parsed.rejected] == [
        (100, "expected 3 fields, found 1"),
        (6, "unreadable start time"),
    ]
    assert [(r.line_no, r.reason) for r in parsed.filtered] == [
        (7, "internal call"),
        (4, "not a switchboard call (B)"),
        (5, "not a switchboard call (B)"),
    ]
    assert parsed.records_read == parsed.calls.height + parsed.merged + len(parsed.rejected) + len(
        parsed.filtered
    )


def test_an_unknown_never_drops_a_record() -> None:
    table = _table([("A", "2024-03-04 08:00:00", None), ("B", "2024-03-04 09:00:00", "in")])
    ledger = textio.Ledger(table)
    # `kind == "internal"` is null on the first row: not a reason to filter it.
    frame = ledger.filter(table.frame, pl.col("kind") == "internal", "internal call")
    calls = textio.group_calls(frame, "key", kind=pl.col("kind").first())
    calls = ledger.filter_calls(calls, pl.col("kind") == "in", lambda call: "not in")
    assert calls["key"].to_list() == ["A", "B"]
    assert ledger.filtered == []


def test_group_calls_keeps_each_calls_first_line_count_and_records() -> None:
    frame = _table([("A", None, None), ("B", None, None), ("A", None, None)]).frame
    calls = textio.group_calls(frame.sort(["key", "line_no"]), "key")
    assert calls.select("key", "line_no", "n", "lines").rows() == [("A", 2, 2, [2, 4]), ("B", 3, 1, [3])]


def _call(outcome: str, *, answered: datetime | None) -> dict[str, object]:
    return {
        "key": outcome,
        "o": outcome,
        "started": datetime(2024, 3, 4, 8, 0, 0),
        "answered": answered,
        "ended": datetime(2024, 3, 4, 8, 2, 0),
        "talk": 90,
    }


def test_emit_gives_answer_and_talk_to_answered_calls_only() -> None:
    ivr_answer = datetime(2024, 3, 4, 8, 0, 10)
    calls = pl.DataFrame(
        [
            _call("answered", answered=datetime(2024, 3, 4, 8, 0, 30)),
            _call("abandoned", answered=ivr_answer),  # the PBX answered: not a person
            _call("busy", answered=None),
        ]
    )
    out = textio.emit(calls, outcome=pl.col("o"), stamp=textio.utc_text, waits_until_hangup=("abandoned",))
    assert out.select("call_id", "started_at", "answered_at", "wait_s", "talk_s").rows() == [
        ("answered", "2024-03-04T08:00:00+00:00", "2024-03-04T08:00:30+00:00", "30", "90"),
        ("abandoned", "2024-03-04T08:00:00+00:00", None, "120", None),
        ("busy", "2024-03-04T08:00:00+00:00", None, None, None),
    ]


def test_emit_takes_a_wait_the_format_logs_itself() -> None:
    calls = pl.DataFrame([_call("abandoned", answered=None)]).with_columns(
        pl.col("answered").cast(pl.Datetime("us")), logged_wait=pl.lit(45)
    )
    out = textio.emit(
        calls, outcome=pl.col("o"), stamp=textio.naive_text, wait=pl.col("logged_wait"), queue=pl.lit("växel")
    )
    assert out.select("ended_at", "wait_s", "queue").row(0) == ("2024-03-04 08:02:00", "45", "växel")
