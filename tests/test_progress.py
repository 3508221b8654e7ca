"""The progress line: shown on a terminal for long builds, never when piped or quiet."""

from __future__ import annotations

import io

from newsroom import progress as progress_module
from newsroom.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_build_shows_one_updating_line_and_clears_it(monkeypatch) -> None:
    clock = iter([0.0, 0.5, 1.5, 2.5])  # start, stage, two updates
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    stream = FakeTerminal()
    bar = Progress(enabled=True, stream=stream)
    bar.stage("rendering", 11_536)
    bar.advance(5_000)
    bar.advance(5_000)
    bar.finish()
    shown = stream.getvalue()
    assert "\rrendering 5,000/11,536 (5,000/s)" in shown
    assert "\rrendering 10,000/11,536 (5,000/s)" in shown
    assert "\n" not in shown  # one line, rewritten in place
    assert shown.endswith("\r")  # and wiped at the end


def test_a_short_build_shows_nothing(monkeypatch) -> None:
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: 0.5)
    stream = FakeTerminal()
    bar = Progress(enabled=True, stream=stream)
    bar.stage("reading", 10)
    bar.advance(10)
    bar.finish()
    assert stream.getvalue() == ""


def test_piped_or_quiet_output_has_no_progress(monkeypatch) -> None:
    monkeypatch.setattr(progress_module.sys, "stderr", io.StringIO())
    assert not Progress.for_terminal(quiet=False).enabled  # piped
    monkeypatch.setattr(progress_module.sys, "stderr", FakeTerminal())
    assert Progress.for_terminal(quiet=False).enabled
    assert not Progress.for_terminal(quiet=True).enabled
