"""One masking function for every text the database keeps from an input line.

Rejected lines (raw text and reason), filtered reasons, notices and file messages can all carry a
phone number from the input: a rejected line could not be split reliably, so its caller cannot be
pseudonymised, and the number may sit in any field (a queue name, a channel, a dialled number).
Anything that looks like a phone number is replaced by `#`; the line number leads back to the
original file for whoever may read it.

A number is seven or more digits, maybe after `+`, grouped by single separators as people and
systems write them: spaces (also no-break and narrow no-break spaces), dots, hyphens, slashes,
brackets. It is found inside other tokens too: `sip:0701234567@pbx`, `PJSIP/trunk-0701234567`,
`tel:+46701234567`. Dates (`2016-03-01`, `2016/03/01`, `01.03.2016`) at the start of such a run
are kept, so a rejected line's timestamps still say when.
"""

from __future__ import annotations

import re

_SEPARATOR = "[ \u00a0\u202f\u2009.\\-/()]"
_NUMBER = re.compile(rf"\+?\(?\d(?:{_SEPARATOR}{{0,2}}\d){{6,}}\)?")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d\d"
_DATE = re.compile(rf"{_YEAR}([-./]){_MONTH}\1{_DAY}|{_DAY}([-./]){_MONTH}\2{_YEAR}")
MASK = "#"


def _replace(match: re.Match[str]) -> str:
    text = match.group(0)
    date = _DATE.match(text.lstrip("+("))
    if date and not text.startswith(("+", "(")):
        rest = text[date.end() :]
        if not (rest[:1].isdigit()):  # a date, not the start of a longer digit run
            return text[: date.end()] + mask_numbers(rest)
    return MASK


def mask_numbers(text: str) -> str:
    """`text` with every phone-number-like run replaced by `#`."""
    return _NUMBER.sub(_replace, text)


def mask_optional(text: str | None) -> str | None:
    return None if text is None else mask_numbers(text)
