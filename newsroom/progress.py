"""One updating progress line on a terminal, for builds that take more than a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0  # seconds before the line appears
EVERY = 0.1  # seconds between updates


class Progress:
    """``stage(name, total)``, ``advance(n)``, ``finish()``: shows "rendering 5120/11542 (2,310/s)"."""

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._stage = ""
        self._total = 0
        self._done = 0
        self._stage_started = self.started
        self._shown = 0.0
        self._width = 0

    @classmethod
    def for_terminal(cls, quiet: bool) -> Progress:
        return cls(enabled=not quiet and sys.stderr.isatty())

    def stage(self, name: str, total: int) -> None:
        self._stage, self._total, self._done = name, total, 0
        self._stage_started = time.monotonic()

    def advance(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if not self.enabled or now - self.started < DELAY or now - self._shown < EVERY:
            return
        self._shown = now
        rate = self._done / max(now - self._stage_started, 1e-6)
        line = f"{self._stage} {self._done:,}/{self._total:,} ({rate:,.0f}/s)"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def finish(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
