"""Numbers, dates and period labels the way a Swedish (or English) reader expects them.

Swedish: thousands separated by a no-break space ("6 247"), decimal comma ("4,5"), "53 %",
month and weekday names in lower case, weeks as "v. 51", "t.o.m." for "up to and including".
Shared by the terminal reports and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import math

NBSP = "\u00a0"
MONTHS = {
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
MONTHS_SHORT = {
    "sv": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
WEEKDAYS = {
    "sv": ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, decimals: int = 0, lang: str = "sv") -> str:
    """6247 → '6 247' (sv, no-break space) or '6,247' (en); 4.5 → '4,5' / '4.5'."""
    if is_missing(value):
        return "–"
    assert value is not None
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return text.replace("-", "−") if text.startswith("-") else text


def workdays(value: float | None, lang: str = "sv") -> str:
    """Working days with one decimal only when needed: 5 → '5', 4.5 → '4,5'."""
    if is_missing(value):
        return "–"
    assert value is not None
    return number(value, 0 if float(value).is_integer() else 1, lang)


def percent(value: float | None, decimals: int = 1, lang: str = "sv", signed: bool = False) -> str:
    """A value already in percent: 53.0 → '53,0 %'; signed adds '+' to gains."""
    if is_missing(value):
        return "–"
    assert value is not None
    text = number(value, decimals, lang)
    if signed and value > 0:
        text = "+" + text
    return f"{text}{NBSP}%" if lang == "sv" else f"{text}%"


def share(value: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A ratio 0–1 as percent: 0.884 → '88,4 %'."""
    return percent(None if is_missing(value) else float(value) * 100, decimals, lang)  # type: ignore[arg-type]


def date_text(day: dt.date, lang: str = "sv") -> str:
    """'21 februari 2017' / '21 February 2017'."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def month_label(year: int, month: int, lang: str = "sv") -> str:
    return f"{MONTHS[lang][month - 1]} {year}"


def week_label(iso_week: int, lang: str = "sv") -> str:
    return f"v. {iso_week}" if lang == "sv" else f"wk {iso_week}"


def days_label(days: float, lang: str = "sv") -> str:
    unit = ("dag" if days == 1 else "dagar") if lang == "sv" else ("day" if days == 1 else "days")
    return f"{workdays(days, lang)} {unit}"


def through_label(day: dt.date, lang: str = "sv") -> str:
    """'t.o.m. 21 feb' / 'to 21 Feb'."""
    short = MONTHS_SHORT[lang][day.month - 1]
    return f"t.o.m. {day.day} {short}" if lang == "sv" else f"to {day.day} {short}"


def day_span_label(first: dt.date, last: dt.date, lang: str = "sv") -> str:
    """'1–2 dec' within a month; '28 nov–4 dec' across months."""
    short = MONTHS_SHORT[lang]
    if first == last:
        return f"{first.day} {short[first.month - 1]}"
    if first.month == last.month:
        return f"{first.day}–{last.day} {short[last.month - 1]}"
    return f"{first.day} {short[first.month - 1]}–{last.day} {short[last.month - 1]}"
