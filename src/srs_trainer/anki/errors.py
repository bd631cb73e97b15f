"""What can stop a build besides invalid sources (those raise ``deck.problems.InputError``).

Its own module so that the command can name them without importing the compiler or the
packager: a build with nothing to do imports neither.
"""

from __future__ import annotations


class BuildError(Exception):
    """A build that cannot go ahead for a reason other than invalid sources."""


class ExportError(BuildError):
    """A previous package that cannot serve as the build's state (not ours, or damaged)."""
