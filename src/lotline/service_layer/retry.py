"""Running a use case again when its unit of work lost a deadlock or serialisation failure."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from lotline.domain.errors import Conflict

R = TypeVar("R")
P = ParamSpec("P")
ATTEMPTS = 3
BACKOFF_SECONDS = 0.02


class TransientConflict(Conflict):
    """A deadlock or serialisation failure, after the unit of work rolled back."""

    def __init__(self) -> None:
        super().__init__("the database could not order this change with others made at the "
                         "same time (deadlock or serialisation failure); nothing was written, "
                         "retry the request")


def retry_transient(method: Callable[P, R]) -> Callable[P, R]:
    """Run a service method again (at most ATTEMPTS times in all, after a short jittered
    pause) when its unit of work ended in a deadlock or serialisation failure. For methods
    whose every effect is in their units of work: a failed attempt left nothing behind."""
    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except TransientConflict:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0.5, 1.5) * BACKOFF_SECONDS * attempt)
        raise AssertionError("unreachable")  # the loop returns or raises
    return run

