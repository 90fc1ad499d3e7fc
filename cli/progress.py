"""Progress display for slow steps: a spinner with elapsed time (and an estimate), then a line with the duration.

:class:`Steps` implements :class:`toolchain.keys.SetupProgress`, so ``setup(..., progress=Steps(console))``
shows ``⠋ groth16 setup (20,526 constraints, ptau 2^15) · 1:23 elapsed · about 2 min`` while snarkjs runs,
then ``✓ groth16 setup (…) (104.2 s)``.  A slow step that ends within ``quiet_s`` (a cache hit) shows nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task
from rich.text import Text

from zkmargin.toolchain.keys import QUIET_S, describe_estimate, unless_quick


def clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _SlowStepColumn(ProgressColumn):
    """``title · 1:23 elapsed · about 2 min``; elapsed counts from the step's start, not the spinner's."""

    def render(self, task: Task) -> Text:
        text = f"{task.description} · {clock(time.perf_counter() - task.fields['since'])} elapsed"
        if task.fields["estimate"]:
            text += f" · {task.fields['estimate']}"
        return Text(text)


class Steps:
    """Announce slow steps on a console; each step prints its duration when done.

    Parameters
    ----------
    console
        Where to draw.  On a terminal a slow step is a live spinner; elsewhere (a log, a pipe) it is one
        line when it starts and one when it ends.
    quiet_s
        A :meth:`slow` step that ends within this many seconds shows nothing at all.
    """

    def __init__(self, console: Console, *, quiet_s: float = QUIET_S) -> None:
        self.console = console
        self.quiet_s = quiet_s

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """A step always announced: a spinner while it runs, then its duration."""
        start = time.perf_counter()
        with self.console.status(f"{title}…", spinner="dots"):
            yield
        self.console.print(f"[green]✓[/green] {title} [dim]({time.perf_counter() - start:.1f} s)[/dim]")

    @contextmanager
    def slow(self, title: str, estimate_s: float | None) -> Iterator[None]:
        """A step that may be slow: shown only once it has run ``quiet_s``, with elapsed time and the estimate."""
        start = time.perf_counter()
        estimate = describe_estimate(estimate_s) if estimate_s is not None else ""
        display = Progress(SpinnerColumn("dots"), _SlowStepColumn(), console=self.console, transient=True)
        display.add_task(title, total=None, since=start, estimate=estimate)
        lock = threading.Lock()
        state = {"shown": False, "over": False}

        def show() -> None:
            with lock:
                if state["over"]:
                    return
                state["shown"] = True
                if self.console.is_terminal:
                    display.start()
                else:
                    self.console.print(f"{title} …" + (f" ({estimate}, estimated)" if estimate else ""))

        try:
            with unless_quick(self.quiet_s, show):
                yield
        finally:
            with lock:
                state["over"] = True
                if state["shown"] and self.console.is_terminal:
                    display.stop()
        elapsed = time.perf_counter() - start
        if state["shown"] or elapsed >= self.quiet_s:
            self.console.print(f"[green]✓[/green] {title} [dim]({elapsed:.1f} s)[/dim]")

    def note(self, message: str) -> None:
        """A sub-step reported by a long call (shown as a dim line)."""
        self.console.print(f"  [dim]· {message}[/dim]")
