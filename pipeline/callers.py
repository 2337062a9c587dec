"""Callers, not calls, for the board: a month's caller figures as lines for a board pack or report.

Reads the callers_by_month view (pseudonyms counted at ingest; nothing leads back to a number).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline import readable
from pipeline.store import fetch_one


@dataclass(frozen=True)
class MonthCallers:
    year: int
    month: int
    callers: int
    reached_share: float | None
    repeat_callers: int
    gave_up_caller_days: int
    never_through: int
    resolution_rate: float | None
    anonymous_calls: int
    is_final: bool


def month_callers(
    con: duckdb.DuckDBPyConnection, year: int, month: int, org: str | None = None
) -> MonthCallers | None:
    row = fetch_one(
        con,
        "select callers, reached_share, repeat_callers, gave_up_caller_days, never_through,"
        " resolution_rate, anonymous_calls, is_final from callers_by_month"
        " where year = $year and month = $month and organisation = $scope",
        {"year": year, "month": month, "scope": org or "(alla)"},
    )
    if row is None:
        return None
    return MonthCallers(
        year,
        month,
        int(row[0]),
        row[1],
        int(row[2]),
        int(row[3]),
        int(row[4]),
        row[5],
        int(row[6]),
        bool(row[7]),
    )


def board_lines(figures: MonthCallers, lang: str = "sv") -> list[str]:
    """Four lines for a slide: who called, who reached a person, who never got through, who called again."""

    def n(value: int) -> str:
        return readable.number(value, 0, lang)

    def share(value: float | None) -> str:
        return readable.share(value, 1, lang)

    month = readable.month_label(figures.year, figures.month, lang)
    note = "" if figures.is_final else (" (preliminärt)" if lang == "sv" else " (provisional)")
    if lang == "sv":
        return [
            f"Uppringare {month}: {n(figures.callers)} personer, varav {share(figures.reached_share)} nådde en"
            f" handläggare; {n(figures.repeat_callers)} ringde tre gånger eller fler",
            f"Gav upp och kom inte fram senast nästa arbetsdag: {n(figures.never_through)} tillfällen{note}",
            f"Ringde inte igen inom två arbetsdagar efter svar: {share(figures.resolution_rate)}{note}",
            f"Samtal från dolda nummer (räknas inte som personer): {n(figures.anonymous_calls)}",
        ]
    return [
        f"Callers {month}: {n(figures.callers)} people, {share(figures.reached_share)} of whom reached a"
        f" person; {n(figures.repeat_callers)} called three times or more",
        f"Gave up and did not get through by the next working day: {n(figures.never_through)} times{note}",
        f"Did not call again within two working days after an answer: {share(figures.resolution_rate)}{note}",
        f"Calls from withheld numbers (not counted as people): {n(figures.anonymous_calls)}",
    ]
