"""Run a command and measure it as a whole: wall time, CPU time, peak memory, its log's timeline.

Memory is the **proportional set size** (PSS) of the command's whole process tree, summed:
``/proc/<pid>/smaps_rollup``'s ``Pss`` of the command and of every process it started, read
``interval`` seconds apart. A page that several processes share (what a forked Sphinx worker
has not written to since the fork) is divided among them, so the sum counts it once; resident
set sizes (RSS) added up would count it once per process. This is what a container's memory
limit (Read the Docs' 3 GB) sees, near enough. Linux only.

Each line the command prints is kept with the time it arrived, so a build's phases (Sphinx's
"reading sources", "writing output"…) can be told apart in the memory timeline.
"""

from __future__ import annotations

import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: Seconds between two samples of the process tree's memory.
SAMPLE_INTERVAL = 0.1


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (every thread's list: a child's parent is a thread)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            text = (task / "children").read_text()
        except OSError:
            continue
        found.extend(int(child) for child in text.split())
    return found


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(_children(pid))
    return tree


def pss_kb(pid: int) -> int:
    """The proportional set size of one process in KB (0 if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


@dataclass
class Sample:
    """The process tree at one moment: seconds since the start, PSS in MB, how many processes."""

    seconds: float
    pss_mb: float
    processes: int


@dataclass
class Measured:
    """A finished command."""

    seconds: float
    cpu_seconds: float
    """User + system time of the command and every process it waited for (Sphinx's workers)."""
    returncode: int
    stdout: str
    stderr: str
    peak_pss_mb: float
    peak_processes: int
    samples: list[Sample] = field(default_factory=list)
    lines: list[tuple[float, str]] = field(default_factory=list)
    """Each line of standard output, with the seconds since the start when it arrived."""

    def peak_at(self) -> float:
        """Seconds since the start when the peak was sampled."""
        return max(self.samples, key=lambda sample: sample.pss_mb).seconds if self.samples else 0.0

    def timeline(self, every: float = 5.0) -> list[tuple[float, float, int]]:
        """The samples thinned to one per ``every`` seconds (the highest of each span)."""
        spans: dict[int, Sample] = {}
        for sample in self.samples:
            key = int(sample.seconds // every)
            if key not in spans or sample.pss_mb > spans[key].pss_mb:
                spans[key] = sample
        return [(round(s.seconds, 1), round(s.pss_mb, 1), s.processes) for _, s in sorted(spans.items())]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _collect(stream: IO[str], started: float, lines: list[tuple[float, str]]) -> None:
    for line in stream:
        lines.append((time.perf_counter() - started, line.rstrip("\n")))


def run_measured(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    interval: float = SAMPLE_INTERVAL,
) -> Measured:
    """Run ``command`` in ``cwd`` to its end, sampling its process tree's memory meanwhile."""
    cpu = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[tuple[float, str]] = []
    errors: list[tuple[float, str]] = []
    readers = [
        threading.Thread(target=_collect, args=(process.stdout, started, lines), daemon=True),
        threading.Thread(target=_collect, args=(process.stderr, started, errors), daemon=True),
    ]
    for reader in readers:
        reader.start()
    samples: list[Sample] = []
    while process.poll() is None:
        tree = process_tree(process.pid)
        total = sum(pss_kb(pid) for pid in tree)
        if total:
            samples.append(Sample(time.perf_counter() - started, total / 1024, len(tree)))
        time.sleep(interval)
    seconds = time.perf_counter() - started
    for reader in readers:
        reader.join()
    return Measured(
        seconds=seconds,
        cpu_seconds=_children_cpu() - cpu,
        returncode=process.returncode,
        stdout="\n".join(line for _, line in lines),
        stderr="\n".join(line for _, line in errors),
        peak_pss_mb=round(max((sample.pss_mb for sample in samples), default=0.0), 1),
        peak_processes=max((sample.processes for sample in samples), default=0),
        samples=samples,
        lines=lines,
    )
