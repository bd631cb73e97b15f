"""Shared fixtures. Test-specific fixtures live in the test modules that use them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so a test run (and CI) is reproducible;
# SRS_HYPOTHESIS=explore draws new ones each time, to hunt for bugs.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("SRS_HYPOTHESIS", "repeatable"))

REPO_ROOT = Path(__file__).resolve().parent.parent
CARDS_DIR = REPO_ROOT / "cards"
SEED_PAGE = REPO_ROOT.parent / "shared" / "seed" / "000_02a2b9abe10e1c92.txt"
FACTS_DIR = REPO_ROOT.parent / "shared" / "facts"


@pytest.fixture
def seed_page() -> Path:
    """The quiz page the project started from; only present beside a workplace checkout."""
    if not SEED_PAGE.is_file():
        pytest.skip(f"seed page not found at {SEED_PAGE} (../shared/ exists only in the workplace)")
    return SEED_PAGE


@pytest.fixture
def bundled_deck_source() -> Path:
    """The committed bundled deck: a rename or a loss fails the tests using it, never skips them."""
    path = CARDS_DIR / "django-async.yaml"
    assert path.is_file(), f"the bundled deck {path} is missing (renamed? update the tests)"
    return path
