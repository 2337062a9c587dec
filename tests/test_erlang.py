"""Erlang C against published worked examples and the formula's closed forms."""

from __future__ import annotations

import math

import pytest

from pipeline import erlang


def test_call_centre_helper_worked_example() -> None:
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (callcentrehelper.com): 100 calls in 30 minutes, 180 s average handling time, 80 % within 20 s.
    Traffic 10 Erlangs; with 11 agents the probability of waiting is 68.21 % and the average speed of
    answer 122.8 s; 14 agents are the fewest that reach the 80 % target."""
    eleven = erlang.expected(11, calls=100, handle_s=180, target_s=20, interval_s=1800)
    assert eleven.traffic == pytest.approx(10.0)
    assert eleven.wait_probability == pytest.approx(0.6821, abs=5e-5)
    assert eleven.mean_wait_s == pytest.approx(122.8, abs=0.05)
    needed = erlang.agents_needed(100, handle_s=180, target_share=0.8, target_s=20, interval_s=1800)
    assert needed.agents == 14
    assert needed.service_level >= 0.8
    assert erlang.expected(13, 100, 180, 20, 1800).service_level < 0.8


def test_one_operator_is_the_single_server_queue() -> None:
    """M/M/1 (any queueing textbook, e.g. Kleinrock, Queueing Systems vol. 1, §3.2): the probability
    of waiting is the utilisation ρ, and the mean wait ρ/(1 − ρ) handling times."""
    assert erlang.wait_probability(1, 0.6) == pytest.approx(0.6)
    assert erlang.mean_wait_s(1, 0.6, handle_s=100) == pytest.approx(100 * 0.6 / 0.4)


def test_two_operators_match_the_closed_form() -> None:
    """M/M/2: C(2, A) = A² / (2 + A) (from the Erlang C formula with N = 2)."""
    for traffic in (0.5, 1.0, 1.5):
        assert erlang.wait_probability(2, traffic) == pytest.approx(traffic**2 / (2 + traffic))


def test_large_queues_stay_finite_where_factorials_overflow() -> None:
    probability = erlang.wait_probability(400, 380.0)
    assert 0 < probability < 1
    assert math.isfinite(erlang.mean_wait_s(400, 380.0, 180))


def test_no_calls_need_nobody_and_too_few_operators_never_catch_up() -> None:
    assert erlang.agents_needed(0, 180, 0.8, 20).agents == 0
    assert erlang.service_level(5, 5.0, 180, 20) == 0.0
    assert erlang.mean_wait_s(4, 5.0, 180) == math.inf
    with pytest.raises(ValueError):
        erlang.agents_needed(10, 180, 80, 20)
