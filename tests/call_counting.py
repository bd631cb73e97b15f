"""Counting calls of a real function, whatever name or import style its callers use.

Monkeypatching ``module.function`` only sees callers that look the name up in that module at
call time; one that did ``from module import function`` at import time keeps the original and
a "must not parse again" test would pass while parsing happens. The profiler hook sees every
call of the function's code object instead, however it was reached (in this thread).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def calls_to(function: Callable[..., Any]) -> Iterator[list[dict[str, Any]]]:
    """The arguments of every call of ``function`` made while the block runs, in order."""
    code = function.__code__
    calls: list[dict[str, Any]] = []

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is code:
            calls.append(dict(frame.f_locals))

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(previous)

