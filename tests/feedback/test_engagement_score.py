"""The engagement score as a pure function: crafted signals, exact scores, levels and reasons."""

from __future__ import annotations

from datetime import date

from feedback.engagement import PairSignals, score_pair


def signals(**overrides: object) -> PairSignals:
    """A pair doing everything right: met 5 days ago, all check-ins answered with a good pulse,
    sessions confirmed, goals ahead of the term."""
    base: dict[str, object] = {
        "session_cadence_days": 14,
        "days_in_program": 60,
        "days_since_last_session": 5,
        "check_ins_due": 2,
        "check_ins_answered": 2,
        "mean_rating": 4.5,
        "sessions_counted": 4,
        "sessions_confirmed": 4,
        "goal_count": 2,
        "mean_goal_progress": 50.0,
        "term_elapsed": 0.4,
    }
    base.update(overrides)
    return PairSignals(**base)  # type: ignore[arg-type]


def reason(result, code: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.reasons if r.code == code)


def test_a_pair_doing_everything_right_is_healthy_at_100() -> None:
    result = score_pair(signals())
    assert (result.score, result.level) == (100, "healthy")
    assert [r.code for r in result.reasons] == [
        "recent_session",
        "check_ins_answered",
        "good_pulse",
        "confirmation_rate",
        "goal_progress",
    ]
    assert reason(result, "recent_session").text == "Last session 5 days ago (cadence 14 days)"
    assert all(r.points == 0 for r in result.reasons)


def test_no_session_for_twice_the_cadence_is_at_risk_whatever_the_score() -> None:
    result = score_pair(signals(days_since_last_session=31))
    assert result.score == 60  # "watch" by score alone
    assert result.level == "at_risk"
    gap = reason(result, "no_recent_session")
    assert gap.points == -40
    assert gap.text == "No session for 31 days, more than twice the cadence of 14 days"
    assert result.is_inactive


def test_a_session_overdue_within_twice_the_cadence_costs_15_points() -> None:
    result = score_pair(signals(days_since_last_session=20))
    assert (result.score, result.level) == (85, "healthy")
    assert reason(result, "session_overdue").text == "No session for 20 days (cadence 14 days)"
    assert result.is_inactive


def test_exactly_the_cadence_is_still_on_time() -> None:
    assert score_pair(signals(days_since_last_session=14)).score == 100
    assert score_pair(signals(days_since_last_session=28)).reasons[0].code == "session_overdue"
    assert score_pair(signals(days_since_last_session=29)).reasons[0].code == "no_recent_session"


def test_a_new_pair_that_has_not_met_yet_is_given_one_cadence() -> None:
    fresh = score_pair(
        signals(days_since_last_session=None, days_in_program=10, sessions_counted=0)
    )
    assert reason(fresh, "no_session_yet").points == 0
    assert not fresh.is_inactive
    late = score_pair(signals(days_since_last_session=None, days_in_program=40, sessions_counted=0))
    first = late.reasons[0]
    assert (first.code, first.points) == ("no_recent_session", -40)
    assert first.text.startswith("No session logged in the 40 days since the pair started")
    assert late.level == "at_risk"


def test_a_paused_pair_is_not_expected_to_meet() -> None:
    result = score_pair(
        signals(days_since_last_session=90, paused=True, paused_until=date(2030, 5, 1))
    )
    assert reason(result, "paused").text == "Paused until 1 May 2030: no session expected meanwhile"
    assert result.score == 100
    assert not result.is_inactive


def test_a_low_pulse_is_at_risk_and_a_middling_one_costs_10() -> None:
    low = score_pair(signals(mean_rating=1.5))
    assert (low.score, low.level) == (75, "at_risk")
    assert reason(low, "low_pulse").text == "Low pulse: mean rating 1.5 of 5"
    middling = score_pair(signals(mean_rating=3.0))
    assert (middling.score, middling.level) == (90, "healthy")
    assert reason(middling, "middling_pulse").points == -10


def test_mostly_unanswered_check_ins_are_at_risk_a_few_cost_points() -> None:
    ignored = score_pair(signals(check_ins_due=4, check_ins_answered=1))
    assert ignored.level == "at_risk"
    assert reason(ignored, "unanswered_check_ins").text == "1 of 4 check-ins answered"
    assert ignored.score == 80
    mostly = score_pair(signals(check_ins_due=4, check_ins_answered=3))
    assert reason(mostly, "check_ins_answered").points == -5
    assert mostly.level == "healthy"


def test_no_check_in_due_yet_is_neutral() -> None:
    result = score_pair(signals(check_ins_due=0, check_ins_answered=0, mean_rating=None))
    assert reason(result, "no_check_ins_due").points == 0
    assert "good_pulse" not in result.codes
    assert result.score == 100


def test_asking_for_contact_puts_the_pair_on_watch_at_least() -> None:
    result = score_pair(signals(wants_contact=True))
    assert (result.score, result.level) == (90, "watch")
    assert reason(result, "wants_contact").points == -10


def test_unconfirmed_sessions_lower_the_score_in_proportion() -> None:
    result = score_pair(signals(sessions_counted=2, sessions_confirmed=1))
    assert reason(result, "confirmation_rate").text == "1 of 2 sessions confirmed by the partner"
    assert result.score == 95
    assert "confirmation_rate" not in score_pair(signals(sessions_counted=0)).codes


def test_goals_are_compared_with_the_share_of_the_term_gone() -> None:
    none_late = score_pair(signals(goal_count=0, mean_goal_progress=None, term_elapsed=0.4))
    assert reason(none_late, "no_goals").text == "No goals set with 40% of the term gone"
    assert none_late.score == 90
    none_early = score_pair(signals(goal_count=0, mean_goal_progress=None, term_elapsed=0.1))
    assert reason(none_early, "no_goals_yet").points == 0
    far_behind = score_pair(signals(mean_goal_progress=10.0, term_elapsed=0.7))
    behind = reason(far_behind, "goals_behind")
    assert (behind.points, behind.text) == (
        -15,
        "Goals at 10% on average with 70% of the term gone",
    )
    a_bit_behind = score_pair(signals(mean_goal_progress=10.0, term_elapsed=0.4))
    assert reason(a_bit_behind, "goals_behind").points == -8
    undated = score_pair(signals(mean_goal_progress=10.0, term_elapsed=None))
    assert reason(undated, "goal_progress").points == 0


def test_everything_wrong_floors_at_zero_and_is_at_risk() -> None:
    result = score_pair(
        signals(
            days_since_last_session=60,
            check_ins_due=4,
            check_ins_answered=1,
            mean_rating=1.0,
            wants_contact=True,
            sessions_counted=2,
            sessions_confirmed=0,
            goal_count=0,
            mean_goal_progress=None,
            term_elapsed=0.8,
        )
    )
    assert (result.score, result.level) == (0, "at_risk")
    assert sum(r.points for r in result.reasons) == -40 - 20 - 25 - 10 - 10 - 10


def test_the_score_between_45_and_70_is_watch() -> None:
    result = score_pair(
        signals(
            days_since_last_session=20,
            mean_rating=3.0,
            wants_contact=False,
            check_ins_due=4,
            check_ins_answered=3,
            mean_goal_progress=10.0,
            term_elapsed=0.7,
        )
    )
    assert result.score == 100 - 15 - 5 - 10 - 15
    assert result.level == "watch"
