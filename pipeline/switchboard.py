"""The switchboard definition, and what the ingest summary says about it for each file.

A site says which calls are the switchboard's with three lists in its settings: numbers
(`switchboard_numbers`, with the organisation each belongs to), queues (`switchboard_queues`) and
dialplan contexts (`switchboard_contexts`). Each list that is empty does not filter; with all three
empty every call a file records counts (inbound only where the format records direction). The notes
here keep the summary true to that: they say which rules filtered how many calls, and when a rule
filtered most of a file they name what the file did dial, so the settings can be fixed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.config import Settings

# Filter reasons start with one of these stems; the part in brackets says what the call dialled.
NUMBER_STEM = "not a switchboard number"
STEMS = (NUMBER_STEM, "not a switchboard queue", "not a switchboard call")
# More than this share of a file's calls filtered as "not the switchboard" is worth a warning line:
# it is what a wrong or missing number looks like, not what a normal export does.
MOSTLY_FILTERED = 0.5


@dataclass(frozen=True)
class Definition:
    numbers: int
    queues: int
    contexts: int

    @classmethod
    def of(cls, settings: Settings) -> Definition:
        return cls(
            len(settings["switchboard_numbers"]),
            len(settings["switchboard_queues"]),
            len(settings["switchboard_contexts"]),
        )

    @property
    def configured(self) -> bool:
        return bool(self.numbers or self.queues or self.contexts)

    def describe(self) -> str:
        parts = [(self.numbers, "number"), (self.queues, "queue"), (self.contexts, "context")]
        return ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in parts if n)


def stem(reason: str) -> str:
    """'not a switchboard call (context from-internal, dst 1001)' → 'not a switchboard call'."""
    return reason.split(" (", 1)[0]


def is_switchboard_filter(reason: str) -> bool:
    return stem(reason) in STEMS


def detail(reason: str) -> str:
    """What a filtered call dialled, from the bracket of its reason ('' when there is none)."""
    return reason.split(" (", 1)[1].rstrip(")") if " (" in reason else ""


def notes(
    definition: Definition,
    *,
    direction_known: bool,
    format_name: str,
    counted: int,
    filtered_reasons: dict[str, int],
    dialled_seen: Iterable[tuple[str, int]],
) -> list[str]:
    """The summary's lines about the switchboard definition for one file.

    `counted` is the file's calls that passed every filter (loaded or duplicate); `dialled_seen` the
    dialled numbers of the calls the numbers rule filtered, most frequent first.
    """
    out: list[str] = []
    by_rule: Counter[str] = Counter()
    for reason, rows in filtered_reasons.items():
        if is_switchboard_filter(reason):
            by_rule[stem(reason)] += rows
    if not definition.configured:
        if not direction_known and format_name != "callstats":
            out.append(
                f"the format does not record direction and no switchboard numbers, queues or contexts are"
                f" set: all {counted} calls were counted as offered, outbound and internal ones included"
                " (`callstats inspect FILE` shows what to set)"
            )
        return out
    rules = "; ".join(f"{rows} {rule}" for rule, rows in by_rule.most_common()) or "none filtered"
    out.append(f"switchboard definition ({definition.describe()}): {counted} calls kept; {rules}")
    not_switchboard = sum(by_rule.values())
    total = counted + not_switchboard
    if total and not_switchboard > MOSTLY_FILTERED * total:
        seen = _most_seen(filtered_reasons, dialled_seen)
        out.append(
            f"{not_switchboard} of {total} calls were not the switchboard by the settings; the calls"
            f" dialled most: {seen or 'no dialled number recorded'}. If these are the switchboard's,"
            " add them to switchboard_numbers (or queues/contexts) in callstats.toml"
            " (`callstats inspect FILE` prints the lines)"
        )
    return out


def _most_seen(filtered_reasons: dict[str, int], dialled_seen: Iterable[tuple[str, int]]) -> str:
    seen: Counter[str] = Counter(dict(dialled_seen))
    for reason, rows in filtered_reasons.items():
        if is_switchboard_filter(reason) and stem(reason) != NUMBER_STEM and detail(reason):
            seen[detail(reason)] += rows
    return ", ".join(f"{what} ({rows})" for what, rows in seen.most_common(3))
