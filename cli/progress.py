"""Progress display for slow steps: a spinner with elapsed time, then a line with the step's duration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


class Steps:
    """Announce slow steps on a console; each :meth:`step` prints its duration when done."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._status: object | None = None

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        start = time.perf_counter()
        with self.console.status(f"{title}…", spinner="dots"):
            yield
        self.console.print(f"[green]✓[/green] {title} [dim]({time.perf_counter() - start:.1f} s)[/dim]")

    def note(self, message: str) -> None:
        """A sub-step reported by a long call (shown as a dim line)."""
        self.console.print(f"  [dim]· {message}[/dim]")
