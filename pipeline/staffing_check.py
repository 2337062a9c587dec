"""How far Erlang C is from what happened: each past week's service level as predicted from the
operators seen at work, against the service level measured.

Erlang C assumes nobody hangs up. Callers who give up leave the queue, so those who stay wait less
than the formula says: where abandonment is high, the measured service level beats the predicted one
and Erlang C overstates the operators needed. The check needs call rows (it reads `calls`), so it
covers the weeks since the last purge. Operators present are estimated per hour as the most calls
being talked at the same moment: a lower bound (an operator who took no call is not seen), which
makes the prediction, if anything, pessimistic too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipeline import erlang, store


@dataclass(frozen=True)
class WeekCheck:
    week_start: dt.date
    calls: int
    abandon_share: float
    predicted: float  # service level Erlang C predicts for the operators seen, weighted by calls
    measured: float  # share of offered calls answered within the target

    @property
    def gap(self) -> float:
        """Measured minus predicted, in share points: positive where Erlang C is too pessimistic."""
        return self.measured - self.predicted


def check_weeks(
    con: duckdb.DuckDBPyConnection,
    last_day: dt.date,
    *,
    weeks: int = 12,
    org: str = "",
    target_s: float = 20,
    wrap_up_s: float = 0,
) -> list[WeekCheck]:
    """The `weeks` whole ISO weeks up to last_day, oldest first (weeks without call rows are left out)."""
    end = last_day - dt.timedelta(days=last_day.isoweekday() % 7)  # the last Sunday on or before it
    first = end - dt.timedelta(days=7 * weeks - 1)
    rows = con.execute(
        store.sql_text("forecast/staffing_history.sql"),
        {"first": first, "last": end, "org": org, "service_level_s": target_s},
    ).fetchall()
    # (date, offered, within target, abandoned, answered, talk seconds, most talking at once)
    by_week: dict[dt.date, list[tuple[dt.date, int, int, int, int, float, int]]] = {}
    for row in rows:
        day: dt.date = row[0]
        hour = (day, int(row[2]), int(row[3]), int(row[4]), int(row[5]), float(row[6]), int(row[7]))
        by_week.setdefault(day - dt.timedelta(days=day.isoweekday() - 1), []).append(hour)
    checks = []
    for monday, hours in sorted(by_week.items()):
        answered = sum(h[4] for h in hours)
        if not answered:
            continue
        handle_s = sum(h[5] for h in hours) / answered + wrap_up_s
        calls = sum(h[1] for h in hours)
        predicted = sum(
            offered * erlang.service_level(peak, erlang.traffic_of(offered, handle_s), handle_s, target_s)
            for _, offered, _, _, _, _, peak in hours
        )
        measured = sum(h[2] for h in hours)
        abandoned = sum(h[3] for h in hours)
        checks.append(WeekCheck(monday, calls, abandoned / calls, predicted / calls, measured / calls))
    return checks


def summary(checks: list[WeekCheck], lang: str = "en", numbers: str = "sv") -> str | None:
    """One sentence on the checked weeks (None without any): words in `lang`, numbers written the
    `numbers` way (the terminal's texts use Swedish numbers with English words)."""
    from pipeline import readable

    if not checks:
        return None
    calls = sum(c.calls for c in checks)
    predicted = sum(c.predicted * c.calls for c in checks) / calls
    measured = sum(c.measured * c.calls for c in checks) / calls
    abandoned = sum(c.abandon_share * c.calls for c in checks) / calls
    gap = readable.number(abs(measured - predicted) * 100, 1, lang if lang == "sv" else numbers)
    if lang == "sv":
        verdict = (
            f"Erlang C överskattar alltså behovet här ({gap} procentenheter)"
            if measured > predicted
            else f"Erlang C var {gap} procentenheter för optimistisk här: fler operatörer än de som syns i"
            " samtalen behövs, eller väntetiderna följer inte en enkel kö"
        )
        return (
            f"Kontroll mot historiken ({len(checks)} veckor): med de operatörer som syntes i arbete förutsade"
            f" Erlang C {readable.share(predicted, 1, lang)} besvarade inom målet; utfallet blev"
            f" {readable.share(measured, 1, lang)}, och {readable.share(abandoned, 1, lang)} gav upp. {verdict}."
        )
    verdict = (
        f"so Erlang C overstates the need here (by {gap} points)"
        if measured > predicted
        else f"so Erlang C was {gap} points too optimistic here: more operators than those seen on calls"
        " were needed, or the waits do not follow a simple queue"
    )
    return (
        f"checked on the history ({len(checks)} weeks): with the operators seen at work, Erlang C predicted"
        f" {readable.share(predicted, 1, numbers)} answered within the target; {readable.share(measured, 1, numbers)} were,"
        f" and {readable.share(abandoned, 1, numbers)} gave up; {verdict}"
    )
