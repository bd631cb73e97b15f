"""genanki imported without asyncio: a fresh interpreter each, since imports are per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from trainer_helpers import write_deck


def _python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_build_does_not_import_asyncio_and_writes_the_same_deck(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    write_deck(cards)
    out = _python(f"""
        import sys
        from pathlib import Path
        from srs_trainer.anki.build import build
        build([Path({str(cards)!r})], Path({str(tmp_path / 'ours')!r}))
        print("asyncio" in sys.modules)
        """)
    assert out.split() == ["False"]
    # genanki as itself (its own cached-property package) writes the same bytes.
    _python(f"""
        import genanki
        from pathlib import Path
        from srs_trainer.anki.build import build
        build([Path({str(cards)!r})], Path({str(tmp_path / 'plain')!r}))
        """)
    (ours,) = (tmp_path / "ours").glob("*.apkg")
    assert ours.read_bytes() == (tmp_path / "plain" / ours.name).read_bytes()


def test_another_library_still_gets_the_real_cached_property_package() -> None:
    out = _python("""
        from srs_trainer.anki.genanki_import import import_genanki
        import_genanki()
        from cached_property import cached_property, threaded_cached_property
        print(cached_property.__module__, threaded_cached_property.__module__)

        class Thing:
            @threaded_cached_property
            def value(self):
                return 42

        print(Thing().value)
        """)
    assert out.split() == ["cached_property", "cached_property", "42"]
