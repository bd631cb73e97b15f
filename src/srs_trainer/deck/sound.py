"""Sound in a source: Anki's own tag, ``[sound:PATH]``, in any Markdown text.

PATH is relative to the source, like an image's (``[sound:spanish.media/perro.mp3]``). The
build bundles the file and writes the tag with the file's name in the package, so Anki plays
it (anki/media.py); the terminal cannot play sound and shows the tag as written. A tag inside
code is code: not bundled, and written so that Anki does not play it.
"""

from __future__ import annotations

import re

SOUND_TAG = re.compile(r"\[sound:([^\]\n]+)\]")
