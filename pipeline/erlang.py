"""Erlang C: how many operators a queue of calls needs for a service-level target.

The M/M/N queue: calls arrive at random (Poisson), handling times are exponential, callers wait in
one queue and nobody hangs up. With A = calls per second × handling time in seconds (the traffic in
Erlangs) and N operators (N > A):

- C(N, A), the probability that a call has to wait, computed through the Erlang B recursion
  B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1)) and C = N·B / (N − A·(1 − B)), which stays exact where
  the textbook form A^N/N! overflows;
- service level = 1 − C · exp(−(N − A) · target_s / handle_s), the share answered within target_s;
- mean wait (ASA) = C · handle_s / (N − A).

Real callers hang up: a queue where many abandon clears faster than the formula assumes, so Erlang C
overstates the operators needed there (see pipeline.staffing for how much, on the history).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def wait_probability(agents: int, traffic: float) -> float:
    """C(N, A): the probability that a call waits; 1.0 when the operators cannot keep up (N ≤ A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(agents: int, traffic: float, handle_s: float, target_s: float) -> float:
    """Share of calls answered within target_s seconds (0.0 when N ≤ A: the queue grows)."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waits = wait_probability(agents, traffic)
    return 1.0 - waits * math.exp(-(agents - traffic) * target_s / handle_s)


def mean_wait_s(agents: int, traffic: float, handle_s: float) -> float:
    """Average speed of answer over all calls, in seconds (infinite when N ≤ A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return wait_probability(agents, traffic) * handle_s / (agents - traffic)


@dataclass(frozen=True)
class Interval:
    """One interval's need: operators for the target, and what that staffing is expected to give."""

    calls: float
    handle_s: float
    interval_s: float
    agents: int
    traffic: float
    wait_probability: float
    service_level: float
    mean_wait_s: float

    @property
    def occupancy(self) -> float:
        return self.traffic / self.agents if self.agents else 0.0


def traffic_of(calls: float, handle_s: float, interval_s: float = 3600.0) -> float:
    return calls * handle_s / interval_s


def expected(
    agents: int, calls: float, handle_s: float, target_s: float, interval_s: float = 3600.0
) -> Interval:
    """What `agents` operators give for this load."""
    traffic = traffic_of(calls, handle_s, interval_s)
    return Interval(
        calls=calls,
        handle_s=handle_s,
        interval_s=interval_s,
        agents=agents,
        traffic=traffic,
        wait_probability=wait_probability(agents, traffic),
        service_level=service_level(agents, traffic, handle_s, target_s),
        mean_wait_s=mean_wait_s(agents, traffic, handle_s),
    )


def agents_needed(
    calls: float, handle_s: float, target_share: float, target_s: float, interval_s: float = 3600.0
) -> Interval:
    """The fewest operators whose expected service level reaches target_share (0 for no calls)."""
    if not 0 < target_share < 1:
        raise ValueError(f"target share {target_share}: expected between 0 and 1")
    if handle_s <= 0:
        raise ValueError(f"handling time {handle_s} s: expected more than 0")
    traffic = traffic_of(calls, handle_s, interval_s)
    agents = 0 if traffic <= 0 else math.floor(traffic) + 1
    while traffic > 0 and service_level(agents, traffic, handle_s, target_s) < target_share:
        agents += 1
    return expected(agents, calls, handle_s, target_s, interval_s)
