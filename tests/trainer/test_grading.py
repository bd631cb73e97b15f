from __future__ import annotations

import pytest

from srs_trainer.trainer.grading import Outcome, Rating, easy_threshold, grade


@pytest.mark.parametrize(
    ("outcome", "rating"),
    [
        (Outcome(correct=False, attempts_used=2, elapsed=5, time_limit=120), Rating.AGAIN),
        (Outcome(correct=True, attempts_used=2, elapsed=5, time_limit=120), Rating.HARD),
        (Outcome(correct=True, attempts_used=1, hint_used=True, elapsed=5, time_limit=120),
         Rating.HARD),
        (Outcome(correct=True, attempts_used=1, elapsed=121, time_limit=120), Rating.HARD),
        (Outcome(correct=True, attempts_used=1, elapsed=120, time_limit=120), Rating.GOOD),
        (Outcome(correct=True, attempts_used=1, elapsed=20.5, time_limit=120), Rating.GOOD),
        (Outcome(correct=True, attempts_used=1, elapsed=20, time_limit=120), Rating.EASY),
        # 25% of a 60 s limit is 15 s: the share applies before the 20 s cap.
        (Outcome(correct=True, attempts_used=1, elapsed=16, time_limit=60), Rating.GOOD),
        (Outcome(correct=True, attempts_used=1, elapsed=15, time_limit=60), Rating.EASY),
        # Untimed (practice): never Easy.
        (Outcome(correct=True, attempts_used=1, elapsed=1, time_limit=None), Rating.GOOD),
        (Outcome(correct=True, attempts_used=2, elapsed=1, time_limit=None), Rating.HARD),
    ],
)
def test_grade_follows_the_documented_thresholds(outcome: Outcome, rating: Rating) -> None:
    assert grade(outcome) is rating


def test_easy_threshold_is_a_quarter_of_the_limit_capped_at_20_seconds() -> None:
    assert easy_threshold(40) == 10
    assert easy_threshold(120) == 20
    assert easy_threshold(3600) == 20


def test_ratings_have_fsrs_values_and_labels() -> None:
    import fsrs

    assert [int(r) for r in Rating] == [int(r) for r in fsrs.Rating]
    assert Rating.HARD.label == "Hard"
