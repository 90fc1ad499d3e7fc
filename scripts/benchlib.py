"""Shared helpers for the ``scripts/bench_*.py`` benchmarks: machine description and BENCHMARKS.md sections."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
T = TypeVar("T")
#: GNU time, for a child process's peak resident memory.
TIME_BIN = Path("/usr/bin/time")
_RSS_RE = re.compile(r"^peak_rss_kb=(\d+)$", re.MULTILINE)

HEADER = """# Benchmarks

Each section is written by the script named in its heading; rerun it to refresh the numbers.
Times are wall-clock seconds on the machine described in the section.
"""


def machine() -> str:
    """One line: CPU model, cores, memory, Python and OS, plus today's date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.findall(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[0])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()}; run on {dt.date.today().isoformat()}")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run ``fn`` once and return its result and wall-clock seconds."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def measured(argv: list[str], timeout: float) -> tuple[float, float]:
    """Run ``argv`` (through :func:`zkmargin.toolchain.tools.run`) under ``/usr/bin/time``: (wall-clock seconds,
    peak resident memory in MiB)."""
    from zkmargin.toolchain import tools

    result, seconds = timed(lambda: tools.run([str(TIME_BIN), "-f", "peak_rss_kb=%M", *argv], timeout=timeout,
                                              cwd=tools.REPO_ROOT))
    found = _RSS_RE.findall(result.stderr)
    if not found:
        raise SystemExit(f"{TIME_BIN} printed no peak memory for {' '.join(argv[:3])} …")
    return seconds, int(found[-1]) / 1024


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of BENCHMARKS.md with ``body``."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else HEADER
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text)
