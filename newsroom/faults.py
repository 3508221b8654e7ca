"""Named points at which a test can stop a build dead, instead of guessing with timed sleeps.

``NEWSROOM_KILL_AT=<point>`` makes the build SIGKILL itself when it reaches that point,
as a CI time-out or the OOM killer would; ``NEWSROOM_RAISE_AT=<point>`` raises an
unexpected exception there instead. Unset (always, outside tests), a point costs one
dictionary lookup. The points, in the order a build reaches them:

* ``read`` — the first batch of articles has come back from the workers;
* ``render`` — the first batch of pages has come back from the workers;
* ``before-rename`` — a first build is complete in its staging folder, not yet renamed;
* ``before-journal`` — an update is staged; its journal is not written yet;
* ``apply-midway`` — half of the journal's files are moved in;
* ``after-moves`` — every file is moved in; stale files are not deleted yet;
* ``after-commit`` — the output is complete; the cache is not saved yet;
* ``before-cache-header`` — the cache's new shards are written, its header is not.
"""

from __future__ import annotations

import os
import signal

POINTS = ("read", "render", "before-rename", "before-journal", "apply-midway", "after-moves",
          "after-commit", "before-cache-header")


class InjectedFault(RuntimeError):
    """The unexpected exception that ``NEWSROOM_RAISE_AT`` asks for."""


def point(name: str) -> None:
    """Die or raise here if a test asked for it; otherwise do nothing."""
    if os.environ.get("NEWSROOM_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("NEWSROOM_RAISE_AT") == name:
        raise InjectedFault(f"injected fault at {name!r}")
