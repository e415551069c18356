"""Run a command as a child process and sample the summed RSS of it and all its descendants.

`ru_maxrss` sees one process only; the analyzer spreads work over spawned worker processes, so peak
memory is the sum over the process tree, sampled every 0.25 s (a peak shorter than that can be missed).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

import psutil


def tree_rss(proc: psutil.Process) -> int:
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in members:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run(cmd: Sequence[str], env: Mapping[str, str]) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """(the finished process with its output, wall seconds, peak tree RSS in bytes)."""
    peak = [0]
    t = time.perf_counter()
    child = subprocess.Popen(list(cmd), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(child.pid)

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc))
            time.sleep(0.25)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - t
    sampler.join()
    return subprocess.CompletedProcess(child.args, child.returncode, out, err), seconds, peak[0]
