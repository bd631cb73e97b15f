"""The trainer: FSRS scheduling, grading, mastery, settings, the store and the session."""
