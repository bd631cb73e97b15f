"""genanki, imported without the asyncio it never uses.

genanki takes its ``cached_property`` from the cached-property package, which imports asyncio
at its top for async properties that genanki has none of: measured, 0.03 s of CPU of a
0.08 s import, paid by every `srs build`, an edit rebuild included. The standard library's
``functools.cached_property`` does what genanki asks of it (a value computed once per
instance, kept in its ``__dict__``), so it stands in for the package while genanki imports,
and only then: the stand-in leaves ``sys.modules`` afterwards, so whatever else imports the
package later in the process gets the real one.
"""

from __future__ import annotations

import sys
import types
from functools import cached_property

_PACKAGE = "cached_property"


def import_genanki() -> types.ModuleType:
    """The genanki module (imported once per process)."""
    if "genanki" in sys.modules or _PACKAGE in sys.modules:
        import genanki

        return genanki
    stand_in = types.ModuleType(_PACKAGE, "functools.cached_property, while genanki imports")
    vars(stand_in)["cached_property"] = cached_property
    sys.modules[_PACKAGE] = stand_in
    try:
        import genanki
    finally:
        if sys.modules.get(_PACKAGE) is stand_in:
            del sys.modules[_PACKAGE]
    return genanki
